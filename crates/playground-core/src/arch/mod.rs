//! The transformer, described once: what the CPU executor runs, what the GPU recorder
//! records, where every parameter lives and what every traced activation is called.
//!
//! ```text
//! embedding   x = wte[tokens] + pos                                   (B, T, C)
//! stack       for each sublayer, in order:
//!               pre-norm:  x = x + op(norm(x))        (GPT-2, nanoGPT's x = x + self.attn(self.ln_1(x)))
//!               post-norm: x = norm(x + op(x))        (the original Transformer, BERT)
//!             op: attention (causal, bidirectional, or cross: keys and values from another
//!                 stack's output) or a feed-forward network
//!             then the stack's final norm
//! head        logits = x · headᵀ (tied: head = wte), and a [CLS] classifier where there are classes
//! ```
//! A decoder (GPT) or an encoder (BERT) is one stack of blocks [attention, FFN]; an
//! encoder-decoder is two: the encoder's blocks [bidirectional attention, FFN] end in `ln_e`,
//! whose output (the memory) the decoder's blocks [causal attention, cross-attention, FFN]
//! attend to. Everything else is the same code for every family.
//!
//! Building the description also lays out the parameters ([`ParamLayout`]): each tensor gets
//! its nanoGPT `state_dict` name and its span in the flat buffer as the walk reaches it.

use crate::config::{Family, Ffn, ModelConfig, Norm, NormPosition, Positions};
use crate::params::{ParamLayout, ParamTensor, Span, ALIGN};

/// A Linear layer: y (rows, out) = x (rows, inp) · weightᵀ + bias. The weight is (out, inp),
/// as `torch.nn.Linear` stores it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Linear {
    pub weight: Span,       // (out, inp)
    pub bias: Option<Span>, // (out)
    pub inp: usize,
    pub out: usize,
}

/// A normalisation layer: LayerNorm (weight and bias) or RMSNorm (weight only).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct NormLayer {
    pub kind: Norm,
    pub weight: Span,       // (C)
    pub bias: Option<Span>, // (C), LayerNorm only
}

/// Which keys a query sees.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AttentionKind {
    /// Query t sees keys j ≤ t of its own stream (GPT, and the encoder-decoder's decoder).
    Causal,
    /// Every key of its own stream (BERT, and the encoder-decoder's encoder).
    Bidirectional,
    /// Every position of the encoder's output: queries from the stream, keys and values from the memory.
    Cross,
}

/// Multi-head attention. Head h reads key/value head h / (n_head / n_kv_head).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Attention {
    pub kind: AttentionKind,
    pub n_head: usize,
    pub n_kv_head: usize,
    pub head_size: usize,
    /// Rotary positions turn Q and K (self-attention with rotary positions).
    pub rotary: bool,
    /// Self-attention: Q, K and V of the stream side by side (C → C + 2·KVC); cross-attention: Q (C → C).
    pub qkv: Linear,
    /// Cross-attention only: K and V of the memory side by side (C → 2·KVC).
    pub kv: Option<Linear>,
    /// The heads' outputs back into the stream (C → C).
    pub proj: Linear,
}

impl Attention {
    /// Width of the packed Q|K|V rows attention reads: C + 2·KVC.
    pub fn qkv_width(&self) -> usize {
        (self.n_head + 2 * self.n_kv_head) * self.head_size
    }

    /// Whether query t sees only keys j ≤ t.
    pub fn causal(&self) -> bool {
        self.kind == AttentionKind::Causal
    }
}

/// The feed-forward network: proj(act(fc(x))).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct FeedForward {
    pub activation: Ffn,
    /// H: the hidden width after the activation.
    pub width: usize,
    /// C → H, or C → 2H for SwiGLU (gate rows, then up rows).
    pub fc: Linear,
    /// H → C.
    pub proj: Linear,
}

/// What a sublayer computes between its norm and its residual connection.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Op {
    Attention(Attention),
    FeedForward(FeedForward),
}

/// One sublayer of block `block`: norm → op → residual, pre- or post-norm.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Sublayer {
    pub block: usize,
    pub norm: NormLayer,
    pub op: Op,
}

impl Sublayer {
    pub fn attention(&self) -> Option<&Attention> {
        match &self.op {
            Op::Attention(a) => Some(a),
            Op::FeedForward(_) => None,
        }
    }
}

