// The uniform of the attention backward kernels (prep, query, key) and of the tiled attention
// kernels: one layout, so the launchers fill one struct. Not a kernel: shaders.rs prepends it.

struct Params {
    b: u32,
    t: u32,
    c: u32,
    nh: u32,
    causal: u32, // 1: query i sees keys j ≤ i (GPT); 0: every key (BERT's encoder)
    _pad0: u32,
    _pad1: u32,
    _pad2: u32,
}
