//! The activations a forward pass over (B, T) tokens keeps for the backward pass and the
//! trace: per stack its embedding, each sublayer's buffers and its final norm; then the head's.
//! The buffers are `Vec<f32>` on the CPU; `playground-gpu` keeps the same ones as GPU tensors.

use crate::arch::{Architecture, Op};
use crate::trace::{Buf, Site};

/// One sublayer's activations, named as its trace keys name them; the buffers its op does
/// not use are empty.
#[derive(Clone, Debug)]
pub struct SubActs<B = Vec<f32>> {
    pub ln: B,      // (B, T, C) norm(x) (pre-norm), or norm(sum), the output (post-norm)
    pub ln_mean: B, // (B, T)
    pub ln_rstd: B, // (B, T)
    pub q: B,       // (B, T, C) cross-attention's queries
    pub kv: B,      // (B, T, 2·KVC) cross-attention's keys and values, of the memory
    pub qkv: B,     // (B, T, C + 2·KVC) what attention reads: Q, K, V side by side
    pub lse: B,     // (B, NH, T)
    pub scores: B,  // (B, NH, T, T) Q·Kᵀ/√HS
    pub att: B,     // (B, NH, T, T) softmax of the seen scores: query rows, key columns
    pub concat: B,  // (B, T, C) every head's output side by side
    pub pre: B,     // (B, T, H) or (B, T, 2H) for SwiGLU: the FFN before its activation
    pub act: B,     // (B, T, H) after it
    pub out: B,     // (B, T, C) the op's output projection
    pub sum: B,     // (B, T, C) x + out
}

