//! The model's description (`playground_core::arch::Architecture`) as the page draws it: its
//! family, its stacks of sublayers (each attention's kind and heads, each feed-forward's
//! activation and width), where its norms sit, how positions enter, and its head.

use playground_core::arch::{Architecture, AttentionKind, Op, Stack, Sublayer};
use playground_core::config::{Ffn, Norm, NormPosition, Positions};
use playground_core::Family;
use serde::Serialize;

#[derive(Serialize)]
pub struct ArchitectureDto {
    family: Family,
    norm: Norm,
    norm_position: NormPosition,
    positions: Positions,
    vocab_size: usize,
    n_embd: usize,
    block_size: usize,
    /// One stack (decoder or encoder), or the encoder's then the decoder's.
    stacks: Vec<StackDto>,
    /// The LM head reads the token embedding's weights.
    tied_head: bool,
    /// Classes of the [CLS] classifier (0: none).
    classes: usize,
}

#[derive(Serialize)]
struct StackDto {
    /// The prefix of its trace keys: "", "encoder." or "decoder.".
    name: &'static str,
    /// The trace key of its final norm's output: "lnf", or "lne" (the memory).
    norm_key: &'static str,
    blocks: usize,
    sublayers: Vec<SublayerDto>,
}

#[derive(Serialize)]
#[serde(tag = "op", rename_all = "snake_case")]
enum SublayerDto {
    Attention { block: usize, kind: &'static str, n_head: usize, n_kv_head: usize, head_size: usize, rotary: bool },
    FeedForward { block: usize, activation: Ffn, width: usize },
}

impl ArchitectureDto {
    pub fn new(arch: &Architecture) -> ArchitectureDto {
        let cfg = &arch.config;
        ArchitectureDto {
            family: cfg.family,
            norm: cfg.norm,
            norm_position: cfg.norm_position,
            positions: arch.embedding.positions,
            vocab_size: cfg.vocab_size,
            n_embd: cfg.n_embd,
            block_size: cfg.block_size,
            stacks: arch.stacks.iter().map(stack).collect(),
            tied_head: arch.head.lm.weight == arch.embedding.wte,
            classes: arch.head.classifier.map_or(0, |c| c.out),
        }
    }
}

fn stack(s: &Stack) -> StackDto {
    let blocks = s.sublayers.last().map_or(0, |sub| sub.block + 1);
    StackDto { name: s.name, norm_key: s.norm_key, blocks, sublayers: s.sublayers.iter().map(sublayer).collect() }
}

fn sublayer(s: &Sublayer) -> SublayerDto {
    match s.op {
        Op::Attention(a) => SublayerDto::Attention {
            block: s.block,
            kind: match a.kind {
                AttentionKind::Causal => "causal",
                AttentionKind::Bidirectional => "bidirectional",
                AttentionKind::Cross => "cross",
            },
            n_head: a.n_head,
            n_kv_head: a.n_kv_head,
            head_size: a.head_size,
            rotary: a.rotary,
        },
        Op::FeedForward(f) => SublayerDto::FeedForward { block: s.block, activation: f.activation, width: f.width },
    }
}
