//! The one door to `matrixmultiply`'s packed single-precision GEMM: c = a·b + beta·c on
//! strided views, so a transposed operand is a view with its strides swapped, not a copy.
//! `gemm` runs on the calling thread; `par_gemm` splits one product over the threads.

use super::par;
use super::par::prelude::*;

/// A read-only (rows, cols) matrix inside a slice: element (i, j) is `data[i·rs + j·cs]`.
#[derive(Clone, Copy, Debug)]
pub struct Mat<'a> {
    data: &'a [f32],
    rows: usize,
    cols: usize,
    rs: usize,
    cs: usize,
}

impl<'a> Mat<'a> {
    /// Row-major (rows, cols) with row stride `ld`, starting at `data[0]`.
    pub fn rows(data: &'a [f32], rows: usize, cols: usize, ld: usize) -> Self {
        Self::new(data, rows, cols, ld, 1)
    }

    /// The transpose of a row-major (cols, rows) matrix with row stride `ld`: (rows, cols).
    pub fn transposed(data: &'a [f32], rows: usize, cols: usize, ld: usize) -> Self {
        Self::new(data, rows, cols, 1, ld)
    }

    /// Rows [r0, r1) of this matrix.
    pub fn row_range(self, r0: usize, r1: usize) -> Self {
        Self::new(&self.data[(r0 * self.rs).min(self.data.len())..], r1 - r0, self.cols, self.rs, self.cs)
    }

    /// Columns [c0, c1) of this matrix.
    pub fn col_range(self, c0: usize, c1: usize) -> Self {
        Self::new(&self.data[(c0 * self.cs).min(self.data.len())..], self.rows, c1 - c0, self.rs, self.cs)
    }

    fn new(data: &'a [f32], rows: usize, cols: usize, rs: usize, cs: usize) -> Self {
        if rows > 0 && cols > 0 {
            let last = (rows - 1) * rs + (cols - 1) * cs;
            assert!(last < data.len(), "matrix view ({rows}, {cols}) strides ({rs}, {cs}) past a slice of {}", data.len());
        }
        Mat { data, rows, cols, rs, cs }
    }
}

/// c (a.rows, b.cols), row-major with row stride `ldc`: c = a·b + beta·c. With beta = 0, c
/// is only written (whatever it held, NaN included, is not read).
pub fn gemm(c: &mut [f32], ldc: usize, a: Mat, b: Mat, beta: f32) {
    assert_eq!(a.cols, b.rows, "gemm: a is ({}, {}), b ({}, {})", a.rows, a.cols, b.rows, b.cols);
    let (m, k, n) = (a.rows, a.cols, b.cols);
    if m == 0 || n == 0 {
        return;
    }
    assert!(n <= ldc && (m - 1) * ldc + n <= c.len(), "gemm: output ({m}, {n}) with row stride {ldc} past a slice of {}", c.len());
    // SAFETY: the asserts above keep every element that sgemm reads (a, b: Mat::new's check,
    // for every i < m, j < n, l < k) and writes (c) inside its slice, and `c` is borrowed
    // mutably, so it overlaps neither input.
    unsafe {
        matrixmultiply::sgemm(
            m,
            k,
            n,
            1.0,
            a.data.as_ptr(),
            a.rs as isize,
            a.cs as isize,
            b.data.as_ptr(),
            b.rs as isize,
            b.cs as isize,
            beta,
            c.as_mut_ptr(),
            ldc as isize,
            1,
        );
    }
}

/// Fewest multiply-adds worth a task of a split product: each task packs its own copy of the
/// operand it shares with the others, which must stay small next to its arithmetic.
const MIN_TASK_FMA: usize = 1 << 18;

/// `gemm` with c (a.rows, b.cols) row-major and contiguous, split into one task per thread:
/// by rows of c where it has at least as many rows as columns (each task packs all of b and
/// its rows of a), by columns otherwise (each task packs all of a: a one-token forward's few
/// rows against a large weight matrix), the columns computed in a task's own buffer and
/// copied into c.
pub fn par_gemm(c: &mut [f32], a: Mat, b: Mat, beta: f32) {
    let (m, k, n) = (a.rows, a.cols, b.cols);
    let tasks = par::threads().min((m * k * n / MIN_TASK_FMA).max(1));
    if tasks == 1 {
        return gemm(c, n, a, b, beta);
    }
    if m >= n {
        let rows = m.div_ceil(tasks);
        c[..m * n].par_chunks_mut(rows * n).enumerate().for_each(|(i, c)| {
            let r0 = i * rows;
            gemm(c, n, a.row_range(r0, r0 + c.len() / n), b, beta);
        });
    } else {
        let cols = n.div_ceil(tasks);
        let blocks: Vec<(usize, Vec<f32>)> = (0..n.div_ceil(cols))
            .into_par_iter()
            .map(|i| {
                let (c0, c1) = (i * cols, ((i + 1) * cols).min(n));
                let w = c1 - c0;
                let mut block = vec![0.0; m * w];
                if beta != 0.0 {
                    block.chunks_exact_mut(w).zip(c.chunks_exact(n)).for_each(|(blk, row)| blk.copy_from_slice(&row[c0..c1]));
                }
                gemm(&mut block, w, a, b.col_range(c0, c1), beta);
                (c0, block)
            })
            .collect();
        for (c0, block) in blocks {
            let w = block.len() / m;
            c.chunks_exact_mut(n).zip(block.chunks_exact(w)).for_each(|(row, blk)| row[c0..c0 + w].copy_from_slice(blk));
        }
    }
}
