// Token + position embedding. One invocation per output element (b, t, c).
//   out    : (B, T, C)      out[b, t, :] = wte[tokens[b, t], :] + wpe[pos0 + t, :]
//   tokens : (B, T) u32     ids, checked < V on the CPU before upload
//   wte    : (V, C)         wpe : (maxT, C), learned or the sinusoidal table
// pos0 is the absolute position of t = 0 (a KV-cached step runs the tokens after pos0 others).
// With add_pos = 0 (rotary positions) nothing is added and wpe is not read.
// CPU reference: crates/playground-core/src/cpu/embedding.rs (embedding_forward)
// The grid is two-dimensional so B·T·C may exceed 65535 workgroups of one row.

struct Params {
    b: u32,
    t: u32,
    c: u32,
    add_pos: u32, // 1: add wpe; 0: token embedding only
    pos0: u32,
    _pad0: u32,
    _pad1: u32,
    _pad2: u32,
}

@group(0) @binding(0) var<storage, read_write> out: array<f32>;
@group(0) @binding(1) var<storage, read> tokens: array<u32>;
@group(0) @binding(2) var<storage, read> wte: array<f32>;
@group(0) @binding(3) var<storage, read> wpe: array<f32>;
@group(0) @binding(4) var<uniform> params: Params;

const WORKGROUP_SIZE: u32 = 256u;

@compute @workgroup_size(WORKGROUP_SIZE)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
    let i = gid.y * nwg.x * WORKGROUP_SIZE + gid.x;
    if (i >= params.b * params.t * params.c) { return; }
    let bt = i / params.c;
    let ch = i % params.c;
    let pos = params.pos0 + bt % params.t;
    var x = wte[tokens[bt] * params.c + ch];
    if (params.add_pos != 0u) { x += wpe[pos * params.c + ch]; }
    out[i] = x;
}
