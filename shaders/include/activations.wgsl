// The FFN's elementwise activations and their derivatives, one definition each. Not a kernel:
// shaders.rs prepends this file to the kernels that apply one (gelu_*, gelu_tanh_*, relu_*,
// the forward matmuls and reduce_partials_forward.wgsl, whose epilogue applies ACT, and
// matmul_backward_input.wgsl and reduce_partials.wgsl, whose epilogue multiplies by its
// derivative).
// CPU references: crates/playground-core/src/cpu/{gelu,gelu_tanh,relu}.rs

// The activation a matmul's pipeline was built for (GpuContext::op_built; the codes
// of act_grad below), applied in its epilogue. A pipeline constant, not a uniform: an emulator
// cannot see that a uniform is the same in every lane, so it runs every case of a switch on it,
// masked, at each of an invocation's 256 outputs; for a constant the compiler keeps one case.
override ACT: u32 = 0u;

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
// torch.nn.GELU(approximate='tanh'), with ½·(1 + tanh u) written as the logistic σ(2u) =
// 1/(1 + e^(−2u)): where tanh u nears −1, 1 + tanh u cancels, and a WGSL tanh a few 1e-7 off
// there (lavapipe's) left gelu_tanh' ~3e-6 from the CPU's; σ(2u) keeps the tail's relative
// accuracy. u is clamped to ±15 (tanh(15) is 1 in f32), so e^(−2u) stays finite.
fn gelu_tanh_half_one_plus_tanh(x: f32) -> vec2<f32> {
    let u = clamp(SQRT_2_OVER_PI * (x + GELU_TANH_COEF * x * x * x), -15.0, 15.0);
    let e = exp(-2.0 * u);
    let s = 1.0 / (1.0 + e);
    return vec2<f32>(s, e * s); // ½·(1 + tanh u), ½·(1 − tanh u)
}

fn gelu_tanh(x: f32) -> f32 {
    return x * gelu_tanh_half_one_plus_tanh(x).x;
}

fn relu(x: f32) -> f32 {
    return max(x, 0.0);
}

const INV_SQRT_2PI: f32 = 0.3989422804014327;

// gelu'(x) = Φ(x) + x·φ(x),  φ(x) = exp(−x²/2)/√(2π). For |x| ≳ 13, exp(−x²/2) underflows to 0,
// so the tails give exactly 1 and 0.
fn gelu_grad(x: f32) -> f32 {
    let cdf = 0.5 * (1.0 + erf_approx(x * INV_SQRT_2));
    let pdf = INV_SQRT_2PI * exp(-0.5 * x * x);
    return cdf + x * pdf;
}

// gelu_tanh'(x) = ½·(1 + tanh u) + ½·x·(1 − tanh² u)·√(2/π)·(1 + 3·0.044715·x²), with
// 1 − tanh² u = 4·s·(1 − s) for s = ½·(1 + tanh u), both halves as the forward takes them.
fn gelu_tanh_grad(x: f32) -> f32 {
    let half = gelu_tanh_half_one_plus_tanh(x);
    let du = SQRT_2_OVER_PI * (1.0 + 3.0 * GELU_TANH_COEF * x * x);
    return half.x + 2.0 * x * half.x * half.y * du;
}

// 1 where x > 0, else 0 (0 at x = 0, as PyTorch).
fn relu_grad(x: f32) -> f32 {
    return select(0.0, 1.0, x > 0.0);
}

// The derivative of the activation `act` names (ACT's codes: 1 gelu, 2 gelu_tanh, 3 relu) at x;
// 1 for 0 (no activation).
fn act_grad(act: u32, x: f32) -> f32 {
    switch act {
        case 1u: { return gelu_grad(x); }
        case 2u: { return gelu_tanh_grad(x); }
        case 3u: { return relu_grad(x); }
        default: { return 1.0; }
    }
}