/// A stack of sublayers over one token stream, ending in a norm.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Stack {
    /// The prefix of its trace keys: "" for the one stack of a decoder or an encoder,
    /// "encoder." and "decoder." for an encoder-decoder's.
    pub name: &'static str,
    pub sublayers: Vec<Sublayer>,
    /// ln_f, or ln_e for the encoder of an encoder-decoder.
    pub norm: NormLayer,
    /// The trace key of the final norm's output: "lnf", or "lne" (the memory).
    pub norm_key: &'static str,
}

/// Token embedding and positions, shared by every stack.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Embedding {
    pub wte: Span,         // (V, C)
    pub wpe: Option<Span>, // (maxT, C), learned positions only
    pub positions: Positions,
}

/// What turns the last stack's output into predictions.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Head {
    /// logits = x · weightᵀ: wte (tied) or lm_head, C → V, no bias.
    pub lm: Linear,
    /// The [CLS] classifier (C → K), when the config has classes; its loss replaces the LM's.
    pub classifier: Option<Linear>,
}

/// The whole model: its config, its parameter layout and the description above.
#[derive(Clone, Debug)]
pub struct Architecture {
    pub config: ModelConfig,
    pub layout: ParamLayout,
    pub embedding: Embedding,
    /// One stack, or an encoder-decoder's encoder and decoder; the last one feeds the head.
    pub stacks: Vec<Stack>,
    pub head: Head,
}

impl Architecture {
    /// The description of `cfg` (assumed validated).
    pub fn new(cfg: &ModelConfig) -> Architecture {
        // the first walk counts the matrices, so the second can place the vectors after them
        let mut count = Tensors::new(0);
        describe(cfg, &mut count);
        let mut tensors = Tensors::new(count.next_matrix);
        let (embedding, stacks, head) = describe(cfg, &mut tensors);
        let layout = ParamLayout::from_tensors(tensors.list, count.next_matrix, tensors.next_vector);
        Architecture { config: *cfg, layout, embedding, stacks, head }
    }

    /// x = norm(x + op(x)) rather than x + op(norm(x)).
    pub fn post_norm(&self) -> bool {
        self.config.norm_position == NormPosition::Post
    }

    /// Every sublayer of every stack, with its stack's index.
    pub fn sublayers(&self) -> impl Iterator<Item = (usize, &Sublayer)> {
        self.stacks.iter().enumerate().flat_map(|(s, stack)| stack.sublayers.iter().map(move |sub| (s, sub)))
    }
}

/// Hands out parameter spans in walk order: matrices (weight decay applies) from 0, vectors
/// from `vectors_start` on, each tensor aligned to `ALIGN` floats.
struct Tensors {
    next_matrix: usize,
    next_vector: usize,
    list: Vec<ParamTensor>,
}

impl Tensors {
    fn new(vectors_start: usize) -> Tensors {
        Tensors { next_matrix: 0, next_vector: vectors_start, list: Vec::new() }
    }

    fn add(&mut self, name: String, shape: Vec<usize>) -> Span {
        let len = shape.iter().product();
        let decay = shape.len() >= 2; // nanoGPT decays tensors of dim ≥ 2
        let cursor = if decay { &mut self.next_matrix } else { &mut self.next_vector };
        let span = Span { offset: *cursor, len };
        *cursor += len.div_ceil(ALIGN) * ALIGN;
        self.list.push(ParamTensor { name, shape, span, decay });
        span
    }

    fn linear(&mut self, name: &str, inp: usize, out: usize, bias: bool) -> Linear {
        let weight = self.add(format!("{name}.weight"), vec![out, inp]);
        let bias = bias.then(|| self.add(format!("{name}.bias"), vec![out]));
        Linear { weight, bias, inp, out }
    }

    fn norm(&mut self, name: &str, kind: Norm, c: usize) -> NormLayer {
        let weight = self.add(format!("{name}.weight"), vec![c]);
        let bias = (kind == Norm::LayerNorm).then(|| self.add(format!("{name}.bias"), vec![c]));
        NormLayer { kind, weight, bias }
    }
}

