//! The steps of a model and the trace keys of each, as the page reads them: which stacks it
//! has, and in each block which sublayers (self-attention, cross-attention, FFN) with the keys
//! of their inputs, norms, heads and outputs. Derived from the architecture description
//! through [`TraceKey`], so the page asks the engine instead of spelling keys itself.

use crate::arch::{Architecture, AttentionKind, Op};
use crate::config::{NormPosition, Positions};
use crate::trace::{HeadPart, Part, TraceKey};
use serde::Serialize;

/// Every stack of the model and what turns the last one into predictions.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct TraceSteps {
    pub stacks: Vec<StackSteps>,
    pub logits: String,
    pub probs: String,
    /// The [CLS] classifier's class probabilities, for a model with classes.
    pub cls_probs: Option<String>,
}

/// One stack: its tokens and embeddings, its blocks, its final norm.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct StackSteps {
    /// "" for a decoder's or an encoder's one stack; "encoder" or "decoder".
    pub name: String,
    pub tokens: String,
    pub embed_tok: String,
    /// None for rotary positions, which add no vectors.
    pub embed_pos: Option<String>,
    pub embed: String,
    /// Per block, its sublayers in order.
    pub blocks: Vec<Vec<SublayerSteps>>,
    /// The final norm's output (`lnf`; an encoder-decoder's memory `encoder.lne`).
    pub norm: String,
}

/// One sublayer: norm → op → residual, with the keys of what flows through it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SublayerSteps {
    /// "causal", "bidirectional" or "cross" attention, or "ffn".
    pub op: &'static str,
    /// The residual stream entering the sublayer.
    pub input: String,
    /// What the norm reads: the input (pre-norm), or input + op (post-norm attention; a
    /// post-norm FFN's sum is not traced).
    pub norm_input: Option<String>,
    pub norm: String,
    /// What the op reads from the stream: the norm's output (pre-norm) or the input (post-norm).
    pub op_input: String,
    /// Cross-attention's keys and values come from here: the encoder's output.
    pub memory: Option<String>,
    /// Attention: each head's keys.
    pub heads: Vec<HeadSteps>,
    /// Attention: every head's output side by side.
    pub concat: Option<String>,
    /// FFN: the hidden layer before and after its activation.
    pub pre: Option<String>,
    pub act: Option<String>,
    /// The op's output projection.
    pub out: String,
    /// Attention: input + op (before the norm, post-norm).
    pub sum: Option<String>,
    /// The residual stream leaving the sublayer.
    pub output: String,
}

/// One head's keys.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct HeadSteps {
    pub q: String,
    pub k: String,
    pub v: String,
    pub scores: String,
    pub att: String,
    pub out: String,
}

impl TraceSteps {
    pub fn new(arch: &Architecture) -> TraceSteps {
        let name = |key: TraceKey| key.name(arch);
        let post = arch.config.norm_position == NormPosition::Post;
        let memory = arch.stacks.len().checked_sub(2).map(|encoder| name(TraceKey::StackNorm(encoder)));
        let stacks = arch.stacks.iter().enumerate().map(|(s, stack)| {
            let mut input = name(TraceKey::Embed(s));
            let mut blocks: Vec<Vec<SublayerSteps>> = vec![Vec::new(); arch.config.n_layer];
            for (i, sub) in stack.sublayers.iter().enumerate() {
                let key = |part| name(TraceKey::Sub { stack: s, sub: i, part });
                let norm = key(Part::Norm);
                let (op, heads, concat, pre, act, sum, output) = match sub.op {
                    Op::Attention(a) => {
                        let head = |h, part| key(Part::Head(h, part));
                        let heads = (0..a.n_head)
                            .map(|h| HeadSteps {
                                q: head(h, HeadPart::Q),
                                k: head(h, HeadPart::K),
                                v: head(h, HeadPart::V),
                                scores: head(h, HeadPart::Scores),
                                att: head(h, HeadPart::Att),
                                out: head(h, HeadPart::Out),
                            })
                            .collect();
                        let sum = key(Part::Sum);
                        let output = if post { norm.clone() } else { sum.clone() };
                        let op = match a.kind {
                            AttentionKind::Causal => "causal",
                            AttentionKind::Bidirectional => "bidirectional",
                            AttentionKind::Cross => "cross",
                        };
                        (op, heads, Some(key(Part::Concat)), None, None, Some(sum), output)
                    }
                    Op::FeedForward(_) => ("ffn", vec![], None, Some(key(Part::Pre)), Some(key(Part::Act)), None, key(Part::Output)),
                };
                let cross = op == "cross";
                let steps = SublayerSteps {
                    op,
                    norm_input: if post { sum.clone() } else { Some(input.clone()) },
                    op_input: if post { input.clone() } else { norm.clone() },
                    input: std::mem::replace(&mut input, output.clone()),
                    norm,
                    memory: memory.clone().filter(|_| cross),
                    heads,
                    concat,
                    pre,
                    act,
                    out: key(Part::Out),
                    sum,
                    output,
                };
                blocks[sub.block].push(steps);
            }
            StackSteps {
                name: stack.name.trim_end_matches('.').to_string(),
                tokens: name(TraceKey::Tokens(s)),
                embed_tok: name(TraceKey::EmbedTok(s)),
                embed_pos: (arch.config.positions != Positions::Rotary).then(|| name(TraceKey::EmbedPos(s))),
                embed: name(TraceKey::Embed(s)),
                blocks,
                norm: name(TraceKey::StackNorm(s)),
            }
        });
        TraceSteps {
            stacks: stacks.collect(),
            logits: name(TraceKey::Logits),
            probs: name(TraceKey::Probs),
            cls_probs: (arch.config.n_classes > 0).then(|| name(TraceKey::ClsProbs)),
        }
    }

