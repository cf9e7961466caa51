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
    _pad0: u32,
    _pad1: u32,
}
