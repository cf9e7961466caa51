// GELU with GPT-2's tanh approximation, as torch.nn.GELU(approximate='tanh'). Elementwise.
//   out = ½·x·(1 + tanh(√(2/π)·(x + 0.044715·x³)))
//   out, inp : (N)
// CPU reference: crates/playground-core/src/cpu/gelu_tanh.rs (gelu_tanh_forward)
// WGSL's tanh overflows to NaN on some backends for large |u|, so u is clamped to ±15
// (tanh(15) is 1 in f32).

struct Params {
    n: u32,
    _pad0: u32,
    _pad1: u32,
    _pad2: u32,
}

@group(0) @binding(0) var<storage, read_write> out: array<f32>;
@group(0) @binding(1) var<storage, read> inp: array<f32>;
@group(0) @binding(2) var<uniform> params: Params;

const WORKGROUP_SIZE: u32 = 256u;
const SQRT_2_OVER_PI: f32 = 0.7978845608028654;
const COEF: f32 = 0.044715;

@compute @workgroup_size(WORKGROUP_SIZE)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
    let i = gid.y * nwg.x * WORKGROUP_SIZE + gid.x;
    if (i >= params.n) { return; }
    let x = inp[i];
    let u = clamp(SQRT_2_OVER_PI * (x + COEF * x * x * x), -15.0, 15.0);
    out[i] = 0.5 * x * (1.0 + tanh(u));
}
