//! Multi-head attention, causal or bidirectional, as `cpu::attention`: for each (batch row,
//! head), a task of GEMMs over blocks of query rows. A block of rows [i0, i1) of a causal head
//! sees keys [0, i1) only, so the products skip the masked upper triangle except inside the
//! diagonal block, where the masked weights are exact zeros.
//!
//! The scores for every key are still computed, because the reference keeps `preatt` (the full
//! score matrix the page shows) and `att`, which the backward reads.

use super::gemm::{gemm, Mat};
use super::math;
use super::par::prelude::*;
use crate::cpu::{keys_seen, qkv_bases};

/// Query rows per block: the causal products cover the lower triangle in steps of this many rows.
const ROW_BLOCK: usize = 32;

/// Offsets and sizes of one query head inside qkv (B, T, C + 2·KVC) and out (B, T, C).
#[derive(Clone, Copy)]
struct Head {
    t: usize,
    c: usize,
    hs: usize,
    /// Row stride of qkv: C + 2·KVC.
    width: usize,
    /// qkv offsets at (b, t = 0) of the head's Q channels and its key/value head's K and V.
    bases: [usize; 3],
    causal: bool,
}

impl Head {
    fn new(bh: usize, t: usize, c: usize, nh: usize, nkv: usize, causal: bool) -> Self {
        let (bi, h) = (bh / nh, bh % nh);
        let hs = c / nh;
        Head { t, c, hs, width: c + 2 * nkv * hs, bases: qkv_bases(bi * t, h, c, nh, nkv), causal }
    }

    /// Q, K or V (which = 0, 1, 2) rows [r0, r1) of this head: (r1 − r0, HS), row stride C + 2·KVC.
    fn part<'a>(&self, qkv: &'a [f32], which: usize, r0: usize, r1: usize) -> Mat<'a> {
        Mat::rows(&qkv[self.bases[which] + r0 * self.width..], r1 - r0, self.hs, self.width)
    }

    /// The same rows transposed: (HS, r1 − r0).
    fn part_t<'a>(&self, qkv: &'a [f32], which: usize, r0: usize, r1: usize) -> Mat<'a> {
        Mat::transposed(&qkv[self.bases[which] + r0 * self.width..], self.hs, r1 - r0, self.width)
    }

    /// Keys a block of query rows ending at i1 sees (the block's last row sees the most).
    fn keys(&self, i1: usize) -> usize {
        keys_seen(i1 - 1, self.t, self.causal)
    }
}

/// Query-row blocks [i0, i1) of T rows.
fn row_blocks(t: usize) -> impl Iterator<Item = (usize, usize)> {
    (0..t).step_by(ROW_BLOCK).map(move |i0| (i0, (i0 + ROW_BLOCK).min(t)))
}

/// One head's forward: preatt, att and lse in place; returns its output rows (T, HS).
fn head_forward(hd: Head, pre: &mut [f32], att: &mut [f32], lse: &mut [f32], qkv: &[f32]) -> Vec<f32> {
    let (t, hs) = (hd.t, hd.hs);
    let scale = 1.0 / (hs as f32).sqrt();
    // preatt (T, T) = Q·Kᵀ·scale, every key (the page shows the full matrix)
    gemm(pre, t, hd.part(qkv, 0, 0, t), hd.part_t(qkv, 1, 0, t), 0.0);
    for (i, (p, a)) in pre.chunks_exact_mut(t).zip(att.chunks_exact_mut(t)).enumerate() {
        p.iter_mut().for_each(|x| *x *= scale);
        let seen = keys_seen(i, t, hd.causal);
        let maxv = math::max(&p[..seen]);
        for (a, &x) in a[..seen].iter_mut().zip(&p[..seen]) {
            *a = math::exp(x - maxv);
        }
        let sum = math::sum(&a[..seen], |a| a);
        let inv = 1.0 / sum;
        a[..seen].iter_mut().for_each(|x| *x *= inv);
        a[seen..].fill(0.0);
        lse[i] = maxv + sum.ln();
    }
    // out (T, HS) = att·V, block by block over the keys each block sees
    let mut out = vec![0.0; t * hs];
    for (i0, i1) in row_blocks(t) {
        let keys = hd.keys(i1);
        gemm(&mut out[i0 * hs..], hs, Mat::rows(&att[i0 * t..], i1 - i0, keys, t), hd.part(qkv, 2, 0, keys), 0.0);
    }
    out
}

