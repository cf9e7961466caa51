//! Softmax and cross-entropy over the vocabulary, as `cpu::softmax_xent`: rows split over
//! threads; the forward takes each row's max, exponentials and sum once, for both the
//! probabilities and the loss (the reference passes over the row again for the loss).

use super::par::prelude::*;
use super::{math, par};
use crate::cpu::IGNORE;

/// p = softmax(x) of one row; returns log Σ e^x (the row's log-sum-exp).
fn softmax_row(p: &mut [f32], x: &[f32]) -> f32 {
    let maxv = math::max(x);
    for (p, &xi) in p.iter_mut().zip(x) {
        *p = math::exp(xi - maxv);
    }
    let sum = math::sum(p, |p| p);
    let inv = 1.0 / sum;
    p.iter_mut().for_each(|p| *p *= inv);
    maxv + sum.ln()
}

pub fn softmax_forward(
    probs: &mut [f32], // (rows, V)
    logits: &[f32],    // (rows, V)
    rows: usize,
    v: usize,
) {
    let per = par::rows_per_task(rows, v);
    probs[..rows * v].par_chunks_mut(per * v).zip(logits[..rows * v].par_chunks(per * v)).for_each(|(p, x)| {
        for (p, x) in p.chunks_exact_mut(v).zip(x.chunks_exact(v)) {
            softmax_row(p, x);
        }
    });
}

pub fn softmax_xent_forward(
    probs: &mut [f32],  // (rows, V)
    losses: &mut [f32], // (rows)
    logits: &[f32],     // (rows, V)
    targets: &[u32],    // (rows)
    rows: usize,
    v: usize,
) {
    let per = par::rows_per_task(rows, v);
    probs[..rows * v]
        .par_chunks_mut(per * v)
        .zip(losses[..rows].par_chunks_mut(per))
        .zip(logits[..rows * v].par_chunks(per * v))
        .zip(targets[..rows].par_chunks(per))
        .for_each(|(((p, l), x), tg)| {
            for (((p, l), x), &tg) in p.chunks_exact_mut(v).zip(l).zip(x.chunks_exact(v)).zip(tg) {
                let lse = softmax_row(p, x);
                *l = if tg == IGNORE { 0.0 } else { lse - x[tg as usize] };
            }
        });
}

/// dlogits = (probs − onehot(target))·dlosses, and 0 in the rows whose target is IGNORE (stored).
pub fn softmax_xent_backward(
    dlogits: &mut [f32], // (rows, V)
    dlosses: &[f32],     // (rows)
    probs: &[f32],       // (rows, V)
    targets: &[u32],     // (rows)
    rows: usize,
    v: usize,
) {
    let per = par::rows_per_task(rows, v);
    dlogits[..rows * v].par_chunks_mut(per * v).enumerate().for_each(|(task, dl)| {
        for (i, dl) in dl.chunks_exact_mut(v).enumerate() {
            let r = task * per + i;
            if targets[r] == IGNORE {
                dl.fill(0.0);
                continue;
            }
            let d = dlosses[r];
            for (g, &p) in dl.iter_mut().zip(&probs[r * v..(r + 1) * v]) {
                *g = p * d;
            }
            dl[targets[r] as usize] -= d;
        }
    });
}
