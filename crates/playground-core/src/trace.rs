//! Named intermediates of a forward pass ("trace"), by stable string keys, each with its
//! shape and axis names. The page asks for keys; only those are read back. The keys are
//! derived from the architecture description: each sublayer names its activations by what it
//! does, under `block{l}.` of its stack.
//!
//! | key | shape | what |
//! |---|---|---|
//! | `tokens` | (T) | token ids |
//! | `embed.tok`, `embed.pos` | (T, C) | rows of wte for each token, rows of wpe (or of the sinusoidal table) for each position; no `embed.pos` for rotary models |
//! | `embed` | (T, C) | their sum, the input of block 0 |
//! | `block{l}.ln1`, `block{l}.ln2` | (T, C) | norm outputs: before attention and FFN (pre-norm), after them (post-norm) |
//! | `block{l}.head{h}.q` / `.k` / `.v` | (T, HS) | the head's queries, keys, values (Q and K after rotation, for rotary models) |
//! | `block{l}.head{h}.scores` | (T, T) | Q·Kᵀ/√HS for every pair, before the mask |
//! | `block{l}.head{h}.att` | (T, T) | softmax of the masked scores; 0 above the diagonal |
//! | `block{l}.head{h}.out` | (T, HS) | att·V |
//! | `block{l}.attn.concat` | (T, C) | all heads' outputs side by side |
//! | `block{l}.attn.proj` | (T, C) | after the output projection |
//! | `block{l}.res1` | (T, C) | residual stream plus attention (before ln1, for post-norm) |
//! | `block{l}.ffn.pre`, `block{l}.ffn.act` | (T, H), (T, H) | FFN hidden layer before and after its activation; SwiGLU's `ffn.pre` is (T, 2H), gate then up |
//! | `block{l}.ffn.out` | (T, C) | FFN output |
//! | `block{l}.residual` | (T, C) | the block's output (= ln2 for post-norm) |
//! | `lnf` | (T, C) | final norm |
//! | `logits`, `probs` | (T, V) | next-token scores and their softmax |
//! | `cls_probs` | (T, K) | the [CLS] classifier's class probabilities |
//!
//! An encoder-decoder's keys carry their stack: `encoder.tokens`, `encoder.block{l}.head{h}.att`,
//! `encoder.lne` (the memory), `decoder.block{l}.…`; its decoder blocks add cross-attention:
//! `lnx`, `cross.head{h}.*`, `cross.concat`, `cross.proj` and `resx` (the stream plus it).

use crate::arch::{Architecture, AttentionKind, Op, Stack, Sublayer};
use crate::config::{Ffn, NormPosition, Positions};
use crate::error::CoreError;
use serde::Serialize;

/// One of a head's traced values.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum HeadPart {
    Q,
    K,
    V,
    Scores,
    Att,
    Out,
}

const HEAD_PARTS: [(HeadPart, &str); 6] = [
    (HeadPart::Q, "q"),
    (HeadPart::K, "k"),
    (HeadPart::V, "v"),
    (HeadPart::Scores, "scores"),
    (HeadPart::Att, "att"),
    (HeadPart::Out, "out"),
];

/// One traced activation of a sublayer.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Part {
    /// The sublayer's norm output.
    Norm,
    Head(usize, HeadPart),
    /// Every head's output side by side.
    Concat,
    /// The FFN's hidden layer before and after its activation.
    Pre,
    Act,
    /// The op's output projection (`attn.proj`, `ffn.out`).
    Out,
    /// The stream plus the op's output (`res1`, `resx`).
    Sum,
    /// What the sublayer hands on, the block's output (`residual`).
    Output,
}

