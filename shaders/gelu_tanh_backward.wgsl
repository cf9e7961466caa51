// GELU (tanh approximation) backward, elementwise: dinp += gelu_tanh'(inp)·dout.
//   dinp, inp, dout : (N)
// CPU reference: crates/playground-core/src/cpu/gelu_tanh.rs (gelu_tanh_backward)
//
// forward was: out = ½·x·(1 + tanh u),  u = √(2/π)·(x + 0.044715·x³), so
//   gelu_tanh'(x) = ½·(1 + tanh u) + ½·x·(1 − tanh² u)·√(2/π)·(1 + 3·0.044715·x²)
// u is clamped to ±15 as in the forward (tanh(15) is 1 in f32, so 1 − tanh² u is 0 there).

struct Params {
    n: u32,
    _pad0: u32,
    _pad1: u32,
    _pad2: u32,
}

@group(0) @binding(0) var<storage, read_write> dinp: array<f32>;
@group(0) @binding(1) var<storage, read> inp: array<f32>;
@group(0) @binding(2) var<storage, read> dout: array<f32>;
@group(0) @binding(3) var<uniform> params: Params;

const WORKGROUP_SIZE: u32 = 256u;
const SQRT_2_OVER_PI: f32 = 0.7978845608028654;
const COEF: f32 = 0.044715;

@compute @workgroup_size(WORKGROUP_SIZE)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
    let i = gid.y * nwg.x * WORKGROUP_SIZE + gid.x;
    if (i >= params.n) { return; }
    let x = inp[i];
    let u = clamp(SQRT_2_OVER_PI * (x + COEF * x * x * x), -15.0, 15.0);
    let th = tanh(u);
    let du = SQRT_2_OVER_PI * (1.0 + 3.0 * COEF * x * x);
    dinp[i] += (0.5 * (1.0 + th) + 0.5 * x * (1.0 - th * th) * du) * dout[i];
}
