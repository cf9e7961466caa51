//! LayerNorm over the last axis (C), CPU reference for `shaders/layernorm_*.wgsl`.
//!
//! inp, out: (rows, C) with rows = B·T; weight, bias: (C); mean, rstd: (rows), kept for backward.
//! Each row (one token's vector) is normalized on its own: the axis is C, never T or B.

pub const LN_EPS: f32 = 1e-5;

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
    eps: f32, // ModelConfig::norm_eps; LN_EPS is GPT-2's
) {
    for r in 0..rows {
        let x = &inp[r * c..(r + 1) * c];
        let m = x.iter().sum::<f32>() / c as f32;
        // biased variance (divide by C), as torch.nn.LayerNorm
        let v = x.iter().map(|xi| (xi - m) * (xi - m)).sum::<f32>() / c as f32;
        let s = 1.0 / (v + eps).sqrt();
        for (i, o) in out[r * c..(r + 1) * c].iter_mut().enumerate() {
            *o = s * (x[i] - m) * weight[i] + bias[i];
        }
        mean[r] = m;
        rstd[r] = s;
    }
}

/// sum (rows, C) = inp + branch, then out = layernorm(sum): a residual add and the norm after
/// it, which `layernorm_forward.wgsl` runs as one kernel (`residual`); here the composition
/// of the two references. sum is the stream's next value.
#[allow(clippy::too_many_arguments)]
pub fn layernorm_forward_residual(
    out: &mut [f32],  // (rows, C)
    mean: &mut [f32], // (rows)
    rstd: &mut [f32], // (rows)
    sum: &mut [f32],  // (rows, C)
    inp: &[f32],      // (rows, C)
    branch: &[f32],   // (rows, C)
    weight: &[f32],   // (C)
    bias: &[f32],     // (C)
    rows: usize,
    c: usize,
    eps: f32,
) {
    super::residual_forward(sum, inp, branch, rows * c);
    layernorm_forward(out, mean, rstd, sum, weight, bias, rows, c, eps);
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
    for r in 0..rows {
        let x = &inp[r * c..(r + 1) * c];
        let dy = &dout[r * c..(r + 1) * c];
        let (m, s) = (mean[r], rstd[r]);
        // two reductions over the row: mean of dnorm and mean of dnorm·norm
        let mut dnorm_mean = 0.0;
        let mut dnorm_norm_mean = 0.0;
        for i in 0..c {
            let norm = (x[i] - m) * s;
            let dnorm = weight[i] * dy[i];
            dnorm_mean += dnorm;
            dnorm_norm_mean += dnorm * norm;
        }
        dnorm_mean /= c as f32;
        dnorm_norm_mean /= c as f32;
        for i in 0..c {
            let norm = (x[i] - m) * s;
            let dnorm = weight[i] * dy[i];
            // forward was: out = norm * weight + bias
            dbias[i] += dy[i];
            dweight[i] += norm * dy[i];
            // gradient through the normalization: three terms (llm.c)
            let mut dval = dnorm;
            dval -= dnorm_mean;
            dval -= norm * dnorm_norm_mean;
            dval *= s;
            dinp[r * c + i] += dval;
        }
    }
}