/// A traced value, checked against a model's description.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum TraceKey {
    /// Stack `s`'s input tokens.
    Tokens(usize),
    /// Stack `s`'s embedding rows, position rows and their sum.
    EmbedTok(usize),
    EmbedPos(usize),
    Embed(usize),
    Sub {
        stack: usize,
        sub: usize,
        part: Part,
    },
    /// Stack `s`'s final norm (`lnf`, or an encoder-decoder's memory `lne`).
    StackNorm(usize),
    Logits,
    Probs,
    /// The [CLS] classifier's class probabilities (T, K), for a model with classes.
    ClsProbs,
}

/// What a sublayer calls its traced activations, by the op it runs.
struct Names {
    norm: &'static str,
    /// Prefix of `{heads}{h}.{part}`, for attention.
    heads: &'static str,
    concat: &'static str,
    pre: &'static str,
    act: &'static str,
    out: &'static str,
    sum: &'static str,
    output: &'static str,
}

const NONE: &str = "";

fn names(sub: &Sublayer) -> Names {
    let attention = |norm, heads, concat, out, sum| Names { norm, heads, concat, pre: NONE, act: NONE, out, sum, output: NONE };
    match sub.op {
        Op::Attention(a) if a.kind == AttentionKind::Cross => attention("lnx", "cross.head", "cross.concat", "cross.proj", "resx"),
        Op::Attention(_) => attention("ln1", "head", "attn.concat", "attn.proj", "res1"),
        Op::FeedForward(_) => {
            Names { norm: "ln2", heads: NONE, concat: NONE, pre: "ffn.pre", act: "ffn.act", out: "ffn.out", sum: NONE, output: "residual" }
        }
    }
}

impl Names {
    /// The name of `part` after `block{l}.`, or None where this sublayer has no such value.
    fn of(&self, part: Part) -> Option<String> {
        let name = match part {
            Part::Norm => self.norm,
            Part::Head(h, p) if !self.heads.is_empty() => {
                let p = HEAD_PARTS.iter().find(|(hp, _)| *hp == p).expect("every head part is listed").1;
                return Some(format!("{}{h}.{p}", self.heads));
            }
            Part::Head(..) => NONE,
            Part::Concat => self.concat,
            Part::Pre => self.pre,
            Part::Act => self.act,
            Part::Out => self.out,
            Part::Sum => self.sum,
            Part::Output => self.output,
        };
        (!name.is_empty()).then(|| name.to_string())
    }

    /// The sublayer's parts in the order of the forward pass (heads: `nh` of them).
    fn parts(&self, nh: usize) -> Vec<Part> {
        let heads = (0..nh).flat_map(|h| HEAD_PARTS.map(|(p, _)| Part::Head(h, p)));
        let all = [Part::Norm].into_iter().chain(heads).chain([Part::Concat, Part::Pre, Part::Act, Part::Out, Part::Sum, Part::Output]);
        all.filter(|&p| self.of(p).is_some()).collect()
    }
}

/// The activation buffers of a forward pass that a traced value is read from (see
/// `model::SubActs` for their shapes).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Buf {
    Ln,
    Qkv,
    Scores,
    Att,
    Concat,
    Pre,
    Act,
    Out,
    Sum,
}

/// Which activation a traced value sits in.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Site {
    Embedded(usize),
    Sub(usize, usize, Buf),
    StackNorm(usize),
    Logits,
    Probs,
}

/// Where a traced value sits inside an activation of batch row 0: element (r, col) of the
/// (rows, cols) result is `act[base + r·row_stride + col_offset + col]`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Locator {
    pub site: Site,
    pub base: usize,
    pub rows: usize,
    pub row_stride: usize,
    pub col_offset: usize,
    pub cols: usize,
}

impl Locator {
    /// Copies the located (rows, cols) block out of `act` (the activation of batch row 0 on).
    pub fn extract(&self, act: &[f32]) -> Vec<f32> {
        let mut out = Vec::with_capacity(self.rows * self.cols);
        for r in 0..self.rows {
            let start = self.base + r * self.row_stride + self.col_offset;
            out.extend_from_slice(&act[start..start + self.cols]);
        }
        out
    }