/// Walks the model in nanoGPT's `state_dict` order, adding each tensor as it is reached.
fn describe(cfg: &ModelConfig, t: &mut Tensors) -> (Embedding, Vec<Stack>, Head) {
    let (v, c) = (cfg.vocab_size, cfg.n_embd);
    let wte = t.add("transformer.wte.weight".into(), vec![v, c]);
    let wpe = (cfg.positions == Positions::Learned).then(|| t.add("transformer.wpe.weight".into(), vec![cfg.block_size, c]));
    let embedding = Embedding { wte, wpe, positions: cfg.positions };
    let stacks = match cfg.family {
        Family::Decoder => vec![stack(cfg, t, "", "transformer.h", AttentionKind::Causal, false, "transformer.ln_f", "lnf")],
        Family::Encoder => vec![stack(cfg, t, "", "transformer.h", AttentionKind::Bidirectional, false, "transformer.ln_f", "lnf")],
        Family::EncoderDecoder => vec![
            stack(cfg, t, "encoder.", "transformer.h", AttentionKind::Bidirectional, false, "transformer.ln_e", "lne"),
            stack(cfg, t, "decoder.", "transformer.dec", AttentionKind::Causal, true, "transformer.ln_f", "lnf"),
        ],
    };
    let lm = match cfg.tie_head {
        true => Linear { weight: wte, bias: None, inp: c, out: v },
        false => t.linear("lm_head", c, v, false),
    };
    let classifier = (cfg.n_classes > 0).then(|| t.linear("classifier", c, cfg.n_classes, true));
    (embedding, stacks, Head { lm, classifier })
}

