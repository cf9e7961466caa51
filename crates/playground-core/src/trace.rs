//! Named intermediates of a forward pass ("trace"), by stable string keys, each with its
//! shape and axis names. The page asks for keys; only those are read back.
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

use crate::config::{Ffn, ModelConfig, NormPosition, Positions};
use crate::error::CoreError;
use serde::Serialize;

/// The activation tensors a forward pass keeps (llm.c's names). Per layer unless noted.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Act {
    Encoded,   // (B, T, C), once
    Ln1,       // (B, T, C)
    Qkv,       // (B, T, 3C)
    Atty,      // (B, T, C)
    Preatt,    // (B, NH, T, T)
    Att,       // (B, NH, T, T)
    AttProj,   // (B, T, C)
    Residual2, // (B, T, C)
    Ln2,       // (B, T, C)
    Fch,       // (B, T, 4C)
    FchGelu,   // (B, T, 4C)
    FcProj,    // (B, T, C)
    Residual3, // (B, T, C)
    Lnf,       // (B, T, C), once
    Logits,    // (B, T, V), once
    Probs,     // (B, T, V), once
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum QkvPart {
    Q = 0,
    K = 1,
    V = 2,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum TraceKey {
    Tokens,
    EmbedTok,
    EmbedPos,
    Embed,
    Ln1(usize),
    Head(usize, usize, HeadPart),
    AttnConcat(usize),
    AttnProj(usize),
    Res1(usize),
    Ln2(usize),
    FfnPre(usize),
    FfnAct(usize),
    FfnOut(usize),
    Residual(usize),
    Lnf,
    Logits,
    Probs,
    /// The [CLS] classifier's class probabilities (T, K), for a model with classes.
    ClsProbs,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum HeadPart {
    Qkv(QkvPart),
    Scores,
    Att,
    Out,
}

/// Where a traced value sits inside an activation of batch row 0: element (r, col) of the
/// (rows, cols) result is `act[base + r·row_stride + col_offset + col]`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Locator {
    pub act: Act,
    pub layer: usize,
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
    /// Parses a key such as `block1.head0.att`; layer and head are checked against `cfg`.
    pub fn parse(key: &str, cfg: &ModelConfig) -> Result<TraceKey, CoreError> {
        let bad = |reason: &str| CoreError::TraceKey { key: key.to_string(), reason: reason.to_string() };
        let simple = match key {
            "tokens" => Some(TraceKey::Tokens),
            "embed.tok" => Some(TraceKey::EmbedTok),
            "embed.pos" => Some(TraceKey::EmbedPos),
            "embed" => Some(TraceKey::Embed),
            "lnf" => Some(TraceKey::Lnf),
            "logits" => Some(TraceKey::Logits),
            "probs" => Some(TraceKey::Probs),
            "cls_probs" if cfg.n_classes > 0 => Some(TraceKey::ClsProbs),
            "cls_probs" => return Err(bad("only a model with a [CLS] classifier has class probabilities")),
            _ => None,
        };
        if simple == Some(TraceKey::EmbedPos) && cfg.positions == Positions::Rotary {
            return Err(bad("a rotary model adds no position vectors: positions turn the queries and keys inside attention"));
        }
        if let Some(k) = simple {
            return Ok(k);
        }
        let rest = key.strip_prefix("block").ok_or_else(|| bad("expected tokens, embed*, block{l}.*, lnf, logits or probs"))?;
        let (layer, rest) = rest.split_once('.').ok_or_else(|| bad("expected block{l}.<name>"))?;
        let l: usize = layer.parse().map_err(|_| bad("layer is not a number"))?;
        if l >= cfg.n_layer {
            return Err(bad(&format!("layer {l} does not exist; the model has {} layers", cfg.n_layer)));
        }
        let per_layer = match rest {
            "ln1" => Some(TraceKey::Ln1(l)),
            "attn.concat" => Some(TraceKey::AttnConcat(l)),
            "attn.proj" => Some(TraceKey::AttnProj(l)),
            "res1" => Some(TraceKey::Res1(l)),
            "ln2" => Some(TraceKey::Ln2(l)),
            "ffn.pre" => Some(TraceKey::FfnPre(l)),
            "ffn.act" => Some(TraceKey::FfnAct(l)),
            "ffn.out" => Some(TraceKey::FfnOut(l)),
            "residual" => Some(TraceKey::Residual(l)),
            _ => None,
        };
        if let Some(k) = per_layer {
            return Ok(k);
        }
        let rest = rest.strip_prefix("head").ok_or_else(|| bad("unknown block entry"))?;
        let (head, part) = rest.split_once('.').ok_or_else(|| bad("expected head{h}.<q|k|v|scores|att|out>"))?;
        let h: usize = head.parse().map_err(|_| bad("head is not a number"))?;
        if h >= cfg.n_head {
            return Err(bad(&format!("head {h} does not exist; each layer has {} heads", cfg.n_head)));
        }
        let part = match part {
            "q" => HeadPart::Qkv(QkvPart::Q),
            "k" => HeadPart::Qkv(QkvPart::K),
            "v" => HeadPart::Qkv(QkvPart::V),
            "scores" => HeadPart::Scores,
            "att" => HeadPart::Att,
            "out" => HeadPart::Out,
            _ => return Err(bad("a head has q, k, v, scores, att and out")),
        };
        Ok(TraceKey::Head(l, h, part))
    }

    /// The canonical string form (the inverse of `parse`).
    pub fn name(&self) -> String {
        match *self {
            TraceKey::Tokens => "tokens".into(),
            TraceKey::EmbedTok => "embed.tok".into(),
            TraceKey::EmbedPos => "embed.pos".into(),
            TraceKey::Embed => "embed".into(),
            TraceKey::Ln1(l) => format!("block{l}.ln1"),
            TraceKey::Head(l, h, part) => {
                let p = match part {
                    HeadPart::Qkv(QkvPart::Q) => "q",
                    HeadPart::Qkv(QkvPart::K) => "k",
                    HeadPart::Qkv(QkvPart::V) => "v",
                    HeadPart::Scores => "scores",
                    HeadPart::Att => "att",
                    HeadPart::Out => "out",
                };
                format!("block{l}.head{h}.{p}")
            }
            TraceKey::AttnConcat(l) => format!("block{l}.attn.concat"),
            TraceKey::AttnProj(l) => format!("block{l}.attn.proj"),
            TraceKey::Res1(l) => format!("block{l}.res1"),
            TraceKey::Ln2(l) => format!("block{l}.ln2"),
            TraceKey::FfnPre(l) => format!("block{l}.ffn.pre"),
            TraceKey::FfnAct(l) => format!("block{l}.ffn.act"),
            TraceKey::FfnOut(l) => format!("block{l}.ffn.out"),
            TraceKey::Residual(l) => format!("block{l}.residual"),
            TraceKey::Lnf => "lnf".into(),
            TraceKey::Logits => "logits".into(),
            TraceKey::Probs => "probs".into(),
            TraceKey::ClsProbs => "cls_probs".into(),
        }
    }

    /// Shape and axis names of the traced tensor for a sequence of `t` tokens.
    pub fn shape(&self, cfg: &ModelConfig, t: usize) -> (Vec<usize>, Vec<&'static str>) {
        let (c, hs, v, f, fc) = (cfg.n_embd, cfg.head_size(), cfg.vocab_size, cfg.ffn_width(), cfg.fc_width());
        let swiglu = cfg.ffn == Ffn::SwiGlu;
        match self {
            TraceKey::Tokens => (vec![t], vec!["T"]),
            TraceKey::Head(_, _, HeadPart::Scores | HeadPart::Att) => (vec![t, t], vec!["T (query)", "T (key)"]),
            TraceKey::Head(_, _, _) => (vec![t, hs], vec!["T", "HS"]),
            TraceKey::FfnPre(_) if swiglu => (vec![t, fc], vec!["T", "2H (gate, up)"]),
            TraceKey::FfnAct(_) if swiglu => (vec![t, f], vec!["T", "H"]),
            TraceKey::FfnPre(_) | TraceKey::FfnAct(_) => (vec![t, f], vec!["T", "4C"]),
            TraceKey::Logits | TraceKey::Probs => (vec![t, v], vec!["T", "V"]),
            TraceKey::ClsProbs => (vec![t, cfg.n_classes], vec!["T", "K"]),
            _ => (vec![t, c], vec!["T", "C"]),
        }
    }

    /// Where the value lives among the activations of a forward pass over (1, t) tokens;
    /// `None` for keys read from the inputs or parameters instead (tokens, embed.tok, embed.pos).
    pub fn locate(&self, cfg: &ModelConfig, t: usize) -> Option<Locator> {
        let (c, hs, v, f, fc) = (cfg.n_embd, cfg.head_size(), cfg.vocab_size, cfg.ffn_width(), cfg.fc_width());
        let whole = |act, layer, width| Locator { act, layer, base: 0, rows: t, row_stride: width, col_offset: 0, cols: width };
        Some(match *self {
            TraceKey::Tokens | TraceKey::EmbedTok | TraceKey::EmbedPos | TraceKey::ClsProbs => return None,
            TraceKey::Embed => whole(Act::Encoded, 0, c),
            TraceKey::Ln1(l) => whole(Act::Ln1, l, c),
            TraceKey::Head(l, h, HeadPart::Qkv(part)) => {
                Locator { act: Act::Qkv, layer: l, base: 0, rows: t, row_stride: 3 * c, col_offset: part as usize * c + h * hs, cols: hs }
            }
            TraceKey::Head(l, h, part @ (HeadPart::Scores | HeadPart::Att)) => Locator {
                act: if part == HeadPart::Scores { Act::Preatt } else { Act::Att },
                layer: l,
                base: h * t * t,
                rows: t,
                row_stride: t,
                col_offset: 0,
                cols: t,
            },
            TraceKey::Head(l, h, HeadPart::Out) => {
                Locator { act: Act::Atty, layer: l, base: 0, rows: t, row_stride: c, col_offset: h * hs, cols: hs }
            }
            TraceKey::AttnConcat(l) => whole(Act::Atty, l, c),
            TraceKey::AttnProj(l) => whole(Act::AttProj, l, c),
            TraceKey::Res1(l) => whole(Act::Residual2, l, c),
            TraceKey::Ln2(l) => whole(Act::Ln2, l, c),
            TraceKey::FfnPre(l) => whole(Act::Fch, l, fc),
            TraceKey::FfnAct(l) => whole(Act::FchGelu, l, f),
            TraceKey::FfnOut(l) => whole(Act::FcProj, l, c),
            TraceKey::Residual(l) => match cfg.norm_position {
                NormPosition::Pre => whole(Act::Residual3, l, c),
                NormPosition::Post => whole(Act::Ln2, l, c),
            },
            TraceKey::Lnf => whole(Act::Lnf, 0, c),
            TraceKey::Logits => whole(Act::Logits, 0, v),
            TraceKey::Probs => whole(Act::Probs, 0, v),
        })
    }

    /// True when the forward pass must keep the (T, T) attention matrices for this key.
    pub fn needs_attention_weights(&self) -> bool {
        matches!(self, TraceKey::Head(_, _, HeadPart::Scores | HeadPart::Att))
    }
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

    /// Keys are checked for syntax here and for layer/head ranges by [`TraceRequest::resolve`].
    pub fn keys<S: AsRef<str>>(keys: &[S]) -> Result<Self, CoreError> {
        Ok(TraceRequest { names: keys.iter().map(|k| k.as_ref().to_string()).collect() })
    }

    /// Parses every key against `cfg`, dropping duplicates, keeping the caller's order.
    pub fn resolve(&self, cfg: &ModelConfig) -> Result<Vec<TraceKey>, CoreError> {
        let mut out: Vec<TraceKey> = Vec::with_capacity(self.names.len());
        for name in &self.names {
            let key = TraceKey::parse(name, cfg)?;
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

    #[test]
    fn keys_round_trip_and_reject_out_of_range() {
        let cfg = ModelConfig { vocab_size: 10, block_size: 8, n_layer: 2, n_head: 3, n_embd: 6, ..ModelConfig::default() };
        for k in ["tokens", "embed.pos", "block1.head2.scores", "block0.ffn.act", "block1.residual", "probs"] {
            assert_eq!(TraceKey::parse(k, &cfg).unwrap().name(), k);
        }
        assert!(TraceKey::parse("block2.ln1", &cfg).unwrap_err().to_string().contains("2 layers"));
        assert!(TraceKey::parse("block0.head3.q", &cfg).unwrap_err().to_string().contains("3 heads"));
        assert!(TraceKey::parse("block0.head0.x", &cfg).is_err());
        assert!(TraceKey::parse("blockx.ln1", &cfg).is_err());
    }
}