    /// One past the last element read, relative to the activation's start.
    pub fn end(&self) -> usize {
        self.base + (self.rows - 1) * self.row_stride + self.col_offset + self.cols
    }
}

impl TraceKey {
    /// Parses a key such as `block1.head0.att`; stack, layer, head and part are checked against `arch`.
    pub fn parse(key: &str, arch: &Architecture) -> Result<TraceKey, CoreError> {
        let bad = |reason: &str| CoreError::TraceKey { key: key.to_string(), reason: reason.to_string() };
        let cfg = &arch.config;
        match key {
            "logits" => return Ok(TraceKey::Logits),
            "probs" => return Ok(TraceKey::Probs),
            "cls_probs" if cfg.n_classes > 0 => return Ok(TraceKey::ClsProbs),
            "cls_probs" => return Err(bad("only a model with a [CLS] classifier has class probabilities")),
            _ => {}
        }
        let named = arch.stacks.iter().position(|s| !s.name.is_empty() && key.starts_with(s.name));
        let s = match named {
            Some(s) => s,
            None if arch.stacks[0].name.is_empty() => 0,
            None => return Err(bad("an encoder-decoder's keys start with encoder. or decoder.")),
        };
        let stack = &arch.stacks[s];
        let rest = &key[stack.name.len()..];
        let simple = match rest {
            "tokens" => Some(TraceKey::Tokens(s)),
            "embed.tok" => Some(TraceKey::EmbedTok(s)),
            "embed.pos" if cfg.positions == Positions::Rotary => {
                return Err(bad("a rotary model adds no position vectors: positions turn the queries and keys inside attention"))
            }
            "embed.pos" => Some(TraceKey::EmbedPos(s)),
            "embed" => Some(TraceKey::Embed(s)),
            _ if rest == stack.norm_key => Some(TraceKey::StackNorm(s)),
            _ => None,
        };
        if let Some(k) = simple {
            return Ok(k);
        }
        let rest = rest
            .strip_prefix("block")
            .ok_or_else(|| bad(&format!("expected tokens, embed*, block{{l}}.*, {}, logits or probs", stack.norm_key)))?;
        let (layer, rest) = rest.split_once('.').ok_or_else(|| bad("expected block{l}.<name>"))?;
        let l: usize = layer.parse().map_err(|_| bad("layer is not a number"))?;
        if l >= cfg.n_layer {
            return Err(bad(&format!("layer {l} does not exist; the model has {} layers", cfg.n_layer)));
        }
        for (i, sub) in stack.sublayers.iter().enumerate().filter(|(_, sub)| sub.block == l) {
            let n = names(sub);
            let head = (!n.heads.is_empty()).then(|| rest.strip_prefix(n.heads)).flatten();
            let part = match head {
                Some(rest) => Some(parse_head(rest, cfg.n_head).map_err(|reason| bad(&reason))?),
                None => [Part::Norm, Part::Concat, Part::Pre, Part::Act, Part::Out, Part::Sum, Part::Output]
                    .into_iter()
                    .find(|&p| n.of(p).as_deref() == Some(rest)),
            };
            if let Some(part) = part {
                return Ok(TraceKey::Sub { stack: s, sub: i, part });
            }
        }
        Err(bad("unknown block entry"))
    }

    /// The canonical string form (the inverse of `parse`).
    pub fn name(&self, arch: &Architecture) -> String {
        let stack = |s: usize| arch.stacks[s].name;
        match *self {
            TraceKey::Tokens(s) => format!("{}tokens", stack(s)),
            TraceKey::EmbedTok(s) => format!("{}embed.tok", stack(s)),
            TraceKey::EmbedPos(s) => format!("{}embed.pos", stack(s)),
            TraceKey::Embed(s) => format!("{}embed", stack(s)),
            TraceKey::Sub { stack: s, sub, part } => {
                let sublayer = &arch.stacks[s].sublayers[sub];
                let name = names(sublayer).of(part).expect("parse and all_keys give only the parts a sublayer has");
                format!("{}block{}.{name}", stack(s), sublayer.block)
            }
            TraceKey::StackNorm(s) => format!("{}{}", stack(s), arch.stacks[s].norm_key),
            TraceKey::Logits => "logits".into(),
            TraceKey::Probs => "probs".into(),
            TraceKey::ClsProbs => "cls_probs".into(),
        }
    }

