//! The GPU buffers of a forward pass: one per activation of `playground_core::model::Activations`,
//! sized for (max_batch, block_size); a smaller run uses a packed (B, T) prefix of each.

use crate::context::GpuContext;
use crate::tensor::GpuTensor;
use playground_core::arch::{Architecture, Op};
use playground_core::trace::{Buf, Site};

/// One sublayer's buffers (see `playground_core::model::SubActs`); those its op does not use
/// hold one element.
pub(crate) struct SubBufs {
    pub(crate) ln: GpuTensor,     // (B, T, C)
    pub(crate) mean: GpuTensor,   // (B, T)
    pub(crate) rstd: GpuTensor,   // (B, T)
    pub(crate) q: GpuTensor,      // (B, T, C) cross-attention's queries
    pub(crate) kv: GpuTensor,     // (B, T, 2·KVC) cross-attention's keys and values
    pub(crate) qkv: GpuTensor,    // (B, T, C + 2·KVC)
    pub(crate) lse: GpuTensor,    // (B, NH, T)
    pub(crate) concat: GpuTensor, // (B, T, C)
    pub(crate) pre: GpuTensor,    // (B, T, H or 2H)
    pub(crate) act: GpuTensor,    // (B, T, H)
    pub(crate) out: GpuTensor,    // (B, T, C)
    pub(crate) sum: GpuTensor,    // (B, T, C)
    /// (scores, att), (NH, T, T) each for B = 1: allocated on the first trace that asks.
    pub(crate) weights: Option<(GpuTensor, GpuTensor)>,
}

impl SubBufs {
    /// What the sublayer hands on: the sum (pre-norm) or its norm (post-norm).
    pub(crate) fn output(&self, post: bool) -> &GpuTensor {
        if post {
            &self.ln
        } else {
            &self.sum
        }
    }
}

/// One stack's buffers.
pub(crate) struct StackBufs {
    pub(crate) embedded: GpuTensor, // (B, T, C)
    pub(crate) subs: Vec<SubBufs>,
    pub(crate) norm: [GpuTensor; 3], // (B, T, C) out, (B, T) mean, (B, T) rstd
}

pub(crate) struct GpuActs {
    pub(crate) stacks: Vec<StackBufs>,
    pub(crate) logits: GpuTensor, // (B, T, V)
    pub(crate) probs: GpuTensor,  // (B, T, V)
    pub(crate) losses: GpuTensor, // (B, T)
    /// The [CLS] classifier's logits and probabilities, (B, T, K) each.
    pub(crate) cls: Option<[GpuTensor; 2]>,
}

impl GpuActs {
    pub(crate) fn new(gpu: &GpuContext, arch: &Architecture, b: usize) -> Self {
        let cfg = &arch.config;
        let (t, c, nh, v) = (cfg.block_size, cfg.n_embd, cfg.n_head, cfg.vocab_size);
        let bt = b * t;
        let z = |label: &str, n: usize| GpuTensor::zeros(gpu, label, n);
        let sub = |op: &Op| {
            let (a, f) = match op {
                Op::Attention(a) => (Some(a), None),
                Op::FeedForward(f) => (None, Some(f)),
            };
            let cross = a.and_then(|a| a.kv);
            SubBufs {
                ln: z("ln", bt * c),
                mean: z("ln mean", bt),
                rstd: z("ln rstd", bt),
                q: z("q", cross.map_or(0, |_| bt * c)),
                kv: z("kv", cross.map_or(0, |kv| bt * kv.out)),
                qkv: z("qkv", a.map_or(0, |a| bt * a.qkv_width())),
                lse: z("lse", a.map_or(0, |_| b * nh * t)),
                concat: z("concat", a.map_or(0, |_| bt * c)),
                pre: z("ffn pre", f.map_or(0, |f| bt * f.fc.out)),
                act: z("ffn act", f.map_or(0, |f| bt * f.width)),
                out: z("out", bt * c),
                sum: z("sum", bt * c),
                weights: None,
            }
        };
        let stacks = arch
            .stacks
            .iter()
            .map(|s| StackBufs {
                embedded: z("embedded", bt * c),
                subs: s.sublayers.iter().map(|sl| sub(&sl.op)).collect(),
                norm: [z("norm", bt * c), z("norm mean", bt), z("norm rstd", bt)],
            })
            .collect();
        let cls = arch.head.classifier.map(|k| [z("cls logits", bt * k.out), z("cls probs", bt * k.out)]);
        GpuActs { stacks, logits: z("logits", bt * v), probs: z("probs", bt * v), losses: z("losses", bt), cls }
    }

    /// Allocates the (T, T) scores and weights of every attention sublayer, for one row.
    pub(crate) fn allocate_weights(&mut self, gpu: &GpuContext, arch: &Architecture) {
        let (nh, t) = (arch.config.n_head, arch.config.block_size);
        for (stack, bufs) in arch.stacks.iter().zip(&mut self.stacks) {
            for (_, b) in stack.sublayers.iter().zip(&mut bufs.subs).filter(|(sub, _)| sub.attention().is_some()) {
                b.weights = Some((GpuTensor::zeros(gpu, "scores", nh * t * t), GpuTensor::zeros(gpu, "att", nh * t * t)));
            }
        }
    }

    /// The buffer a trace locator points into.
    pub(crate) fn get(&self, site: Site) -> &GpuTensor {
        let weights =
            |s: usize, i: usize| self.stacks[s].subs[i].weights.as_ref().expect("trace weights allocated before a plan keeps them");
        match site {
            Site::Embedded(s) => &self.stacks[s].embedded,
            Site::Sub(s, i, buf) => {
                let a = &self.stacks[s].subs[i];
                match buf {
                    Buf::Ln => &a.ln,
                    Buf::Qkv => &a.qkv,
                    Buf::Scores => &weights(s, i).0,
                    Buf::Att => &weights(s, i).1,
                    Buf::Concat => &a.concat,
                    Buf::Pre => &a.pre,
                    Buf::Act => &a.act,
                    Buf::Out => &a.out,
                    Buf::Sum => &a.sum,
                }
            }
            Site::StackNorm(s) => &self.stacks[s].norm[0],
            Site::Logits => &self.logits,
            Site::Probs => &self.probs,
        }
    }
}
