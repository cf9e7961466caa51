//! GELU, exact form x·Φ(x) with the error function (PyTorch's `nn.GELU()` default, which
//! nanoGPT uses), CPU reference for `shaders/gelu_*.wgsl`.

use std::f32::consts::FRAC_1_SQRT_2;

/// 1/√(2π), for the normal density φ(x) = e^(−x²/2)/√(2π).
const INV_SQRT_2PI: f32 = 0.398_942_3;

pub fn gelu(x: f32) -> f32 {
    0.5 * x * (1.0 + libm::erff(x * FRAC_1_SQRT_2))
}

/// d/dx [x·Φ(x)] = Φ(x) + x·φ(x)
pub fn gelu_grad(x: f32) -> f32 {
    let cdf = 0.5 * (1.0 + libm::erff(x * FRAC_1_SQRT_2));
    let pdf = INV_SQRT_2PI * (-0.5 * x * x).exp();
    cdf + x * pdf
}

pub fn gelu_forward(
    out: &mut [f32], // (N)
    inp: &[f32],     // (N)
    n: usize,
) {
    for i in 0..n {
        out[i] = gelu(inp[i]);
    }
}

/// dinp = gelu'(inp)·dout, stored: each element has one writer.
pub fn gelu_backward(
    dinp: &mut [f32], // (N)
    inp: &[f32],      // (N)
    dout: &[f32],     // (N)
    n: usize,
) {
    for i in 0..n {
        dinp[i] = gelu_grad(inp[i]) * dout[i];
    }
}
