// The FFN's elementwise activations, one definition each. Not a kernel: shaders.rs prepends
// this file to the kernels that apply one (gelu_forward.wgsl, gelu_backward.wgsl for
// erf_approx, gelu_tanh_forward.wgsl, relu_forward.wgsl, and matmul_forward.wgsl, whose
// epilogue applies the one its params name).
// CPU references: crates/playground-core/src/cpu/{gelu,gelu_tanh,relu}.rs

const INV_SQRT_2: f32 = 0.70710678118654752;
const SQRT_2_OVER_PI: f32 = 0.7978845608028654;
const GELU_TANH_COEF: f32 = 0.044715;

// WGSL has no erf: Abramowitz & Stegun 7.1.26, absolute error below 1.5e-7.
fn erf_approx(x: f32) -> f32 {
    let a = abs(x);
    let k = 1.0 / (1.0 + 0.3275911 * a);
    let poly = k * (0.254829592 + k * (-0.284496736 + k * (1.421413741 + k * (-1.453152027 + k * 1.061405429))));
    return sign(x) * (1.0 - poly * exp(-a * a));
}

// Exact GELU, x·Φ(x) = ½·x·(1 + erf(x/√2)), as torch.nn.GELU() (nanoGPT).
fn gelu(x: f32) -> f32 {
    return 0.5 * x * (1.0 + erf_approx(x * INV_SQRT_2));
}

// GPT-2's tanh approximation, ½·x·(1 + tanh(√(2/π)·(x + 0.044715·x³))), as
// torch.nn.GELU(approximate='tanh'). WGSL's tanh overflows to NaN on some backends for large
// |u|, so u is clamped to ±15 (tanh(15) is 1 in f32).
fn gelu_tanh(x: f32) -> f32 {
    let u = clamp(SQRT_2_OVER_PI * (x + GELU_TANH_COEF * x * x * x), -15.0, 15.0);
    return 0.5 * x * (1.0 + tanh(u));
}

fn relu(x: f32) -> f32 {
    return max(x, 0.0);
}
