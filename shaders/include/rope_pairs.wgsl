// The index loop of rope_forward.wgsl and rope_backward.wgsl: which (i, i + HS/2) channel
// pair of Q or K, at which position, invocation j turns. Not a kernel: shaders.rs prepends
// this file; each kernel declares `params` and turns the pair by +θ (forward) or −θ (backward).
//   qkv, dqkv : (B, T, 3C)   Q in columns 0..C, K in C..2C, each NH heads of HS channels
//   cos, sin  : (maxT, HS/2)

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

const WORKGROUP_SIZE: u32 = 256u;

// One channel pair: its two indices into (B, T, 3C) and its angle's index into (maxT, HS/2).
struct RopePair {
    x1: u32,
    x2: u32,
    angle: u32,
}

// Invocation j's pair: C pairs per row, 2 parts (Q, K) × NH heads × HS/2 pairs. The caller
// checks j < rows·C first.
fn rope_pair(j: u32) -> RopePair {
    let row = j / params.c;
    let k = j % params.c;
    let half = params.c / params.nh / 2u;
    let per_part = params.nh * half;
    let part = k / per_part;
    let h = (k % per_part) / half;
    let i = k % half;
    let pos = params.pos0 + row % params.t;
    let base = row * 3u * params.c + part * params.c + h * 2u * half;
    return RopePair(base + i, base + half + i, pos * half + i);
}
