//! The activations a forward pass over (B, T) tokens keeps for the backward pass and the
//! trace: per stack its embedding, each sublayer's buffers and its final norm; then the head's.

use crate::arch::{Architecture, Op};
use crate::trace::{Buf, Site};

/// One sublayer's activations, named as its trace keys name them; the buffers its op does
/// not use are empty.
#[derive(Clone, Debug)]
pub struct SubActs {
    pub ln: Vec<f32>,      // (B, T, C) norm(x) (pre-norm), or norm(sum), the output (post-norm)
    pub ln_mean: Vec<f32>, // (B, T)
    pub ln_rstd: Vec<f32>, // (B, T)
    pub q: Vec<f32>,       // (B, T, C) cross-attention's queries
    pub kv: Vec<f32>,      // (B, T, 2·KVC) cross-attention's keys and values, of the memory
    pub qkv: Vec<f32>,     // (B, T, C + 2·KVC) what attention reads: Q, K, V side by side
    pub lse: Vec<f32>,     // (B, NH, T)
    pub scores: Vec<f32>,  // (B, NH, T, T) Q·Kᵀ/√HS
    pub att: Vec<f32>,     // (B, NH, T, T) softmax of the seen scores: query rows, key columns
    pub concat: Vec<f32>,  // (B, T, C) every head's output side by side
    pub pre: Vec<f32>,     // (B, T, H) or (B, T, 2H) for SwiGLU: the FFN before its activation
    pub act: Vec<f32>,     // (B, T, H) after it
    pub out: Vec<f32>,     // (B, T, C) the op's output projection
    pub sum: Vec<f32>,     // (B, T, C) x + out
}

impl SubActs {
    /// What the sublayer hands on: the sum (pre-norm) or its norm (post-norm).
    pub fn output(&self, post: bool) -> &[f32] {
        if post {
            &self.ln
        } else {
            &self.sum
        }
    }

    pub fn get(&self, buf: Buf) -> &[f32] {
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
pub struct StackActs {
    pub embedded: Vec<f32>, // (B, T, C) token embeddings plus positions
    pub subs: Vec<SubActs>,
    pub norm: Vec<f32>,      // (B, T, C) the final norm: lnf, or an encoder-decoder's memory
    pub norm_mean: Vec<f32>, // (B, T)
    pub norm_rstd: Vec<f32>, // (B, T)
}

/// The [CLS] classifier's activations.
#[derive(Clone, Debug)]
pub struct ClassifierActs {
    pub logits: Vec<f32>, // (B, T, K)
    pub probs: Vec<f32>,  // (B, T, K)
}

/// Everything a forward pass over (B, T) tokens keeps.
#[derive(Clone, Debug)]
pub struct Activations {
    pub b: usize,
    pub t: usize,
    pub stacks: Vec<StackActs>,
    pub logits: Vec<f32>, // (B, T, V)
    pub probs: Vec<f32>,  // (B, T, V)
    pub losses: Vec<f32>, // (B, T)
    pub cls: Option<ClassifierActs>,
}

impl Activations {
    pub fn new(arch: &Architecture, b: usize, t: usize) -> Self {
        let cfg = &arch.config;
        let (bt, c, nh, v) = (b * t, cfg.n_embd, cfg.n_head, cfg.vocab_size);
        let z = |n: usize| vec![0.0f32; n];
        let sub = |op: &Op| {
            let (a, f) = match op {
                Op::Attention(a) => (Some(a), None),
                Op::FeedForward(f) => (None, Some(f)),
            };
            let cross = a.and_then(|a| a.kv);
            let when = |on: bool, n: usize| if on { z(n) } else { Vec::new() };
            SubActs {
                ln: z(bt * c),
                ln_mean: z(bt),
                ln_rstd: z(bt),
                q: when(cross.is_some(), bt * c),
                kv: cross.map_or(Vec::new(), |kv| z(bt * kv.out)),
                qkv: a.map_or(Vec::new(), |a| z(bt * a.qkv_width())),
                lse: when(a.is_some(), b * nh * t),
                scores: when(a.is_some(), b * nh * t * t),
                att: when(a.is_some(), b * nh * t * t),
                concat: when(a.is_some(), bt * c),
                pre: f.map_or(Vec::new(), |f| z(bt * f.fc.out)),
                act: f.map_or(Vec::new(), |f| z(bt * f.width)),
                out: z(bt * c),
                sum: z(bt * c),
            }
        };
        let stacks = arch
            .stacks
            .iter()
            .map(|s| StackActs {
                embedded: z(bt * c),
                subs: s.sublayers.iter().map(|sl| sub(&sl.op)).collect(),
                norm: z(bt * c),
                norm_mean: z(bt),
                norm_rstd: z(bt),
            })
            .collect();
        let cls = arch.head.classifier.map(|k| ClassifierActs { logits: z(bt * k.out), probs: z(bt * k.out) });
        Activations { b, t, stacks, logits: z(bt * v), probs: z(bt * v), losses: z(bt), cls }
    }

    /// The activation a trace locator points into.
    pub fn get(&self, site: Site) -> &[f32] {
        match site {
            Site::Embedded(s) => &self.stacks[s].embedded,
            Site::Sub(s, i, buf) => self.stacks[s].subs[i].get(buf),
            Site::StackNorm(s) => &self.stacks[s].norm,
            Site::Logits => &self.logits,
            Site::Probs => &self.probs,
        }
    }

    /// Cross-attention weights (B, NH, T, T) of decoder block `layer`: target rows, source columns.
    pub fn cross_att(&self, arch: &Architecture, layer: usize) -> &[f32] {
        self.attention_weights(arch, arch.stacks.len() - 1, layer, true)
    }

    /// Self-attention weights (B, NH, T, T) of block `layer` of stack `stack`: query rows, key columns.
    pub fn self_att(&self, arch: &Architecture, stack: usize, layer: usize) -> &[f32] {
        self.attention_weights(arch, stack, layer, false)
    }

    fn attention_weights(&self, arch: &Architecture, s: usize, layer: usize, cross: bool) -> &[f32] {
        let found =
            arch.stacks[s].sublayers.iter().position(|sub| sub.block == layer && sub.attention().is_some_and(|a| a.kv.is_some() == cross));
        &self.stacks[s].subs[found.expect("the block has that attention")].att
    }
}
