//! AdamW, as `cpu::adamw_update` (the same arithmetic in the same order), over chunks of the
//! parameters split across threads.

use super::par;
use super::par::prelude::*;
use crate::cpu::AdamWParams;

/// A non-finite `grad_scale` refuses the step: params, m and v stay as they were.
pub fn adamw_update(
    params: &mut [f32], // (N)
    m: &mut [f32],      // (N)
    v: &mut [f32],      // (N)
    grads: &[f32],      // (N)
    grad_scale: f32,
    hp: &AdamWParams,
    n: usize,
) {
    if !grad_scale.is_finite() {
        return;
    }
    let (bc1, bc2) = hp.bias_corrections();
    let chunk = par::rows_per_task(n, 8);
    params[..n]
        .par_chunks_mut(chunk)
        .zip(m[..n].par_chunks_mut(chunk))
        .zip(v[..n].par_chunks_mut(chunk))
        .zip(grads[..n].par_chunks(chunk))
        .for_each(|(((p, m), v), g)| {
            for (((p, m), v), &g) in p.iter_mut().zip(m).zip(v).zip(g) {
                let g = g * grad_scale;
                *m = hp.beta1 * *m + (1.0 - hp.beta1) * g;
                *v = hp.beta2 * *v + (1.0 - hp.beta2) * g * g;
                let (mhat, vhat) = (*m / bc1, *v / bc2);
                *p -= hp.lr * (mhat / (vhat.sqrt() + hp.eps) + hp.weight_decay * *p);
            }
        });
}
