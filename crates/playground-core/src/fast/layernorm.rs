//! LayerNorm over C, as `cpu::layernorm`: rows split over threads; the backward's weight and
//! bias gradients are summed per task, then the tasks' sums in task order.

use super::par::prelude::*;
use super::{math, par};

#[allow(clippy::too_many_arguments)]
pub fn layernorm_forward(
    out: &mut [f32],  // (rows, C)
    mean: &mut [f32], // (rows)
    rstd: &mut [f32], // (rows)
    inp: &[f32],      // (rows, C)
    weight: &[f32],   // (C)
    bias: &[f32],     // (C)
    rows: usize,
    c: usize,
    eps: f32, // ModelConfig::norm_eps
) {
    let per = par::rows_per_task(rows, c);
    out[..rows * c]
        .par_chunks_mut(per * c)
        .zip(mean[..rows].par_chunks_mut(per))
        .zip(rstd[..rows].par_chunks_mut(per))
        .zip(inp[..rows * c].par_chunks(per * c))
        .for_each(|(((out, mean), rstd), inp)| {
            for (((o, x), m), s) in out.chunks_exact_mut(c).zip(inp.chunks_exact(c)).zip(mean.iter_mut()).zip(rstd.iter_mut()) {
                let mu = math::sum(x, |xi| xi) / c as f32;
                let var = math::sum(x, |xi| (xi - mu) * (xi - mu)) / c as f32;
                let r = 1.0 / (var + eps).sqrt();
                for (((o, &xi), &w), &b) in o.iter_mut().zip(x).zip(&weight[..c]).zip(&bias[..c]) {
                    *o = r * (xi - mu) * w + b;
                }
                (*m, *s) = (mu, r);
            }
        });
}

#[allow(clippy::too_many_arguments)]
pub fn layernorm_backward(
    dinp: &mut [f32],    // (rows, C)
    dweight: &mut [f32], // (C)
    dbias: &mut [f32],   // (C)
    dout: &[f32],        // (rows, C)
    inp: &[f32],         // (rows, C)
    weight: &[f32],      // (C)
    mean: &[f32],        // (rows)
    rstd: &[f32],        // (rows)
    rows: usize,
    c: usize,
) {
    let per = par::rows_per_task(rows, c);
    // each task: its rows of dinp, and its share of dweight (first C) and dbias (last C)
    let partials: Vec<Vec<f32>> = dinp[..rows * c]
        .par_chunks_mut(per * c)
        .enumerate()
        .map(|(task, dinp)| {
            let r0 = task * per;
            let mut dwb = vec![0.0; 2 * c];
            let (dw, db) = dwb.split_at_mut(c);
            for (i, di) in dinp.chunks_exact_mut(c).enumerate() {
                let r = r0 + i;
                let (x, dy, m, s) = (&inp[r * c..(r + 1) * c], &dout[r * c..(r + 1) * c], mean[r], rstd[r]);
                // two reductions over the row: mean of dnorm = weight·dy and of dnorm·norm
                let w = &weight[..c];
                let dnorm_mean = math::sum2(w, dy, |w, d| w * d) / c as f32;
                let dnorm_norm_mean = math::sum3(w, dy, x, |w, d, xi| w * d * (xi - m) * s) / c as f32;
                for (j, di) in di.iter_mut().enumerate() {
                    let norm = (x[j] - m) * s;
                    db[j] += dy[j];
                    dw[j] += norm * dy[j];
                    *di += (weight[j] * dy[j] - dnorm_mean - norm * dnorm_norm_mean) * s;
                }
            }
            dwb
        })
        .collect();
    for p in &partials {
        dweight[..c].iter_mut().zip(&p[..c]).for_each(|(d, &g)| *d += g);
        dbias[..c].iter_mut().zip(&p[c..]).for_each(|(d, &g)| *d += g);
    }
}
