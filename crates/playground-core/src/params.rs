//! Where each parameter lives in the one flat `f32` buffer, under nanoGPT's `state_dict`
//! names, so a checkpoint maps one-to-one onto PyTorch.
//!
//! Layout: every matrix (weight decay applies, as nanoGPT decays tensors with dim ≥ 2) comes
//! first, then every vector (LayerNorm weights, biases), so AdamW sees two contiguous ranges.
//! Each tensor starts at a multiple of [`ALIGN`] floats, the 256-byte offset alignment that
//! WebGPU requires of storage-buffer bindings; the GPU binds each tensor as a slice of one
//! buffer. Padding stays zero and receives zero gradients.

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

/// The parameters of one transformer block (llm.c's names).
#[derive(Clone, Copy, Debug)]
pub struct BlockParams {
    pub ln1w: Span,     // (C)
    pub ln1b: Span,     // (C)
    pub qkvw: Span,     // (3C, C)
    pub qkvb: Span,     // (3C)
    pub attprojw: Span, // (C, C)
    pub attprojb: Span, // (C)
    pub ln2w: Span,     // (C)
    pub ln2b: Span,     // (C)
    pub fcw: Span,      // (4C, C)
    pub fcb: Span,      // (4C)
    pub fcprojw: Span,  // (C, 4C)
    pub fcprojb: Span,  // (C)
}

/// Every parameter of a model: names, shapes and offsets.
#[derive(Clone, Debug)]
pub struct ParamLayout {
    tensors: Vec<ParamTensor>, // in nanoGPT state_dict order
    pub wte: Span,             // (V, C), also the output head (tied)
    pub wpe: Span,             // (maxT, C)
    pub blocks: Vec<BlockParams>,
    pub lnfw: Span, // (C)
    pub lnfb: Span, // (C)
    /// The encoder's [CLS] classifier (BERT's `classifier`), when n_classes > 0.
    pub clsw: Option<Span>, // (K, C)
    pub clsb: Option<Span>, // (K)
    decay_end: usize,
    padded_len: usize,
}

fn align(n: usize) -> usize {
    n.div_ceil(ALIGN) * ALIGN
}

impl ParamLayout {
    pub fn new(cfg: &ModelConfig) -> Self {
        let (v, t, c) = (cfg.vocab_size, cfg.block_size, cfg.n_embd);
        let f = cfg.ffn_width();
        // Two cursors: matrices are placed first, vectors after all matrices.
        let mut matrix_len = 0;
        let mut shapes: Vec<(String, Vec<usize>)> = Vec::new();
        shapes.push(("transformer.wte.weight".into(), vec![v, c]));
        shapes.push(("transformer.wpe.weight".into(), vec![t, c]));
        for l in 0..cfg.n_layer {
            let p = format!("transformer.h.{l}.");
            shapes.push((p.clone() + "ln_1.weight", vec![c]));
            shapes.push((p.clone() + "ln_1.bias", vec![c]));
            shapes.push((p.clone() + "attn.c_attn.weight", vec![3 * c, c]));
            shapes.push((p.clone() + "attn.c_attn.bias", vec![3 * c]));
            shapes.push((p.clone() + "attn.c_proj.weight", vec![c, c]));
            shapes.push((p.clone() + "attn.c_proj.bias", vec![c]));
            shapes.push((p.clone() + "ln_2.weight", vec![c]));
            shapes.push((p.clone() + "ln_2.bias", vec![c]));
            shapes.push((p.clone() + "mlp.c_fc.weight", vec![f, c]));
            shapes.push((p.clone() + "mlp.c_fc.bias", vec![f]));
            shapes.push((p.clone() + "mlp.c_proj.weight", vec![c, f]));
            shapes.push((p + "mlp.c_proj.bias", vec![c]));
        }
        shapes.push(("transformer.ln_f.weight".into(), vec![c]));
        shapes.push(("transformer.ln_f.bias".into(), vec![c]));
        let lnf = shapes.len() - 2;
        if cfg.n_classes > 0 {
            shapes.push(("classifier.weight".into(), vec![cfg.n_classes, c]));
            shapes.push(("classifier.bias".into(), vec![cfg.n_classes]));
        }

        for (_, shape) in shapes.iter().filter(|(_, s)| s.len() >= 2) {
            matrix_len += align(shape.iter().product());
        }
        let (mut next_matrix, mut next_vector) = (0, matrix_len);
        let tensors: Vec<ParamTensor> = shapes
            .into_iter()
            .map(|(name, shape)| {
                let len: usize = shape.iter().product();
                let decay = shape.len() >= 2;
                let cursor = if decay { &mut next_matrix } else { &mut next_vector };
                let span = Span { offset: *cursor, len };
                *cursor += align(len);
                ParamTensor { name, shape, span, decay }
            })
            .collect();

        let span = |i: usize| tensors[i].span;
        let blocks = (0..cfg.n_layer)
            .map(|l| {
                let i = 2 + 12 * l;
                BlockParams {
                    ln1w: span(i),
                    ln1b: span(i + 1),
                    qkvw: span(i + 2),
                    qkvb: span(i + 3),
                    attprojw: span(i + 4),
                    attprojb: span(i + 5),
                    ln2w: span(i + 6),
                    ln2b: span(i + 7),
                    fcw: span(i + 8),
                    fcb: span(i + 9),
                    fcprojw: span(i + 10),
                    fcprojb: span(i + 11),
                }
            })
            .collect();
        let classifier = cfg.n_classes > 0;
        ParamLayout {
            wte: span(0),
            wpe: span(1),
            blocks,
            lnfw: span(lnf),
            lnfb: span(lnf + 1),
            clsw: classifier.then(|| span(lnf + 2)),
            clsb: classifier.then(|| span(lnf + 3)),
            decay_end: matrix_len,
            padded_len: next_vector,
            tensors,
        }
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
        assert_eq!(layout.blocks[1].fcprojw, layout.find("transformer.h.1.mlp.c_proj.weight").unwrap().span);
    }
}
