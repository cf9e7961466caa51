//! Matmuls with bias, as `cpu::matmul`: out (M, N) = inp (M, K) · weight (N, K)ᵀ + bias (N),
//! on `gemm`, split over threads by rows of the output (forward, backward input) or of the
//! weight gradient.

use super::gemm::{gemm, Mat};
use super::{elementwise, par};
use crate::cpu::Activation;
use rayon::prelude::*;

/// out rows [r0, r0 + rows) = inp rows · weightᵀ + bias.
#[allow(clippy::too_many_arguments)]
fn forward_rows(
    out: &mut [f32],      // (rows, N)
    inp: &[f32],          // (rows, K)
    weight: &[f32],       // (N, K)
    bias: Option<&[f32]>, // (N)
    rows: usize,
    k: usize,
    n: usize,
) {
    let beta = match bias {
        Some(bias) => {
            out.chunks_exact_mut(n).for_each(|row| row.copy_from_slice(bias));
            1.0
        }
        None => 0.0,
    };
    gemm(out, n, Mat::rows(inp, rows, k, k), Mat::transposed(weight, k, n, k), beta);
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
    let rows = par::rows_per_task(m, k * n);
    out[..m * n].par_chunks_mut(rows * n).zip(inp[..m * k].par_chunks(rows * k)).for_each(|(o, x)| {
        forward_rows(o, x, weight, bias, o.len() / n, k, n);
    });
}

/// pre = inp · weightᵀ + bias, then out = act(pre), each task's rows while they are in cache.
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
    let rows = par::rows_per_task(m, k * n);
    out[..m * n].par_chunks_mut(rows * n).zip(pre[..m * n].par_chunks_mut(rows * n)).zip(inp[..m * k].par_chunks(rows * k)).for_each(
        |((o, p), x)| {
            forward_rows(p, x, weight, bias, p.len() / n, k, n);
            elementwise::activation_forward(act, o, p);
        },
    );
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
    let weight_view = Mat::rows(weight, n, k, k);
    let rows = par::rows_per_task(m, k * n);
    dinp[..m * k].par_chunks_mut(rows * k).zip(dout[..m * n].par_chunks(rows * n)).for_each(|(di, d)| {
        gemm(di, k, Mat::rows(d, di.len() / k, n, n), weight_view, 1.0);
    });
    // the weight gradient by rows of dweight (output features): each task reads its columns of dout
    let cols = par::rows_per_task(n, m * k);
    let tasks = dweight[..n * k].par_chunks_mut(cols * k).enumerate();
    let bias_chunks: Vec<Option<&mut [f32]>> = match dbias {
        Some(db) => db[..n].chunks_mut(cols).map(Some).collect(),
        None => (0..n.div_ceil(cols)).map(|_| None).collect(),
    };
    tasks.zip(bias_chunks).for_each(|((i, dw), db)| {
        let n0 = i * cols;
        let width = dw.len() / k;
        gemm(dw, k, Mat::transposed(&dout[n0..], width, m, n), Mat::rows(inp, m, k, k), 1.0);
        if let Some(db) = db {
            for row in dout[..m * n].chunks_exact(n) {
                for (b, &d) in db.iter_mut().zip(&row[n0..n0 + width]) {
                    *b += d;
                }
            }
        }
    });
}
