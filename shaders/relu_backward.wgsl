// ReLU backward, elementwise: dinp = dout where inp > 0, else 0 (0 at inp = 0, as PyTorch),
// stored: each element has one writer.
//   dinp, inp, dout : (N)
// CPU reference: crates/playground-core/src/cpu/relu.rs (relu_backward)

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
    dinp[i] = select(0.0, dout[i], inp[i] > 0.0);
}
