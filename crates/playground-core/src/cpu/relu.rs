//! ReLU, max(0, x), the original Transformer's FFN activation; CPU reference for
//! `shaders/relu_*.wgsl`.

pub fn relu_forward(
    out: &mut [f32], // (N)
    inp: &[f32],     // (N)
    n: usize,
) {
    for i in 0..n {
        out[i] = inp[i].max(0.0);
    }
}

/// forward was: out = max(0, inp);  so dinp = dout where inp > 0, else 0 (0 at inp = 0, as
/// PyTorch); stored: each element has one writer.
pub fn relu_backward(
    dinp: &mut [f32], // (N)
    inp: &[f32],      // (N)
    dout: &[f32],     // (N)
    n: usize,
) {
    for i in 0..n {
        dinp[i] = if inp[i] > 0.0 { dout[i] } else { 0.0 };
    }
}
