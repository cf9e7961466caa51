// Ablation mask: x[r, g·W + j] *= mask[mask_offset + g], in place. One invocation per element.
//   x    : (rows, G·W)   the heads of atty (G = NH, W = HS) or a block's branch output (G = 1)
//   mask : (L·NH + L)    head factors, then block factors (playground_core::ablation)
// CPU reference: crates/playground-core/src/cpu/ablate.rs (ablate_forward)

struct Params {
    n: u32, // rows · G · W
    groups: u32,
    width: u32,
    mask_offset: u32,
}

@group(0) @binding(0) var<storage, read_write> x: array<f32>;
@group(0) @binding(1) var<storage, read> mask: array<f32>;
@group(0) @binding(2) var<uniform> params: Params;

const WORKGROUP_SIZE: u32 = 256u;

@compute @workgroup_size(WORKGROUP_SIZE)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
    let i = gid.y * nwg.x * WORKGROUP_SIZE + gid.x;
    if (i >= params.n) { return; }
    let g = (i / params.width) % params.groups;
    x[i] = x[i] * mask[params.mask_offset + g];
}