impl<B> SubActs<B> {
    /// The buffers of a sublayer running `op` over (B, T), made by `alloc` (see `Activations::with`).
    fn with(arch: &Architecture, op: &Op, b: usize, t: usize, weights: bool, alloc: &mut dyn FnMut(&'static str, usize) -> B) -> Self {
        let (bt, c, nh) = (b * t, arch.config.n_embd, arch.config.n_head);
        let (a, f) = match op {
            Op::Attention(a) => (Some(a), None),
            Op::FeedForward(f) => (None, Some(f)),
        };
        let cross = a.and_then(|a| a.kv);
        let weights = if weights && a.is_some() { b * nh * t * t } else { 0 };
        SubActs {
            ln: alloc("ln", bt * c),
            ln_mean: alloc("ln mean", bt),
            ln_rstd: alloc("ln rstd", bt),
            q: alloc("q", cross.map_or(0, |_| bt * c)),
            kv: alloc("kv", cross.map_or(0, |kv| bt * kv.out)),
            qkv: alloc("qkv", a.map_or(0, |a| bt * a.qkv_width())),
            lse: alloc("lse", a.map_or(0, |_| b * nh * t)),
            scores: alloc("scores", weights),
            att: alloc("att", weights),
            concat: alloc("concat", a.map_or(0, |_| bt * c)),
            pre: alloc("ffn pre", f.map_or(0, |f| bt * f.fc.out)),
            act: alloc("ffn act", f.map_or(0, |f| bt * f.width)),
            out: alloc("out", bt * c),
            sum: alloc("sum", bt * c),
        }
    }

    /// What the sublayer hands on: the sum (pre-norm) or its norm (post-norm).
    pub fn output(&self, post: bool) -> &B {
        if post {
            &self.ln
        } else {
            &self.sum
        }
    }

    pub fn get(&self, buf: Buf) -> &B {
        match buf {
            Buf::Ln => &self.ln,
            Buf::Qkv => &self.qkv,
            Buf::Scores => &self.scores,
            Buf::Att => &self.att,
            Buf::Concat => &self.concat,
            Buf::Pre => &self.pre,
            Buf::Act => &self.act,
            Buf::Out => &self.out,
            Buf::Sum => &self.sum,
        }
    }
}

/// One stack's activations.
#[derive(Clone, Debug)]
pub struct StackActs<B = Vec<f32>> {
    pub embedded: B, // (B, T, C) token embeddings plus positions
    pub subs: Vec<SubActs<B>>,
    pub norm: B,      // (B, T, C) the final norm: lnf, or an encoder-decoder's memory
    pub norm_mean: B, // (B, T)
    pub norm_rstd: B, // (B, T)
}

/// The [CLS] classifier's activations.
#[derive(Clone, Debug)]
pub struct ClassifierActs<B = Vec<f32>> {
    pub logits: B, // (B, T, K)
    pub probs: B,  // (B, T, K)
}

/// Everything a forward pass over (B, T) tokens keeps.
#[derive(Clone, Debug)]
pub struct Activations<B = Vec<f32>> {
    pub b: usize,
    pub t: usize,
    pub stacks: Vec<StackActs<B>>,
    pub logits: B, // (B, T, V)
    pub probs: B,  // (B, T, V)
    pub losses: B, // (B, T)
    pub cls: Option<ClassifierActs<B>>,
}

impl Activations {
    /// Zeroed buffers for (B, T) on the CPU.
    pub fn new(arch: &Architecture, b: usize, t: usize) -> Self {
        Self::with(arch, b, t, true, &mut |_, n| vec![0.0f32; n])
    }
}

impl<B> Activations<B> {
    /// Buffers for (B, T), each made by `alloc(label, length)`; attention's (B, NH, T, T)
    /// scores and weights only when `weights` (the GPU allocates them when a trace asks).
    pub fn with(arch: &Architecture, b: usize, t: usize, weights: bool, alloc: &mut dyn FnMut(&'static str, usize) -> B) -> Self {
        let (bt, c, v) = (b * t, arch.config.n_embd, arch.config.vocab_size);
        let stacks = arch
            .stacks
            .iter()
            .map(|s| StackActs {
                embedded: alloc("embedded", bt * c),
                subs: s.sublayers.iter().map(|sl| SubActs::with(arch, &sl.op, b, t, weights, alloc)).collect(),
                norm: alloc("norm", bt * c),
                norm_mean: alloc("norm mean", bt),
                norm_rstd: alloc("norm rstd", bt),
            })
            .collect();
        let cls =
            arch.head.classifier.map(|k| ClassifierActs { logits: alloc("cls logits", bt * k.out), probs: alloc("cls probs", bt * k.out) });
        Activations { b, t, stacks, logits: alloc("logits", bt * v), probs: alloc("probs", bt * v), losses: alloc("losses", bt), cls }
    }

    /// The activation a trace locator points into.
    pub fn get(&self, site: Site) -> &B {
        match site {
            Site::Embedded(s) => &self.stacks[s].embedded,
            Site::Sub(s, i, buf) => self.stacks[s].subs[i].get(buf),
            Site::StackNorm(s) => &self.stacks[s].norm,
            Site::Logits => &self.logits,
            Site::Probs => &self.probs,
        }
    }

    /// Cross-attention weights (B, NH, T, T) of decoder block `layer`: target rows, source columns.
    pub fn cross_att(&self, arch: &Architecture, layer: usize) -> &B {
        self.attention_weights(arch, arch.stacks.len() - 1, layer, true)
    }

    /// Self-attention weights (B, NH, T, T) of block `layer` of stack `stack`: query rows, key columns.
    pub fn self_att(&self, arch: &Architecture, stack: usize, layer: usize) -> &B {
        self.attention_weights(arch, stack, layer, false)
    }

    fn attention_weights(&self, arch: &Architecture, s: usize, layer: usize, cross: bool) -> &B {
        let is = |sub: &crate::arch::Sublayer| sub.block == layer && sub.attention().is_some_and(|a| a.kv.is_some() == cross);
        let found = arch.stacks[s].sublayers.iter().position(is);
        &self.stacks[s].subs[found.expect("the block has that attention")].att
    }
}
