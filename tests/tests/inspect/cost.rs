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

/// Every architecture variant: the cost counts exactly the parameters its layout holds, and
/// SwiGLU's feed-forward FLOPs follow its gate: (2H·C + C·H) per row instead of 2·(4C·C).
#[test]
fn cost_counts_each_variants_own_parameters() {
    use playground_core::architecture::{Ffn, Norm, NormPosition, Positions};
    use playground_core::Family;
    let base = ModelConfig { vocab_size: 11, block_size: 16, n_layer: 2, n_head: 2, n_embd: 12, ..ModelConfig::default() };
    let variants = [
        ("rmsnorm", ModelConfig { norm: Norm::RmsNorm, ..base }),
        ("post-norm", ModelConfig { norm_position: NormPosition::Post, ..base }),
        ("sinusoidal", ModelConfig { positions: Positions::Sinusoidal, ..base }),
        ("rotary", ModelConfig { positions: Positions::Rotary, ..base }),
        ("relu", ModelConfig { ffn: Ffn::Relu, ..base }),
        ("swiglu", ModelConfig { ffn: Ffn::SwiGlu, ..base }),
        ("untied", ModelConfig { tie_head: false, ..base }),
        ("encoder", ModelConfig { family: Family::Encoder, ..base }),
        ("classifier", ModelConfig { family: Family::Encoder, n_classes: 2, ..base }),
    ];
    for (name, cfg) in variants {
        let c = cost(&cfg, 5, 1).unwrap();
        let layout_total: usize = ParamLayout::new(&cfg).tensors().iter().map(|t| t.numel()).sum();
        assert_eq!(c.params, layout_total as u64, "{name}: the cost's parameters are the layout's");
    }
    // rotary: no wpe, so the embeddings are wte alone (11·12)
    let rotary = cost(&ModelConfig { positions: Positions::Rotary, ..base }, 5, 1).unwrap();
    assert_eq!(rotary.parts[0].params, 11 * 12);
    // SwiGLU, C = 12: H = ceil(8·12/3) = 32 rounded to a multiple of 8 = 32; per layer and row
    // 2·(2H)·C + 2·C·H = 2·64·12 + 2·12·32 = 2304 FLOPs; 2 layers, T = 5 → 23040
    let swiglu = cost(&ModelConfig { ffn: Ffn::SwiGlu, ..base }, 5, 1).unwrap();
    assert_eq!(swiglu.parts.iter().find(|p| p.part == "feed-forward").unwrap().forward_flops, 23040);
    // the classifier reads the [CLS] row only: 2·B·C·K = 2·1·12·2
    let cls = cost(&ModelConfig { family: Family::Encoder, n_classes: 2, ..base }, 5, 1).unwrap();
    let head = cls.parts.last().unwrap();
    assert_eq!((head.part, head.params, head.forward_flops), ("classifier at [CLS]", 12 * 2 + 2, 48));
    assert!(cost(&ModelConfig { family: Family::EncoderDecoder, ..base }, 5, 1).is_err(), "the encoder-decoder is refused by name");
}