    /// Every key the model has, in the order of the forward pass.
    pub fn all(arch: &Architecture) -> Vec<TraceKey> {
        let mut keys = Vec::new();
        for (s, stack) in arch.stacks.iter().enumerate() {
            keys.extend([TraceKey::Tokens(s), TraceKey::EmbedTok(s)]);
            if arch.config.positions != Positions::Rotary {
                keys.push(TraceKey::EmbedPos(s));
            }
            keys.push(TraceKey::Embed(s));
            for (i, sub) in stack.sublayers.iter().enumerate() {
                keys.extend(names(sub).parts(arch.config.n_head).into_iter().map(|part| TraceKey::Sub { stack: s, sub: i, part }));
            }
            keys.push(TraceKey::StackNorm(s));
        }
        keys.extend([TraceKey::Logits, TraceKey::Probs]);
        keys.extend((arch.config.n_classes > 0).then_some(TraceKey::ClsProbs));
        keys
    }

    /// The keys of block `l` of stack `s` whose activation has a gradient of its own, in the
    /// order of the forward pass (the output projections are left out: their gradient is the
    /// sum's).
    pub fn block_keys(arch: &Architecture, s: usize, l: usize) -> Vec<TraceKey> {
        let stack: &Stack = &arch.stacks[s];
        let subs = stack.sublayers.iter().enumerate().filter(|(_, sub)| sub.block == l);
        let parts = subs.flat_map(|(i, sub)| names(sub).parts(arch.config.n_head).into_iter().map(move |p| (i, p)));
        parts.filter(|(_, p)| *p != Part::Out).map(|(sub, part)| TraceKey::Sub { stack: s, sub, part }).collect()
    }

    /// Shape and axis names of the traced tensor for a sequence of `t` tokens.
    pub fn shape(&self, arch: &Architecture, t: usize) -> (Vec<usize>, Vec<&'static str>) {
        let cfg = &arch.config;
        let (c, hs, v, f, fc) = (cfg.n_embd, cfg.head_size(), cfg.vocab_size, cfg.ffn_width(), cfg.fc_width());
        let swiglu = cfg.ffn == Ffn::SwiGlu;
        match self {
            TraceKey::Tokens(_) => (vec![t], vec!["T"]),
            TraceKey::Sub { part: Part::Head(_, HeadPart::Scores | HeadPart::Att), .. } => (vec![t, t], vec!["T (query)", "T (key)"]),
            TraceKey::Sub { part: Part::Head(..), .. } => (vec![t, hs], vec!["T", "HS"]),
            TraceKey::Sub { part: Part::Pre, .. } if swiglu => (vec![t, fc], vec!["T", "2H (gate, up)"]),
            TraceKey::Sub { part: Part::Act, .. } if swiglu => (vec![t, f], vec!["T", "H"]),
            TraceKey::Sub { part: Part::Pre | Part::Act, .. } => (vec![t, f], vec!["T", "4C"]),
            TraceKey::Logits | TraceKey::Probs => (vec![t, v], vec!["T", "V"]),
            TraceKey::ClsProbs => (vec![t, cfg.n_classes], vec!["T", "K"]),
            _ => (vec![t, c], vec!["T", "C"]),
        }
    }

