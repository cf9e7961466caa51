//! GELU with GPT-2's tanh approximation, ½·x·(1 + tanh(√(2/π)·(x + 0.044715·x³)))
//! (PyTorch's `nn.GELU(approximate='tanh')`, Hugging Face's `gelu_new`), CPU reference for
//! `shaders/gelu_tanh_*.wgsl`.

/// √(2/π).
const SQRT_2_OVER_PI: f32 = 0.797_884_6;
const COEF: f32 = 0.044_715;

pub fn gelu_tanh(x: f32) -> f32 {
    let u = SQRT_2_OVER_PI * (x + COEF * x * x * x);
    0.5 * x * (1.0 + u.tanh())
}

/// d/dx: ½·(1 + tanh u) + ½·x·(1 − tanh² u)·√(2/π)·(1 + 3·0.044715·x²)
pub fn gelu_tanh_grad(x: f32) -> f32 {
    let u = SQRT_2_OVER_PI * (x + COEF * x * x * x);
    let th = u.tanh();
    let du = SQRT_2_OVER_PI * (1.0 + 3.0 * COEF * x * x);
    0.5 * (1.0 + th) + 0.5 * x * (1.0 - th * th) * du
}

pub fn gelu_tanh_forward(
    out: &mut [f32], // (N)
    inp: &[f32],     // (N)
    n: usize,
) {
    for i in 0..n {
        out[i] = gelu_tanh(inp[i]);
    }
}

/// dinp = gelu_tanh'(inp)·dout, stored: each element has one writer.
pub fn gelu_tanh_backward(
    dinp: &mut [f32], // (N)
    inp: &[f32],      // (N)
    dout: &[f32],     // (N)
    n: usize,
) {
    for i in 0..n {
        dinp[i] = gelu_tanh_grad(inp[i]) * dout[i];
    }
}
