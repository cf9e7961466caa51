// Cross-attention's packing, one invocation per output element (row, i).
//   out : (rows, C + 2·KVC)   out[r, i] = q[r, i] for i < C, kv[r, i - C] after
//   q   : (rows, C)           queries from the decoder
//   kv  : (rows, 2·KVC)       keys and values from the encoder's output
// CPU reference: crates/playground-core/src/cpu/cross_pack.rs (cross_pack_forward)

struct Params {
    n: u32, // rows * (C + 2·KVC)
    c: u32,
    kvc: u32,
    _pad0: u32,
}

@group(0) @binding(0) var<storage, read_write> out: array<f32>;
@group(0) @binding(1) var<storage, read> q: array<f32>;
@group(0) @binding(2) var<storage, read> kv: array<f32>;
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
        out[j] = q[r * c + i];
    } else {
        out[j] = kv[r * 2u * params.kvc + i - c];
    }
}