#[allow(clippy::too_many_arguments)]
pub fn attention_forward(
    out: &mut [f32],    // (B, T, C)
    lse: &mut [f32],    // (B, NH, T)
    preatt: &mut [f32], // (B, NH, T, T)
    att: &mut [f32],    // (B, NH, T, T)
    qkv: &[f32],        // (B, T, C + 2·KVC)
    b: usize,
    t: usize,
    c: usize,
    nh: usize,
    nkv: usize,
    causal: bool,
) {
    let hs = c / nh;
    let heads: Vec<Vec<f32>> = preatt[..b * nh * t * t]
        .par_chunks_mut(t * t)
        .zip(att[..b * nh * t * t].par_chunks_mut(t * t))
        .zip(lse[..b * nh * t].par_chunks_mut(t))
        .enumerate()
        .map(|(bh, ((pre, a), l))| head_forward(Head::new(bh, t, c, nh, nkv, causal), pre, a, l, qkv))
        .collect();
    // each head's rows into its channels of out
    for (bh, o) in heads.iter().enumerate() {
        let (bi, h) = (bh / nh, bh % nh);
        for (ti, row) in o.chunks_exact(hs).enumerate() {
            let at = (bi * t + ti) * c + h * hs;
            out[at..at + hs].copy_from_slice(row);
        }
    }
}

/// One head's gradients: returns (dQ, dK, dV), each (T, HS).
fn head_backward(hd: Head, dout: &[f32], qkv: &[f32], att: &[f32], dout_at: usize) -> [Vec<f32>; 3] {
    let (t, hs, c) = (hd.t, hd.hs, hd.c);
    let scale = 1.0 / (hs as f32).sqrt();
    let d_o = |r0: usize, r1: usize| Mat::rows(&dout[dout_at + r0 * c..], r1 - r0, hs, c);
    let (mut dq, mut dk, mut dv) = (vec![0.0; t * hs], vec![0.0; t * hs], vec![0.0; t * hs]);
    let mut dpre = vec![0.0; t * t];
    for (i0, i1) in row_blocks(t) {
        let keys = hd.keys(i1);
        let rows = i1 - i0;
        let dp = &mut dpre[i0 * t..];
        // forward was: out = att·V;  so datt (rows, keys) = dout·Vᵀ and dV (keys, HS) += attᵀ·dout
        gemm(dp, t, d_o(i0, i1), hd.part_t(qkv, 2, 0, keys), 0.0);
        gemm(&mut dv, hs, Mat::transposed(&att[i0 * t..], keys, rows, t), d_o(i0, i1), 1.0);
        // forward was: att = softmax(preatt);  dpre = att·(datt − Σ_j att·datt), then ·scale
        for (i, drow) in (i0..i1).zip(dp.chunks_mut(t)) {
            let a = &att[i * t..i * t + keys];
            let drow = &mut drow[..keys];
            let dot = math::sum2(a, drow, |a, d| a * d);
            for (d, &a) in drow.iter_mut().zip(a) {
                *d = a * (*d - dot) * scale;
            }
        }
        // forward was: preatt = Q·Kᵀ·scale;  dQ (rows, HS) = dpre·K, dK (keys, HS) += dpreᵀ·Q
        gemm(&mut dq[i0 * hs..], hs, Mat::rows(&dpre[i0 * t..], rows, keys, t), hd.part(qkv, 1, 0, keys), 0.0);
        gemm(&mut dk, hs, Mat::transposed(&dpre[i0 * t..], keys, rows, t), hd.part(qkv, 0, i0, i1), 1.0);
    }
    [dq, dk, dv]
}

/// Accumulates the gradient of `attention_forward` into dqkv, from the kept weights `att`; a
/// shared key/value head gathers the gradients of all the query heads that read it.
#[allow(clippy::too_many_arguments)]
pub fn attention_backward(
    dqkv: &mut [f32], // (B, T, C + 2·KVC)
    dout: &[f32],     // (B, T, C)
    qkv: &[f32],      // (B, T, C + 2·KVC)
    att: &[f32],      // (B, NH, T, T)
    b: usize,
    t: usize,
    c: usize,
    nh: usize,
    nkv: usize,
    causal: bool,
) {
    let hs = c / nh;
    let grads: Vec<[Vec<f32>; 3]> = (0..b * nh)
        .into_par_iter()
        .map(|bh| {
            let (bi, h) = (bh / nh, bh % nh);
            head_backward(Head::new(bh, t, c, nh, nkv, causal), dout, qkv, &att[bh * t * t..(bh + 1) * t * t], bi * t * c + h * hs)
        })
        .collect();
    for (bh, parts) in grads.iter().enumerate() {
        let (bi, h) = (bh / nh, bh % nh);
        for (which, g) in parts.iter().enumerate() {
            for (ti, row) in g.chunks_exact(hs).enumerate() {
                let at = qkv_bases(bi * t + ti, h, c, nh, nkv)[which];
                dqkv[at..at + hs].iter_mut().zip(row).for_each(|(d, &g)| *d += g);
            }
        }
    }
}
