// KV cache write: copies the keys and values of N new rows into one layer's cache at
// positions pos0 .. pos0 + N. One invocation per (row, channel of the keys).
//   kcache, vcache : (NKV, maxT, HS)   head g's rows are contiguous, so attention reads them in order
//   qkv            : (N, C + 2·KVC)    K in columns C..C + KVC, V after (rotated already, rotary models)
// CPU reference: crates/playground-core/src/cpu/kv_attention.rs (kv_cache_write)

struct Params {
    n: u32,
    pos0: u32, // absolute position of the first new row
    c: u32,
    nh: u32,
    maxt: u32, // positions the cache holds (block_size)
    n_kv_head: u32,
    _pad1: u32,
    _pad2: u32,
}

@group(0) @binding(0) var<storage, read_write> kcache: array<f32>;
@group(0) @binding(1) var<storage, read_write> vcache: array<f32>;
@group(0) @binding(2) var<storage, read> qkv: array<f32>;
@group(0) @binding(3) var<uniform> params: Params;

const WORKGROUP_SIZE: u32 = 256u;

@compute @workgroup_size(WORKGROUP_SIZE)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
    let i = gid.y * nwg.x * WORKGROUP_SIZE + gid.x;
    let c = params.c;
    let hs = c / params.nh;
    let kvc = params.n_kv_head * hs;
    if (i >= params.n * kvc) { return; }
    let row = i / kvc;
    let ch = i % kvc;
    let dst = ((ch / hs) * params.maxt + params.pos0 + row) * hs + ch % hs;
    kcache[dst] = qkv[row * (c + 2u * kvc) + c + ch];
    vcache[dst] = qkv[row * (c + 2u * kvc) + c + kvc + ch];
}
