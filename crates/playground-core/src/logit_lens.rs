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
use crate::model::{CpuOps, Reference};
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

/// The lens of `residuals` (one (T, C) stream per block, in order) with the model's final
/// norm and head from `params`. Ties keep the lower id first.
pub fn logit_lens(
    cfg: &ModelConfig,
    params: &[f32],         // ParamLayout::padded_len()
    residuals: &[Vec<f32>], // L × (T, C)
    t: usize,
    k: usize,
) -> Result<LogitLens, CoreError> {
    let (c, v) = (cfg.n_embd, cfg.vocab_size);
    let arch = Architecture::new(cfg);
    if params.len() != arch.layout.padded_len() {
        return Err(CoreError::Shape { op: "logit_lens params", expected: vec![arch.layout.padded_len()], got: vec![params.len()] });
    }
    if let Some(bad) = residuals.iter().find(|r| r.len() != t * c) {
        return Err(CoreError::Shape { op: "logit_lens residual", expected: vec![t, c], got: vec![bad.len()] });
    }
    let k = k.clamp(1, v);
    let (mut ln, mut mean, mut rstd) = (vec![0.0; t * c], vec![0.0; t], vec![0.0; t]);
    let (mut logits, mut probs) = (vec![0.0; t * v], vec![0.0; t * v]);
    let top = residuals
        .iter()
        .map(|res| {
            let (lnf, head) = (&arch.stacks[arch.stacks.len() - 1].norm, &arch.head.lm);
            let ops = &Reference;
            norm_forward(
                ops,
                lnf.kind,
                &mut ln,
                &mut mean,
                &mut rstd,
                res,
                lnf.weight.of(params),
                lnf.bias.map(|b| b.of(params)),
                t,
                c,
                cfg.norm_eps,
            );
            ops.matmul_forward(&mut logits, &ln, head.weight.of(params), None, t, c, v);
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