/// n_layer blocks named `{params}.{l}`: self-attention, cross-attention when `cross`, FFN;
/// then the final norm `norm`. The encoder-decoder's norm of the encoder ends its stack the
/// way ln_f ends the decoder's, so `ln_e` sits between the two stacks in the walk.
#[allow(clippy::too_many_arguments)]
fn stack(
    cfg: &ModelConfig,
    t: &mut Tensors,
    name: &'static str,
    params: &str,
    kind: AttentionKind,
    cross: bool,
    norm: &str,
    norm_key: &'static str,
) -> Stack {
    let (c, nh, nkv, kvc) = (cfg.n_embd, cfg.n_head, cfg.kv_heads(), cfg.kv_width());
    let (hs, h, fc) = (cfg.head_size(), cfg.ffn_width(), cfg.fc_width());
    let (qkv_bias, bias) = (cfg.linear_bias.qkv(), cfg.linear_bias.others());
    let mut sublayers = Vec::new();
    for block in 0..cfg.n_layer {
        let p = format!("{params}.{block}");
        let heads = |kind, rotary, qkv, kv, proj| Attention { kind, n_head: nh, n_kv_head: nkv, head_size: hs, rotary, qkv, kv, proj };
        let norm = t.norm(&format!("{p}.ln_1"), cfg.norm, c);
        let qkv = t.linear(&format!("{p}.attn.c_attn"), c, c + 2 * kvc, qkv_bias);
        let proj = t.linear(&format!("{p}.attn.c_proj"), c, c, bias);
        let rotary = cfg.positions == Positions::Rotary;
        sublayers.push(Sublayer { block, norm, op: Op::Attention(heads(kind, rotary, qkv, None, proj)) });
        if cross {
            let norm = t.norm(&format!("{p}.ln_x"), cfg.norm, c);
            let q = t.linear(&format!("{p}.cross.c_q"), c, c, qkv_bias);
            let kv = t.linear(&format!("{p}.cross.c_kv"), c, 2 * kvc, qkv_bias);
            let proj = t.linear(&format!("{p}.cross.c_proj"), c, c, bias);
            sublayers.push(Sublayer { block, norm, op: Op::Attention(heads(AttentionKind::Cross, false, q, Some(kv), proj)) });
        }
        let norm = t.norm(&format!("{p}.ln_2"), cfg.norm, c);
        let ffn = FeedForward {
            activation: cfg.ffn,
            width: h,
            fc: t.linear(&format!("{p}.mlp.c_fc"), c, fc, bias),
            proj: t.linear(&format!("{p}.mlp.c_proj"), h, c, bias),
        };
        sublayers.push(Sublayer { block, norm, op: Op::FeedForward(ffn) });
    }
    let norm = t.norm(norm, cfg.norm, c);
    Stack { name, sublayers, norm, norm_key }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeSet;

    fn cfg(family: Family) -> ModelConfig {
        ModelConfig { vocab_size: 11, block_size: 7, n_layer: 2, n_head: 3, n_embd: 12, family, ..ModelConfig::default() }
    }

    /// The attention kinds and FFNs of a stack's sublayers, in order ("C", "B", "X", "F").
    fn ops(stack: &Stack) -> String {
        let op = |s: &Sublayer| match s.op {
            Op::Attention(Attention { kind: AttentionKind::Causal, .. }) => 'C',
            Op::Attention(Attention { kind: AttentionKind::Bidirectional, .. }) => 'B',
            Op::Attention(Attention { kind: AttentionKind::Cross, .. }) => 'X',
            Op::FeedForward(_) => 'F',
        };
        stack.sublayers.iter().map(op).collect()
    }

    #[test]
    fn every_family_is_its_stacks_of_sublayers() {
        let decoder = Architecture::new(&cfg(Family::Decoder));
        assert_eq!(decoder.stacks.iter().map(|s| (s.name, ops(s), s.norm_key)).collect::<Vec<_>>(), [("", "CFCF".into(), "lnf")]);
        let encoder = Architecture::new(&cfg(Family::Encoder));
        assert_eq!(ops(&encoder.stacks[0]), "BFBF");
        let encdec = Architecture::new(&cfg(Family::EncoderDecoder));
        let stacks: Vec<_> = encdec.stacks.iter().map(|s| (s.name, ops(s), s.norm_key)).collect();
        assert_eq!(stacks, [("encoder.", "BFBF".into(), "lne"), ("decoder.", "CXFCXF".into(), "lnf")]);
        assert_eq!(encdec.stacks[1].sublayers.iter().map(|s| s.block).collect::<Vec<_>>(), [0, 0, 0, 1, 1, 1]);
        // the memory's keys and values: C → 2C; the decoder's queries C → C
        let Op::Attention(cross) = encdec.stacks[1].sublayers[1].op else { panic!("cross-attention") };
        assert_eq!((cross.qkv.out, cross.kv.map(|kv| kv.out), cross.rotary), (12, Some(24), false));
        assert_eq!(decoder.head.lm.weight, decoder.embedding.wte, "tied head");
        let untied = Architecture::new(&ModelConfig { tie_head: false, n_classes: 2, ..cfg(Family::Encoder) });
        assert_eq!(untied.head.lm.weight, untied.layout.find("lm_head.weight").unwrap().span);
        assert_eq!(untied.head.classifier.map(|c| (c.inp, c.out)), Some((12, 2)));
    }

    /// Every span the description holds is one of the layout's named tensors, and every named
    /// tensor is reached from the description: nothing is laid out that no op reads.
    #[test]
    fn the_description_reaches_every_parameter_once() {
        for family in [Family::Decoder, Family::Encoder, Family::EncoderDecoder] {
            for c in [cfg(family), ModelConfig { norm: Norm::RmsNorm, positions: Positions::Rotary, tie_head: false, ..cfg(family) }] {
                let arch = Architecture::new(&c);
                let mut reached = BTreeSet::new();
                let mut linear = |l: &Linear| {
                    reached.insert(l.weight.offset);
                    reached.extend(l.bias.map(|b| b.offset));
                };
                for (_, s) in arch.sublayers() {
                    match &s.op {
                        Op::Attention(a) => [Some(&a.qkv), a.kv.as_ref(), Some(&a.proj)].into_iter().flatten().for_each(&mut linear),
                        Op::FeedForward(f) => [&f.fc, &f.proj].into_iter().for_each(&mut linear),
                    }
                }
                [Some(&arch.head.lm), arch.head.classifier.as_ref()].into_iter().flatten().for_each(&mut linear);
                let norms = arch.sublayers().map(|(_, s)| s.norm).chain(arch.stacks.iter().map(|s| s.norm));
                for n in norms {
                    reached.insert(n.weight.offset);
                    reached.extend(n.bias.map(|b| b.offset));
                }
                reached.insert(arch.embedding.wte.offset);
                reached.extend(arch.embedding.wpe.map(|s| s.offset));
                let named: BTreeSet<usize> = arch.layout.tensors().iter().map(|t| t.span.offset).collect();
                assert_eq!(reached, named, "{c:?}");
            }
        }
    }
}
