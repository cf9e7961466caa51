// GELU with GPT-2's tanh approximation, as torch.nn.GELU(approximate='tanh'). Elementwise.
//   out = ½·x·(1 + tanh(√(2/π)·(x + 0.044715·x³)))
//   out, inp : (N)
// CPU reference: crates/playground-core/src/cpu/gelu_tanh.rs (gelu_tanh_forward)
// gelu_tanh() is in include/activations.wgsl, prepended by shaders.rs.

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

@compute @workgroup_size(WORKGROUP_SIZE)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
    let i = gid.y * nwg.x * WORKGROUP_SIZE + gid.x;
    if (i >= params.n) { return; }
    out[i] = gelu_tanh(inp[i]);
}
