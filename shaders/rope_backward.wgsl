// Rotary position embedding backward: the forward was a rotation by θ, so the gradient
// of the unrotated Q and K is the gradient of the rotated ones turned by −θ, in place.
//   dx₁ = dx₁'·cos θ + dx₂'·sin θ,   dx₂ = dx₂'·cos θ − dx₁'·sin θ
//   dqkv : (B, T, 3C)   Q in columns 0..C, K in C..2C, each NH heads of HS channels
//   cos, sin : (maxT, HS/2)   from crates/playground-core/src/cpu/positions.rs (rope_table)
// CPU reference: crates/playground-core/src/cpu/rope.rs (rope_backward)

struct Params {
    rows: u32, // B * T
    t: u32,
    c: u32,
    nh: u32,
    pos0: u32, // absolute position of t = 0 (a KV-cached step)
    _pad0: u32,
    _pad1: u32,
    _pad2: u32,
}

@group(0) @binding(0) var<storage, read_write> dqkv: array<f32>;
@group(0) @binding(1) var<storage, read> cos_t: array<f32>;
@group(0) @binding(2) var<storage, read> sin_t: array<f32>;
@group(0) @binding(3) var<uniform> params: Params;

const WORKGROUP_SIZE: u32 = 256u;
const SIGN: f32 = -1.0; // the direction of the turn

@compute @workgroup_size(WORKGROUP_SIZE)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
    // C pairs per row: 2 parts (Q, K) × NH heads × HS/2 pairs
    let j = gid.y * nwg.x * WORKGROUP_SIZE + gid.x;
    if (j >= params.rows * params.c) { return; }
    let row = j / params.c;
    let k = j % params.c;
    let half = params.c / params.nh / 2u;
    let per_part = params.nh * half;
    let part = k / per_part;
    let h = (k % per_part) / half;
    let i = k % half;
    let pos = params.pos0 + row % params.t;
    let base = row * 3u * params.c + part * params.c + h * 2u * half;
    let co = cos_t[pos * half + i];
    let si = SIGN * sin_t[pos * half + i];
    let x1 = dqkv[base + i];
    let x2 = dqkv[base + half + i];
    dqkv[base + i] = x1 * co - x2 * si;
    dqkv[base + half + i] = x2 * co + x1 * si;
}
