// The index loop of rope_forward.wgsl and rope_backward.wgsl: which (i, i + HS/2) channel
// pair of Q or K, at which position, invocation j turns. Not a kernel: shaders.rs prepends
// this file; each kernel declares `params` and turns the pair by +θ (forward) or −θ (backward).
//   qkv, dqkv : (B, T, C + 2·KVC)   Q in columns 0..C (NH heads of HS channels), K in C..C + KVC
//               (NKV heads): NH + NKV heads side by side from column 0
//   cos, sin  : (maxT, HS/2)

struct Params {
    rows: u32, // B * T
    t: u32,
    c: u32,
    nh: u32,
    pos0: u32, // absolute position of t = 0 (a KV-cached step)
    n_kv_head: u32,
    _pad1: u32,
    _pad2: u32,
}

const WORKGROUP_SIZE: u32 = 256u;

// One channel pair: its two indices into qkv and its angle's index into (maxT, HS/2).
struct RopePair {
    x1: u32,
    x2: u32,
    angle: u32,
}

// Pairs per row: (NH + NKV) heads × HS/2.
fn rope_pairs_per_row() -> u32 {
    return (params.nh + params.n_kv_head) * (params.c / params.nh / 2u);
}

// Invocation j's pair. The caller checks j < rows · rope_pairs_per_row() first.
fn rope_pair(j: u32) -> RopePair {
    let row = j / rope_pairs_per_row();
    let k = j % rope_pairs_per_row();
    let half = params.c / params.nh / 2u;
    let h = k / half; // a query head, or (h ≥ NH) a key head
    let i = k % half;
    let pos = params.pos0 + row % params.t;
    let base = row * (params.c + 2u * params.n_kv_head * 2u * half) + h * 2u * half;
    return RopePair(base + i, base + half + i, pos * half + i);
}
