// GELU (tanh approximation) backward, elementwise: dinp = gelu_tanh'(inp)·dout, stored (each
// element has one writer).
//   dinp, inp, dout : (N)
// CPU reference: crates/playground-core/src/cpu/gelu_tanh.rs (gelu_tanh_backward)
//
// forward was: out = ½·x·(1 + tanh u),  u = √(2/π)·(x + 0.044715·x³), so
//   gelu_tanh'(x) = ½·(1 + tanh u) + ½·x·(1 − tanh² u)·√(2/π)·(1 + 3·0.044715·x²)
// gelu_tanh_grad (u clamped to ±15 as in the forward) is in include/activations.wgsl,
// prepended by shaders.rs.

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

@compute @workgroup_size(WORKGROUP_SIZE)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
    let i = gid.y * nwg.x * WORKGROUP_SIZE + gid.x;
    if (i >= params.n) { return; }
    dinp[i] = gelu_tanh_grad(inp[i]) * dout[i];
}
