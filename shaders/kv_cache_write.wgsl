// KV cache write: copies the keys and values of N new rows into one layer's cache at
// positions pos0 .. pos0 + N. One invocation per (row, channel).
//   kcache, vcache : (NH, maxT, HS)   head h's rows are contiguous, so attention reads them in order
//   qkv            : (N, 3C)          K in columns C..2C, V in 2C..3C (rotated already, rotary models)
// CPU reference: crates/playground-core/src/cpu/kv_attention.rs (kv_cache_write)

struct Params {
    n: u32,
    pos0: u32, // absolute position of the first new row
    c: u32,
    nh: u32,
    maxt: u32, // positions the cache holds (block_size)
    _pad0: u32,
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
    if (i >= params.n * c) { return; }
    let row = i / c;
    let ch = i % c;
    let hs = c / params.nh;
    let dst = ((ch / hs) * params.maxt + params.pos0 + row) * hs + ch % hs;
    kcache[dst] = qkv[row * 3u * c + c + ch];
    vcache[dst] = qkv[row * 3u * c + 2u * c + ch];
}
