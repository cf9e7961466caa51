//! Logit lens: what each layer would predict if the model stopped there. The residual stream
//! after block l goes through the final LayerNorm and the (tied) output head, as the last
//! block's output does:
//!
//! ```text
//! lens_l = softmax(lnf(residual_l) · wteᵀ)        (T, C) → (T, V), for l = 0..L
//! ```
//!
//! The row of the last block equals the model's own `probs`.

use crate::arch::Architecture;
use crate::arch_ops::norm_forward;
use crate::config::ModelConfig;
use crate::error::CoreError;
use crate::model::{CpuOps, Fast};
use crate::params::Span;
use crate::sample::rank_descending;
use serde::Serialize;

/// One guess: a token id and its probability.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct Guess {
    pub id: u32,
    pub prob: f32,
}

/// The top `k` guesses for every layer and position: `top[l][t]`, most probable first.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct LogitLens {
    pub top: Vec<Vec<Vec<Guess>>>, // (L, T, k)
}

/// The parameters the lens reads, in the order [`logit_lens`] takes them: the final norm's
/// weight, the head's weight (wte where tied), and the norm's bias where it has one.
pub fn lens_spans(cfg: &ModelConfig) -> Vec<Span> {
    let arch = Architecture::new(cfg);
    let (lnf, head) = (&arch.stacks[arch.stacks.len() - 1].norm, &arch.head.lm);
    [Some(lnf.weight), Some(head.weight), lnf.bias].into_iter().flatten().collect()
}

/// The lens of `residuals` (one (T, C) stream per block, in order) with the model's final
/// norm and head: the tensors [`lens_spans`] names, alone (a GPU engine reads back just these
/// rather than every weight). The fast engine's ops: the head is (V, C) for every block. Ties
/// keep the lower id first.
pub fn logit_lens(
    cfg: &ModelConfig,
    tensors: &[&[f32]],     // lens_spans(cfg) order: norm weight (C), head (V, C), norm bias? (C)
    residuals: &[Vec<f32>], // L × (T, C)
    t: usize,
    k: usize,
) -> Result<LogitLens, CoreError> {
    let (c, v) = (cfg.n_embd, cfg.vocab_size);
    let arch = Architecture::new(cfg);
    let lnf = &arch.stacks[arch.stacks.len() - 1].norm;
    let expected: Vec<usize> = lens_spans(cfg).iter().map(|s| s.len).collect();
    let got: Vec<usize> = tensors.iter().map(|x| x.len()).collect();
    if got != expected {
        return Err(CoreError::Shape { op: "logit_lens tensors", expected, got });
    }
    if let Some(bad) = residuals.iter().find(|r| r.len() != t * c) {
        return Err(CoreError::Shape { op: "logit_lens residual", expected: vec![t, c], got: vec![bad.len()] });
    }
    let (norm_weight, head, norm_bias) = (tensors[0], tensors[1], tensors.get(2).copied());
    let k = k.clamp(1, v);
    let (mut ln, mut mean, mut rstd) = (vec![0.0; t * c], vec![0.0; t], vec![0.0; t]);
    let (mut logits, mut probs) = (vec![0.0; t * v], vec![0.0; t * v]);
    let ops = &Fast;
    let top = residuals
        .iter()
        .map(|res| {
            norm_forward(ops, lnf.kind, &mut ln, &mut mean, &mut rstd, res, norm_weight, norm_bias, t, c, cfg.norm_eps);
            ops.matmul_forward(&mut logits, &ln, head, None, t, c, v);
            ops.softmax_forward(&mut probs, &logits, t, v);
            probs.chunks(v).map(|row| top_k(row, k)).collect()
        })
        .collect();
    Ok(LogitLens { top })
}

/// The `k` largest entries of `row`, largest first, lower id first among equals.
pub fn top_k(row: &[f32], k: usize) -> Vec<Guess> {
    rank_descending(row).into_iter().take(k).map(|i| Guess { id: i as u32, prob: row[i] }).collect()
}
