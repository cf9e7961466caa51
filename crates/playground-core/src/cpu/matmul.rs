//! Matrix multiply with bias, CPU reference for `shaders/matmul_*.wgsl`.
//!
//! out (M, N) = inp (M, K) · weight (N, K)ᵀ + bias (N)
//! weight is stored (out_features, in_features), as `torch.nn.Linear` stores it.

/// Σ a[i]·b[i] in eight interleaved partial sums (so the compiler can vectorize it), added
/// up at the end; a fixed order, so results are reproducible.
pub fn dot(a: &[f32], b: &[f32]) -> f32 {
    let mut lanes = [0.0f32; 8];
    let (a8, b8) = (a.chunks_exact(8), b.chunks_exact(8));
    let tail: f32 = a8.remainder().iter().zip(b8.remainder()).map(|(x, y)| x * y).sum();
    for (x, y) in a8.zip(b8) {
        for l in 0..8 {
            lanes[l] += x[l] * y[l];
        }
    }
    lanes.iter().sum::<f32>() + tail
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
    for row in 0..m {
        let x = &inp[row * k..(row + 1) * k];
        for col in 0..n {
            let w = &weight[col * k..(col + 1) * k];
            out[row * n + col] = bias.map_or(0.0, |b| b[col]) + dot(x, w);
        }
    }
}

/// The elementwise activation `matmul_forward_act` applies after the bias.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Activation {
    Gelu,
    GeluTanh,
    Relu,
}

/// pre (M, N) = inp (M, K) · weight (N, K)ᵀ + bias (N), then out (M, N) = act(pre): the FFN's
/// first matmul and its activation, which `matmul_forward.wgsl` runs as one kernel (the
/// activation in its epilogue). pre is kept: the activation's backward reads it.
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
    matmul_forward(pre, inp, weight, bias, m, k, n);
    match act {
        Activation::Gelu => super::gelu_forward(out, pre, m * n),
        Activation::GeluTanh => super::gelu_tanh_forward(out, pre, m * n),
        Activation::Relu => super::relu_forward(out, pre, m * n),
    }
}

/// matmul_backward's input gradient alone: dinp[m,k] += Σ_n dout[m,n]·weight[n,k].
pub fn matmul_backward_input(
    dinp: &mut [f32], // (M, K)
    dout: &[f32],     // (M, N)
    weight: &[f32],   // (N, K)
    m: usize,
    k: usize,
    n: usize,
) {
    for row in 0..m {
        let d = &dout[row * n..(row + 1) * n];
        let di = &mut dinp[row * k..(row + 1) * k];
        for col in 0..n {
            let w = &weight[col * k..(col + 1) * k];
            for i in 0..k {
                di[i] += d[col] * w[i];
            }
        }
    }
}

/// The input gradient of a matmul whose input was act(pre), taken through the activation:
/// dpre (M, K) += act'(pre) ⊙ (dout (M, N) · weight (N, K)). The FFN's second matmul and the
/// activation's backward, which `matmul_backward_input.wgsl` runs as one kernel (the
/// activation's derivative in its epilogue); here the composition of the two references.
#[allow(clippy::too_many_arguments)]
pub fn matmul_backward_input_act(
    act: Activation,
    dpre: &mut [f32], // (M, K)
    pre: &[f32],      // (M, K)
    dout: &[f32],     // (M, N)
    weight: &[f32],   // (N, K)
    m: usize,
    k: usize,
    n: usize,
) {
    let mut dinp = vec![0.0; m * k];
    matmul_backward_input(&mut dinp, dout, weight, m, k, n);
    let mut through = vec![0.0; m * k]; // act'(pre) ⊙ dinp
    match act {
        Activation::Gelu => super::gelu_backward(&mut through, pre, &dinp, m * k),
        Activation::GeluTanh => super::gelu_tanh_backward(&mut through, pre, &dinp, m * k),
        Activation::Relu => super::relu_backward(&mut through, pre, &dinp, m * k),
    }
    dpre.iter_mut().zip(&through).for_each(|(d, t)| *d += t);
}

/// forward was: out[m,n] = Σ_k inp[m,k]·weight[n,k] + bias[n];  so
///   dinp[m,k]    += Σ_n dout[m,n]·weight[n,k]
///   dweight[n,k] += Σ_m dout[m,n]·inp[m,k]
///   dbias[n]     += Σ_m dout[m,n]
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
    matmul_backward_input(dinp, dout, weight, m, k, n);
    for col in 0..n {
        let dw = &mut dweight[col * k..(col + 1) * k];
        for row in 0..m {
            let g = dout[row * n + col];
            let x = &inp[row * k..(row + 1) * k];
            for i in 0..k {
                dw[i] += g * x[i];
            }
        }
    }
    if let Some(db) = dbias {
        for row in 0..m {
            for col in 0..n {
                db[col] += dout[row * n + col];
            }
        }
    }
}
