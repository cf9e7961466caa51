//! Matmuls with bias, as `cpu::matmul`: out (M, N) = inp (M, K) · weight (N, K)ᵀ + bias (N),
//! each product one `par_gemm` (split over threads by rows or by columns).

use super::gemm::{gemm, par_gemm, Mat};
use super::par::prelude::*;
use super::{elementwise, par};
use crate::cpu::Activation;

/// Rows of `pre` that the fused activation reads while the product's output is still in
/// cache: blocks of about 256 KB.
const ACT_BLOCK_FLOATS: usize = 65_536;

/// out = inp · weightᵀ + bias for `inp.len() / k` rows, on the calling thread.
fn forward_rows(
    out: &mut [f32],      // (rows, N)
    inp: &[f32],          // (rows, K)
    weight: &[f32],       // (N, K)
    bias: Option<&[f32]>, // (N)
    k: usize,
    n: usize,
) {
    let beta = fill_bias(out, bias, n);
    gemm(out, n, Mat::rows(inp, inp.len() / k, k, k), Mat::transposed(weight, k, n, k), beta);
}

/// Each row of out set to the bias, or nothing; returns the GEMM's beta (keep or overwrite).
fn fill_bias(out: &mut [f32], bias: Option<&[f32]>, n: usize) -> f32 {
    match bias {
        Some(bias) => {
            out.chunks_exact_mut(n).for_each(|row| row.copy_from_slice(&bias[..n]));
            1.0
        }
        None => 0.0,
    }
}

#[allow(clippy::too_many_arguments)]
pub fn matmul_forward(
    out: &mut [f32],      // (M, N)
    inp: &[f32],          // (M, K)
    weight: &[f32],       // (N, K)
    bias: Option<&[f32]>, // (N)
    m: usize,
    k: usize,
    n: usize,
) {
    let out = &mut out[..m * n];
    let beta = fill_bias(out, bias, n);
    par_gemm(out, Mat::rows(inp, m, k, k), Mat::transposed(weight, k, n, k), beta);
}

/// pre = inp · weightᵀ + bias, then out = act(pre): one task of rows per thread, each in
/// blocks whose activation reads what the product has just written.
#[allow(clippy::too_many_arguments)]
pub fn matmul_forward_act(
    act: Activation,
    out: &mut [f32],      // (M, N)
    pre: &mut [f32],      // (M, N)
    inp: &[f32],          // (M, K)
    weight: &[f32],       // (N, K)
    bias: Option<&[f32]>, // (N)
    m: usize,
    k: usize,
    n: usize,
) {
    let per_task = m.div_ceil(par::threads()).max(1);
    let block = (ACT_BLOCK_FLOATS / n.max(1)).max(1);
    out[..m * n]
        .par_chunks_mut(per_task * n)
        .zip(pre[..m * n].par_chunks_mut(per_task * n))
        .zip(inp[..m * k].par_chunks(per_task * k))
        .for_each(|((out, pre), inp)| {
            for ((o, p), x) in out.chunks_mut(block * n).zip(pre.chunks_mut(block * n)).zip(inp.chunks(block * k)) {
                forward_rows(p, x, weight, bias, k, n);
                elementwise::activation_forward(act, o, p);
            }
        });
}

/// Accumulates (`+=`) as `cpu::matmul_backward`:
///   dinp (M, K)    += dout (M, N) · weight (N, K)
///   dweight (N, K) += dout (M, N)ᵀ · inp (M, K)
///   dbias (N)      += column sums of dout
#[allow(clippy::too_many_arguments)]
pub fn matmul_backward(
    dinp: &mut [f32],          // (M, K)
    dweight: &mut [f32],       // (N, K)
    dbias: Option<&mut [f32]>, // (N)
    dout: &[f32],              // (M, N)
    inp: &[f32],               // (M, K)
    weight: &[f32],            // (N, K)
    m: usize,
    k: usize,
    n: usize,
) {
    par_gemm(&mut dinp[..m * k], Mat::rows(dout, m, n, n), Mat::rows(weight, n, k, k), 1.0);
    par_gemm(&mut dweight[..n * k], Mat::transposed(dout, n, m, n), Mat::rows(inp, m, k, k), 1.0);
    if let Some(db) = dbias {
        let cols = par::rows_per_task(n, m);
        db[..n].par_chunks_mut(cols).enumerate().for_each(|(i, db)| {
            let n0 = i * cols;
            for row in dout[..m * n].chunks_exact(n) {
                db.iter_mut().zip(&row[n0..]).for_each(|(b, &d)| *b += d);
            }
        });
    }
}
