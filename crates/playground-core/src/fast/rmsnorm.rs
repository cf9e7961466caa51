//! RMSNorm over C, as `cpu::rmsnorm`: rows split over threads; the backward's weight gradient
//! is summed per task, then the tasks' sums in task order.

use super::par::prelude::*;
use super::{math, par};

pub fn rmsnorm_forward(
    out: &mut [f32],  // (rows, C)
    rstd: &mut [f32], // (rows)
    inp: &[f32],      // (rows, C)
    weight: &[f32],   // (C)
    rows: usize,
    c: usize,
    eps: f32, // ModelConfig::norm_eps
) {
    let per = par::rows_per_task(rows, c);
    out[..rows * c].par_chunks_mut(per * c).zip(rstd[..rows].par_chunks_mut(per)).zip(inp[..rows * c].par_chunks(per * c)).for_each(
        |((out, rstd), inp)| {
            for ((o, x), s) in out.chunks_exact_mut(c).zip(inp.chunks_exact(c)).zip(rstd.iter_mut()) {
                let ms = math::sum(x, |xi| xi * xi) / c as f32;
                *s = 1.0 / (ms + eps).sqrt();
                for ((o, &xi), &w) in o.iter_mut().zip(x).zip(&weight[..c]) {
                    *o = xi * *s * w;
                }
            }
        },
    );
}

#[allow(clippy::too_many_arguments)]
pub fn rmsnorm_backward(
    dinp: &mut [f32],    // (rows, C)
    dweight: &mut [f32], // (C)
    dout: &[f32],        // (rows, C)
    inp: &[f32],         // (rows, C)
    weight: &[f32],      // (C)
    rstd: &[f32],        // (rows)
    rows: usize,
    c: usize,
) {
    let per = par::rows_per_task(rows, c);
    let partials: Vec<Vec<f32>> = dinp[..rows * c]
        .par_chunks_mut(per * c)
        .enumerate()
        .map(|(task, dinp)| {
            let r0 = task * per;
            let mut dw = vec![0.0; c];
            for (i, di) in dinp.chunks_exact_mut(c).enumerate() {
                let r = r0 + i;
                let (x, dy, s) = (&inp[r * c..(r + 1) * c], &dout[r * c..(r + 1) * c], rstd[r]);
                let dnorm_norm_mean = math::sum3(&weight[..c], dy, x, |w, d, xi| w * d * xi * s) / c as f32;
                for (j, di) in di.iter_mut().enumerate() {
                    let norm = x[j] * s;
                    dw[j] += norm * dy[j];
                    *di += (weight[j] * dy[j] - norm * dnorm_norm_mean) * s;
                }
            }
            dw
        })
        .collect();
    for p in &partials {
        dweight[..c].iter_mut().zip(p).for_each(|(d, &g)| *d += g);
    }
}
