// The uniform of every attention kernel (forward, tiled and per row, and the backward ones):
// one layout, so the launchers fill one struct (AttentionParams in kernels/attention.rs). Not
// a kernel: shaders.rs prepends it.

struct Params {
    b: u32,
    t: u32,
    c: u32,
    nh: u32,
    causal: u32,       // 1: query i sees keys j ≤ i (GPT); 0: every key (BERT's encoder)
    keep_weights: u32, // attention_forward.wgsl: 1 writes the (T, T) scores and weights; the others ignore it
    n_kv_head: u32,    // NKV key/value heads, each read by NH / NKV query heads (NKV = NH: one per head)
    _pad0: u32,
}

// qkv and dqkv rows are (C + 2·KVC): Q of the NH query heads, then K and V of the NKV
// key/value heads. Row r's start of query head h's Q, and of key/value head g's K and V:
fn q_base(r: u32, h: u32) -> u32 { return r * qkv_width() + h * head_size(); }
fn k_base(r: u32, g: u32) -> u32 { return r * qkv_width() + params.c + g * head_size(); }
fn v_base(r: u32, g: u32) -> u32 { return k_base(r, g) + params.n_kv_head * head_size(); }
fn head_size() -> u32 { return params.c / params.nh; }
fn qkv_width() -> u32 { return params.c + 2u * params.n_kv_head * head_size(); }
// The query heads that share a key/value head, and the one query head h reads.
fn group() -> u32 { return params.nh / params.n_kv_head; }
fn kv_head(h: u32) -> u32 { return h / group(); }
