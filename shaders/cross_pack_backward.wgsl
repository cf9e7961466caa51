// Cross-attention's unpacking, the backward of cross_pack_forward, one invocation per
// element (row, i) of dout; each gradient element has exactly one writer, so it is stored.
//   dq   : (rows, C)       dq[r, i] = dout[r, i]
//   dkv  : (rows, 2·KVC)   dkv[r, i] = dout[r, C + i]
//   dout : (rows, C + 2·KVC)
// CPU reference: crates/playground-core/src/cpu/cross_pack.rs (cross_pack_backward)

struct Params {
    n: u32, // rows * (C + 2·KVC)
    c: u32,
    kvc: u32,
    _pad0: u32,
}

@group(0) @binding(0) var<storage, read_write> dq: array<f32>;
@group(0) @binding(1) var<storage, read_write> dkv: array<f32>;
@group(0) @binding(2) var<storage, read> dout: array<f32>;
@group(0) @binding(3) var<uniform> params: Params;

const WORKGROUP_SIZE: u32 = 256u;

@compute @workgroup_size(WORKGROUP_SIZE)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
    let j = gid.y * nwg.x * WORKGROUP_SIZE + gid.x;
    if (j >= params.n) { return; }
    let c = params.c;
    let w = c + 2u * params.kvc;
    let r = j / w;
    let i = j % w;
    if (i < c) {
        dq[r * c + i] = dout[j];
    } else {
        dkv[r * 2u * params.kvc + i - c] = dout[j];
    }
}
