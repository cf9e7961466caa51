//! RMSNorm over the last axis (C), CPU reference for `shaders/rmsnorm_*.wgsl`.
//!
//! inp, out: (rows, C) with rows = B·T; weight: (C); rstd: (rows), kept for backward.
//! out = inp · rstd · weight with rstd = 1/√(mean(inp²) + eps): LayerNorm without the mean
//! subtraction and without a bias (Zhang & Sennrich 2019; LLaMA's norm).

pub fn rmsnorm_forward(
    out: &mut [f32],  // (rows, C)
    rstd: &mut [f32], // (rows)
    inp: &[f32],      // (rows, C)
    weight: &[f32],   // (C)
    rows: usize,
    c: usize,
    eps: f32, // ModelConfig::norm_eps
) {
    for r in 0..rows {
        let x = &inp[r * c..(r + 1) * c];
        let ms = x.iter().map(|xi| xi * xi).sum::<f32>() / c as f32;
        let s = 1.0 / (ms + eps).sqrt();
        for (i, o) in out[r * c..(r + 1) * c].iter_mut().enumerate() {
            *o = x[i] * s * weight[i];
        }
        rstd[r] = s;
    }
}

/// sum (rows, C) = inp + branch, then out = rmsnorm(sum): a residual add and the norm after it,
/// which `rmsnorm_forward.wgsl` runs as one kernel (`residual`); here the composition of the
/// two references. sum is the stream's next value.
#[allow(clippy::too_many_arguments)]
pub fn rmsnorm_forward_residual(
    out: &mut [f32],  // (rows, C)
    rstd: &mut [f32], // (rows)
    sum: &mut [f32],  // (rows, C)
    inp: &[f32],      // (rows, C)
    branch: &[f32],   // (rows, C)
    weight: &[f32],   // (C)
    rows: usize,
    c: usize,
    eps: f32,
) {
    super::residual_forward(sum, inp, branch, rows * c);
    rmsnorm_forward(out, rstd, sum, weight, rows, c, eps);
}

/// forward was: out = norm·weight with norm = inp·rstd;  with dnorm = weight·dout,
///   dinp = rstd·(dnorm − norm·mean(dnorm·norm))   (one reduction over the row, not LayerNorm's two)
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
    for r in 0..rows {
        let x = &inp[r * c..(r + 1) * c];
        let dy = &dout[r * c..(r + 1) * c];
        let s = rstd[r];
        let mut dnorm_norm_mean = 0.0;
        for i in 0..c {
            dnorm_norm_mean += weight[i] * dy[i] * x[i] * s;
        }
        dnorm_norm_mean /= c as f32;
        for i in 0..c {
            let norm = x[i] * s;
            dweight[i] += norm * dy[i];
            dinp[r * c + i] += (weight[i] * dy[i] - norm * dnorm_norm_mean) * s;
        }
    }
}
