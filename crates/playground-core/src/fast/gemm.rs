//! The one door to `matrixmultiply`'s packed single-precision GEMM: c = a·b + beta·c on
//! strided views, so a transposed operand is a view with its strides swapped, not a copy.
//! One call runs on the calling thread; the ops split their work into calls (see `par`).

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
