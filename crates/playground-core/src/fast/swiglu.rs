//! SwiGLU's gate, as `cpu::swiglu`: out (rows, H) = SiLU(g) ⊙ u, with g and u the two halves
//! of each row of inp (rows, 2H); rows split over threads, σ from `math`.

use super::par::prelude::*;
use super::{math, par};

pub fn swiglu_forward(
    out: &mut [f32], // (rows, H)
    inp: &[f32],     // (rows, 2H)
    rows: usize,
    h: usize,
) {
    let per = par::rows_per_task(rows, h);
    out[..rows * h].par_chunks_mut(per * h).zip(inp[..rows * 2 * h].par_chunks(per * 2 * h)).for_each(|(out, inp)| {
        for (o, x) in out.chunks_exact_mut(h).zip(inp.chunks_exact(2 * h)) {
            let (g, u) = x.split_at(h);
            for ((o, &g), &u) in o.iter_mut().zip(g).zip(u) {
                *o = g * math::sigmoid(g) * u;
            }
        }
    });
}

/// forward was: out = g·σ(g)·u;  so du = dout·g·σ(g),  dg = dout·u·σ(g)·(1 + g·(1 − σ(g))), stored
pub fn swiglu_backward(
    dinp: &mut [f32], // (rows, 2H)
    inp: &[f32],      // (rows, 2H)
    dout: &[f32],     // (rows, H)
    rows: usize,
    h: usize,
) {
    let per = par::rows_per_task(rows, h);
    dinp[..rows * 2 * h]
        .par_chunks_mut(per * 2 * h)
        .zip(inp[..rows * 2 * h].par_chunks(per * 2 * h))
        .zip(dout[..rows * h].par_chunks(per * h))
        .for_each(|((dinp, inp), dout)| {
            for ((dx, x), d) in dinp.chunks_exact_mut(2 * h).zip(inp.chunks_exact(2 * h)).zip(dout.chunks_exact(h)) {
                let (dg, du) = dx.split_at_mut(h);
                let (g, u) = x.split_at(h);
                for i in 0..h {
                    let s = math::sigmoid(g[i]);
                    dg[i] = d[i] * u[i] * s * (1.0 + g[i] * (1.0 - s));
                    du[i] = d[i] * g[i] * s;
                }
            }
        });
}