    /// Where the value lives among the activations of a forward pass over (1, t) tokens;
    /// `None` for keys read from the inputs or parameters instead (tokens, embed.tok,
    /// embed.pos, cls_probs).
    pub fn locate(&self, arch: &Architecture, t: usize) -> Option<Locator> {
        let cfg = &arch.config;
        let (c, hs, v) = (cfg.n_embd, cfg.head_size(), cfg.vocab_size);
        let whole = |site, width| Locator { site, base: 0, rows: t, row_stride: width, col_offset: 0, cols: width };
        let (s, i, part) = match *self {
            TraceKey::Tokens(_) | TraceKey::EmbedTok(_) | TraceKey::EmbedPos(_) | TraceKey::ClsProbs => return None,
            TraceKey::Embed(s) => return Some(whole(Site::Embedded(s), c)),
            TraceKey::StackNorm(s) => return Some(whole(Site::StackNorm(s), c)),
            TraceKey::Logits => return Some(whole(Site::Logits, v)),
            TraceKey::Probs => return Some(whole(Site::Probs, v)),
            TraceKey::Sub { stack, sub, part } => (stack, sub, part),
        };
        let sub = &arch.stacks[s].sublayers[i];
        let at = |buf| Site::Sub(s, i, buf);
        Some(match (part, sub.op) {
            (Part::Head(h, p @ (HeadPart::Q | HeadPart::K | HeadPart::V)), Op::Attention(a)) => {
                // Q of head h, then K and V of the key/value head it reads
                let kv = h / (a.n_head / a.n_kv_head);
                let col = match p {
                    HeadPart::Q => h,
                    HeadPart::K => a.n_head + kv,
                    _ => a.n_head + a.n_kv_head + kv,
                } * hs;
                Locator { site: at(Buf::Qkv), base: 0, rows: t, row_stride: a.qkv_width(), col_offset: col, cols: hs }
            }
            (Part::Head(h, p @ (HeadPart::Scores | HeadPart::Att)), _) => {
                let buf = if p == HeadPart::Scores { Buf::Scores } else { Buf::Att };
                Locator { site: at(buf), base: h * t * t, rows: t, row_stride: t, col_offset: 0, cols: t }
            }
            (Part::Head(h, _), _) => Locator { site: at(Buf::Concat), base: 0, rows: t, row_stride: c, col_offset: h * hs, cols: hs },
            (Part::Norm, _) => whole(at(Buf::Ln), c),
            (Part::Concat, _) => whole(at(Buf::Concat), c),
            (Part::Pre, Op::FeedForward(f)) => whole(at(Buf::Pre), f.fc.out),
            (Part::Act, Op::FeedForward(f)) => whole(at(Buf::Act), f.width),
            (Part::Out, _) => whole(at(Buf::Out), c),
            (Part::Sum, _) => whole(at(Buf::Sum), c),
            (Part::Output, _) => match cfg.norm_position {
                NormPosition::Pre => whole(at(Buf::Sum), c),
                NormPosition::Post => whole(at(Buf::Ln), c),
            },
            (Part::Pre | Part::Act, Op::Attention(_)) => unreachable!("parse gives FFN parts to FFN sublayers only"),
        })
    }

    /// True when the forward pass must keep the (T, T) attention matrices for this key.
    pub fn needs_attention_weights(&self) -> bool {
        matches!(self, TraceKey::Sub { part: Part::Head(_, HeadPart::Scores | HeadPart::Att), .. })
    }
}

/// `{heads}{h}.{part}` after the prefix: the head and its part, or why not.
fn parse_head(rest: &str, n_head: usize) -> Result<Part, String> {
    let (head, part) = rest.split_once('.').ok_or("expected head{h}.<q|k|v|scores|att|out>")?;
    let h: usize = head.parse().map_err(|_| "head is not a number")?;
    if h >= n_head {
        return Err(format!("head {h} does not exist; each layer has {n_head} heads"));
    }
    let part = HEAD_PARTS.iter().find(|(_, name)| *name == part).ok_or("a head has q, k, v, scores, att and out")?.0;
    Ok(Part::Head(h, part))
}

