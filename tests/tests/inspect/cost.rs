//! The cost view's numbers against a hand calculation.

use playground_core::cost::cost;
use playground_core::{ModelConfig, ParamLayout};

#[test]
fn cost_equals_a_hand_calculation() {
    // V = 10, block = 16, L = 2, NH = 2, C = 8 (HS = 4, FFN 4C = 32); T = 5, B = 3
    let cfg = ModelConfig { vocab_size: 10, block_size: 16, n_layer: 2, n_head: 2, n_embd: 8, ..ModelConfig::default() };
    let c = cost(&cfg, 5, 3).unwrap();
    let by = |name: &str| c.parts.iter().find(|p| p.part == name).unwrap().clone();
    // parameters
    //   embeddings: wte 10·8 = 80, wpe 16·8 = 128                      → 208
    //   Q, K, V:    2 layers · (24·8 + 24) = 2 · 216                   → 432
    //   output:     2 · (8·8 + 8) = 2 · 72                             → 144
    //   FFN:        2 · (32·8 + 32 + 8·32 + 8) = 2 · 552               → 1104
    //   norms:      (2·2 + 1) · 2·8 = 5 · 16                           → 80
    //   total: 208 + 432 + 144 + 1104 + 80                              1968
    assert_eq!([208, 432, 0, 144, 1104, 80, 0], [0, 1, 2, 3, 4, 5, 6].map(|i| c.parts[i].params));
    assert_eq!(c.params, 1968);
    let layout_total: usize = ParamLayout::new(&cfg).tensors().iter().map(|t| t.numel()).sum();
    assert_eq!(c.params, layout_total as u64, "the same count as the parameter layout");
    // forward FLOPs, 2·m·n·k per matmul, BT = 15 rows
    //   Q, K, V:     2 layers · 2·15·24·8   = 2 · 5760                 → 11520
    //   scores, mix: 2 layers · 3 seqs · 2 heads · 2 matmuls · 2·5·5·4 → 2·3·2·2·200 = 4800
    //   output:      2 · 2·15·8·8 = 2 · 1920                           → 3840
    //   FFN:         2 · 2 · 2·15·32·8 = 4 · 7680                      → 30720
    //   head:        2·15·10·8                                         → 2400
    //   total                                                            53280
    assert_eq!(by("attention Q, K, V").forward_flops, 11520);
    assert_eq!(by("attention scores and mix").forward_flops, 4800);
    assert_eq!(by("attention output").forward_flops, 3840);
    assert_eq!(by("feed-forward").forward_flops, 30720);
    assert_eq!(by("output head (tied to wte)").forward_flops, 2400);
    assert_eq!(c.forward_flops, 53280);
    assert_eq!(c.quadratic_flops, 4800);
    // training step: forward + backward (2× forward) = 3 · 53280
    assert_eq!(c.train_flops, 159840);
    // attention maps: 3 seqs · 2 layers · 2 heads · 5·5 floats · 4 bytes = 1200
    assert_eq!(c.attention_map_bytes, 1200);
}

#[test]
fn cost_grows_quadratically_only_in_the_attention_term() {
    let cfg = ModelConfig { vocab_size: 65, block_size: 256, n_layer: 4, n_head: 4, n_embd: 64, ..ModelConfig::default() };
    let (a, b) = (cost(&cfg, 64, 1).unwrap(), cost(&cfg, 128, 1).unwrap());
    assert_eq!(b.quadratic_flops, 4 * a.quadratic_flops);
    assert_eq!(b.forward_flops - b.quadratic_flops, 2 * (a.forward_flops - a.quadratic_flops));
    assert!(cost(&cfg, 257, 1).unwrap_err().to_string().contains("exceeds the context length"));
}
