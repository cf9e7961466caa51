//! Where each parameter lives in the one flat `f32` buffer, under nanoGPT's `state_dict`
//! names, so a checkpoint maps one-to-one onto PyTorch.
//!
//! Layout: every matrix (weight decay applies, as nanoGPT decays tensors with dim ≥ 2: the
//! embeddings, every Linear weight, an untied lm_head) comes first, then every vector (norm
//! weights, biases), so AdamW sees two contiguous ranges.
//! Each tensor starts at a multiple of [`ALIGN`] floats, the 256-byte offset alignment that
//! WebGPU requires of storage-buffer bindings; the GPU binds each tensor as a slice of one
//! buffer. Padding stays zero and receives zero gradients.

use crate::arch::Architecture;
use crate::config::ModelConfig;

/// Tensor offsets are multiples of this many floats (256 bytes).
pub const ALIGN: usize = 64;

/// A contiguous run of floats inside a flat buffer.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Span {
    pub offset: usize,
    pub len: usize,
}

impl Span {
    pub fn of<'a>(&self, buf: &'a [f32]) -> &'a [f32] {
        &buf[self.offset..self.offset + self.len]
    }
    pub fn of_mut<'a>(&self, buf: &'a mut [f32]) -> &'a mut [f32] {
        &mut buf[self.offset..self.offset + self.len]
    }
    pub fn end(&self) -> usize {
        self.offset + self.len
    }
}

/// One named parameter tensor.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ParamTensor {
    /// nanoGPT `state_dict` key, e.g. `transformer.h.0.attn.c_attn.weight`.
    pub name: String,
    /// PyTorch shape; Linear weights are (out, in), as `nn.Linear` stores them.
    pub shape: Vec<usize>,
    pub span: Span,
    /// AdamW weight decay applies (matrices and embeddings).
    pub decay: bool,
}

impl ParamTensor {
    pub fn numel(&self) -> usize {
        self.shape.iter().product()
    }
}

/// Every parameter of a model: names, shapes and offsets. Which tensors exist follows the
/// architecture: `transformer.wpe.weight` only for learned positions (sinusoidal tables and
/// rotary angles are computed, not trained), norm biases only for LayerNorm, and
/// `lm_head.weight` only for an untied head. The description (`arch`) lays it out and holds
/// each op's spans.
#[derive(Clone, Debug)]
pub struct ParamLayout {
    tensors: Vec<ParamTensor>, // in nanoGPT state_dict order
    pub wte: Span,             // (V, C), also the output head when tied
    pub wpe: Option<Span>,     // (maxT, C), learned positions only
    pub lm_head: Option<Span>, // (V, C), untied head only
    decay_end: usize,
    padded_len: usize,
}

impl ParamLayout {
    /// The layout of `cfg`'s parameters, as its description lays them out.
    pub fn new(cfg: &ModelConfig) -> Self {
        Architecture::new(cfg).layout
    }

    /// The layout of `tensors` (in `state_dict` order): matrices in [0, decay_end), vectors
    /// after, `padded_len` floats in all.
    pub(crate) fn from_tensors(tensors: Vec<ParamTensor>, decay_end: usize, padded_len: usize) -> Self {
        let find = |name: &str| tensors.iter().find(|t| t.name == name).map(|t| t.span);
        ParamLayout {
            wte: find("transformer.wte.weight").expect("every model has a token embedding"),
            wpe: find("transformer.wpe.weight"),
            lm_head: find("lm_head.weight"),
            decay_end,
            padded_len,
            tensors,
        }
    }

    /// The output head's weight (V, C): `lm_head.weight` when untied, else the token embedding.
    pub fn head(&self) -> Span {
        self.lm_head.unwrap_or(self.wte)
    }

    /// All tensors in nanoGPT `state_dict` order.
    pub fn tensors(&self) -> &[ParamTensor] {
        &self.tensors
    }

    /// Length of the flat buffer, padding included.
    pub fn padded_len(&self) -> usize {
        self.padded_len
    }

    /// The range AdamW decays (all matrices), then the range it does not (all vectors).
    pub fn decay_span(&self) -> Span {
        Span { offset: 0, len: self.decay_end }
    }
    pub fn no_decay_span(&self) -> Span {
        Span { offset: self.decay_end, len: self.padded_len - self.decay_end }
    }

    pub fn find(&self, name: &str) -> Option<&ParamTensor> {
        self.tensors.iter().find(|t| t.name == name)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spans_are_aligned_disjoint_and_grouped() {
        let cfg = ModelConfig { vocab_size: 11, block_size: 7, n_layer: 2, n_head: 3, n_embd: 9, ..ModelConfig::default() };
        let layout = ParamLayout::new(&cfg);
        let mut spans: Vec<Span> = layout.tensors().iter().map(|t| t.span).collect();
        spans.sort_by_key(|s| s.offset);
        for w in spans.windows(2) {
            assert!(w[0].end() <= w[1].offset, "{:?} overlaps {:?}", w[0], w[1]);
        }
        for t in layout.tensors() {
            assert_eq!(t.span.offset % ALIGN, 0, "{}", t.name);
            assert_eq!(t.decay, t.span.offset < layout.decay_span().end(), "{}", t.name);
        }
        assert_eq!(layout.tensors().len(), 2 + 12 * 2 + 2);
        assert_eq!(layout.head(), layout.wte);
    }

    #[test]
    fn variants_have_their_own_tensors() {
        use crate::config::{Ffn, Norm, Positions};
        let base = ModelConfig { vocab_size: 11, block_size: 7, n_layer: 2, n_head: 2, n_embd: 12, ..ModelConfig::default() };
        let cfg = ModelConfig { norm: Norm::RmsNorm, positions: Positions::Rotary, ffn: Ffn::SwiGlu, tie_head: false, ..base };
        let layout = ParamLayout::new(&cfg);
        let names: Vec<&str> = layout.tensors().iter().map(|t| t.name.as_str()).collect();
        assert!(!names.iter().any(|n| n.ends_with(".bias") && n.contains("ln_")), "RMSNorm has no bias: {names:?}");
        assert!(layout.wpe.is_none() && layout.find("transformer.wpe.weight").is_none());
        let head = layout.find("lm_head.weight").unwrap();
        assert!(head.decay && head.shape == vec![11, 12]);
        assert_eq!(layout.head(), head.span);
        // SwiGLU: H = 8·12/3 = 32; c_fc holds gate and up
        assert_eq!(layout.find("transformer.h.0.mlp.c_fc.weight").unwrap().shape, vec![64, 12]);
        assert_eq!(layout.find("transformer.h.0.mlp.c_proj.weight").unwrap().shape, vec![12, 32]);
        let total: usize = layout.tensors().iter().map(|t| t.numel()).sum();
        assert_eq!(total, cfg.param_count());
        let sin = ParamLayout::new(&ModelConfig { positions: Positions::Sinusoidal, ..base });
        assert!(sin.wpe.is_none());
    }
}