/// The keys a caller wants from a forward pass, parsed and checked.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct TraceRequest {
    names: Vec<String>,
}

impl TraceRequest {
    pub fn none() -> Self {
        Self::default()
    }

    /// Keys are checked against a model by [`TraceRequest::resolve`].
    pub fn keys<S: AsRef<str>>(keys: &[S]) -> Result<Self, CoreError> {
        Ok(TraceRequest { names: keys.iter().map(|k| k.as_ref().to_string()).collect() })
    }

    /// Parses every key against `arch`, dropping duplicates, keeping the caller's order.
    pub fn resolve(&self, arch: &Architecture) -> Result<Vec<TraceKey>, CoreError> {
        let mut out: Vec<TraceKey> = Vec::with_capacity(self.names.len());
        for name in &self.names {
            let key = TraceKey::parse(name, arch)?;
            if !out.contains(&key) {
                out.push(key);
            }
        }
        Ok(out)
    }
}

/// One traced tensor: its key, shape, axis names and row-major data.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct TraceTensor {
    pub key: String,
    pub shape: Vec<usize>,
    pub axes: Vec<&'static str>,
    pub data: Vec<f32>,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::{Family, ModelConfig};

    #[test]
    fn keys_round_trip_and_reject_out_of_range() {
        let cfg = ModelConfig { vocab_size: 10, block_size: 8, n_layer: 2, n_head: 3, n_embd: 6, ..ModelConfig::default() };
        let arch = Architecture::new(&cfg);
        for k in ["tokens", "embed.pos", "block1.head2.scores", "block0.ffn.act", "block1.residual", "probs"] {
            assert_eq!(TraceKey::parse(k, &arch).unwrap().name(&arch), k);
        }
        assert!(TraceKey::parse("block2.ln1", &arch).unwrap_err().to_string().contains("2 layers"));
        assert!(TraceKey::parse("block0.head3.q", &arch).unwrap_err().to_string().contains("3 heads"));
        assert!(TraceKey::parse("block0.head0.x", &arch).is_err());
        assert!(TraceKey::parse("blockx.ln1", &arch).is_err());
        assert!(TraceKey::parse("block0.cross.head0.att", &arch).is_err(), "a decoder has no cross-attention");
    }

    #[test]
    fn every_key_of_every_family_parses_back_to_itself() {
        let base = ModelConfig { vocab_size: 10, block_size: 8, n_layer: 2, n_head: 2, n_embd: 6, ..ModelConfig::default() };
        for family in [Family::Decoder, Family::Encoder, Family::EncoderDecoder] {
            let arch = Architecture::new(&ModelConfig { family, ..base });
            let keys = TraceKey::all(&arch);
            for key in &keys {
                assert_eq!(TraceKey::parse(&key.name(&arch), &arch).unwrap(), *key, "{}", key.name(&arch));
            }
            let names: Vec<String> = keys.iter().map(|k| k.name(&arch)).collect();
            let per_stack = 4 + 2 * (2 * 6 + 4) + 2 * 5 + 1; // tokens, embed.*; per block: ln1, heads, concat, proj, res1; ffn; lnf
            match family {
                Family::EncoderDecoder => {
                    // the decoder's blocks add cross-attention: lnx, heads, concat, proj, resx
                    assert_eq!(keys.len(), 2 * per_stack + 2 * (2 * 6 + 4) + 2, "{names:?}");
                    for k in
                        ["encoder.block1.head1.att", "encoder.lne", "decoder.block0.cross.head1.att", "decoder.block1.resx", "decoder.lnf"]
                    {
                        assert!(names.iter().any(|n| n == k), "{k} in {names:?}");
                    }
                    assert!(TraceKey::parse("block0.ln1", &arch).unwrap_err().to_string().contains("encoder. or decoder."));
                }
                _ => assert_eq!(keys.len(), per_stack + 2, "{names:?}"),
            }
        }
    }
}