    /// Every key named here, in order.
    pub fn keys(&self) -> Vec<&str> {
        let mut keys = Vec::new();
        for stack in &self.stacks {
            keys.extend([&stack.tokens, &stack.embed_tok].into_iter().chain(&stack.embed_pos).chain([&stack.embed]));
            for sub in stack.blocks.iter().flatten() {
                keys.extend([&sub.input].into_iter().chain(&sub.norm_input).chain([&sub.norm, &sub.op_input]).chain(&sub.memory));
                for h in &sub.heads {
                    keys.extend([&h.q, &h.k, &h.v, &h.scores, &h.att, &h.out]);
                }
                keys.extend(sub.concat.iter().chain(&sub.pre).chain(&sub.act).chain([&sub.out]).chain(&sub.sum).chain([&sub.output]));
            }
            keys.push(&stack.norm);
        }
        keys.extend([&self.logits, &self.probs].into_iter().chain(&self.cls_probs));
        keys.into_iter().map(String::as_str).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::{Family, ModelConfig};
    use std::collections::BTreeSet;

    fn cfg(family: Family) -> ModelConfig {
        ModelConfig { vocab_size: 10, block_size: 8, n_layer: 2, n_head: 2, n_embd: 6, family, ..ModelConfig::default() }
    }

    /// Every key the steps name parses, and every key the model has is named.
    #[test]
    fn the_steps_name_every_key_of_every_family_and_only_those() {
        for family in [Family::Decoder, Family::Encoder, Family::EncoderDecoder] {
            for c in
                [cfg(family), ModelConfig { norm_position: NormPosition::Post, positions: Positions::Rotary, n_classes: 2, ..cfg(family) }]
            {
                if family == Family::EncoderDecoder && c.n_classes > 0 {
                    continue;
                }
                let arch = Architecture::new(&c);
                let steps = TraceSteps::new(&arch);
                let named: BTreeSet<String> = steps.keys().into_iter().map(String::from).collect();
                let all: BTreeSet<String> = TraceKey::all(&arch).iter().map(|k| k.name(&arch)).collect();
                assert_eq!(named, all, "{c:?}");
                assert_eq!(steps.stacks.iter().map(|s| s.blocks.len()).collect::<Vec<_>>(), vec![2; arch.stacks.len()]);
            }
        }
    }

    #[test]
    fn the_stream_runs_through_the_sublayers_in_order() {
        let pre = TraceSteps::new(&Architecture::new(&cfg(Family::Decoder)));
        let b1 = &pre.stacks[0].blocks[1];
        assert_eq!(
            (b1[0].op, b1[0].input.as_str(), b1[0].norm_input.as_deref(), b1[0].op_input.as_str()),
            ("causal", "block0.residual", Some("block0.residual"), "block1.ln1")
        );
        assert_eq!((b1[0].output.as_str(), b1[1].input.as_str(), b1[1].output.as_str()), ("block1.res1", "block1.res1", "block1.residual"));
        assert_eq!(b1[0].heads[1].att, "block1.head1.att");
        assert_eq!(pre.stacks[0].blocks[0][0].input, "embed");

        let post = TraceSteps::new(&Architecture::new(&ModelConfig { norm_position: NormPosition::Post, ..cfg(Family::Encoder) }));
        let b0 = &post.stacks[0].blocks[0];
        assert_eq!(
            (b0[0].op, b0[0].norm_input.as_deref(), b0[0].op_input.as_str(), b0[0].output.as_str()),
            ("bidirectional", Some("block0.res1"), "embed", "block0.ln1")
        );
        assert_eq!((b0[1].input.as_str(), b0[1].norm_input.as_deref(), b0[1].output.as_str()), ("block0.ln1", None, "block0.residual"));

        let encdec = TraceSteps::new(&Architecture::new(&cfg(Family::EncoderDecoder)));
        assert_eq!(encdec.stacks.iter().map(|s| s.name.as_str()).collect::<Vec<_>>(), ["encoder", "decoder"]);
        let dec = &encdec.stacks[1].blocks[0];
        assert_eq!(dec.iter().map(|s| s.op).collect::<Vec<_>>(), ["causal", "cross", "ffn"]);
        assert_eq!((dec[1].heads[0].att.as_str(), dec[1].memory.as_deref()), ("decoder.block0.cross.head0.att", Some("encoder.lne")));
        assert_eq!((dec[1].input.as_str(), dec[1].output.as_str()), ("decoder.block0.res1", "decoder.block0.resx"));
        assert!(encdec.stacks[0].blocks[0].iter().all(|s| s.memory.is_none()));
    }
}
