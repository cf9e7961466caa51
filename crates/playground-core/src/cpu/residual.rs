//! Residual connection, CPU reference for the add the norms' forward kernels run before the
//! norm (`shaders/include/norm_residual.wgsl`; `layernorm_forward_residual`).
//! out = inp1 + inp2, elementwise: the block's output is added to the stream it read from.

pub fn residual_forward(
    out: &mut [f32], // (N)
    inp1: &[f32],    // (N)
    inp2: &[f32],    // (N)
    n: usize,
) {
    for i in 0..n {
        out[i] = inp1[i] + inp2[i];
    }
}

/// forward was: out = inp1 + inp2;  so both inputs receive dout unchanged.
pub fn residual_backward(
    dinp1: &mut [f32], // (N)
    dinp2: &mut [f32], // (N)
    dout: &[f32],      // (N)
    n: usize,
) {
    for i in 0..n {
        dinp1[i] += dout[i];
        dinp2[i] += dout[i];
    }
}
