// GELU backward, elementwise: dinp += gelu'(inp)·dout.
//   dinp, inp, dout : (N)
// CPU reference: crates/playground-core/src/cpu/gelu.rs (gelu_backward)
//
// forward was: out = x·Φ(x) = ½·x·(1 + erf(x/√2)), so
//   gelu'(x) = Φ(x) + x·φ(x),  φ(x) = exp(−x²/2)/√(2π)
// erf_approx is in include/activations.wgsl (prepended by shaders.rs), as for the forward.
// For |x| ≳ 13, exp(−x²/2) underflows to 0, so the tails give exactly 1·dout and 0.

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
const INV_SQRT_2PI: f32 = 0.3989422804014327;

@compute @workgroup_size(WORKGROUP_SIZE)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
    let i = gid.y * nwg.x * WORKGROUP_SIZE + gid.x;
    if (i >= params.n) { return; }
    let x = inp[i];
    let cdf = 0.5 * (1.0 + erf_approx(x * INV_SQRT_2));
    let pdf = INV_SQRT_2PI * exp(-0.5 * x * x);
    dinp[i] += (cdf + x * pdf) * dout[i];
}
