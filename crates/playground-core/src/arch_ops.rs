//! The CPU op each architecture choice selects, so the executor reads the same for every
//! variant: `norm_*` runs LayerNorm or RMSNorm, `ffn_act_*` the FFN's activation, each
//! through `ops`. `playground-gpu`'s `arch_ops` makes the same choices among the kernels.

use crate::config::{Ffn, Norm};
use crate::cpu;
use crate::model::CpuOps;

/// out (rows, C) = norm(inp). LayerNorm fills mean and rstd; RMSNorm fills rstd and leaves
/// mean alone. bias is LayerNorm's (RMSNorm has none).
#[allow(clippy::too_many_arguments)]
pub fn norm_forward(
    ops: &dyn CpuOps,
    norm: Norm,
    out: &mut [f32],      // (rows, C)
    mean: &mut [f32],     // (rows)
    rstd: &mut [f32],     // (rows)
    inp: &[f32],          // (rows, C)
    weight: &[f32],       // (C)
    bias: Option<&[f32]>, // (C), LayerNorm only
    rows: usize,
    c: usize,
    eps: f32,
) {
    match (norm, bias) {
        (Norm::LayerNorm, Some(bias)) => ops.layernorm_forward(out, mean, rstd, inp, weight, bias, rows, c, eps),
        (Norm::RmsNorm, None) => ops.rmsnorm_forward(out, rstd, inp, weight, rows, c, eps),
        _ => unreachable!("ParamLayout gives LayerNorm, and only LayerNorm, a bias"),
    }
}

/// Accumulates the gradients of `norm_forward` into dinp, dweight and dbias.
#[allow(clippy::too_many_arguments)]
pub fn norm_backward(
    ops: &dyn CpuOps,
    norm: Norm,
    dinp: &mut [f32],          // (rows, C)
    dweight: &mut [f32],       // (C)
    dbias: Option<&mut [f32]>, // (C), LayerNorm only
    dout: &[f32],              // (rows, C)
    inp: &[f32],               // (rows, C)
    weight: &[f32],            // (C)
    mean: &[f32],              // (rows)
    rstd: &[f32],              // (rows)
    rows: usize,
    c: usize,
) {
    match (norm, dbias) {
        (Norm::LayerNorm, Some(dbias)) => ops.layernorm_backward(dinp, dweight, dbias, dout, inp, weight, mean, rstd, rows, c),
        (Norm::RmsNorm, None) => ops.rmsnorm_backward(dinp, dweight, dout, inp, weight, rstd, rows, c),
        _ => unreachable!("ParamLayout gives LayerNorm, and only LayerNorm, a bias"),
    }
}

/// The activation the FFN's first matmul applies in its epilogue (`matmul_forward_act`), for
/// the elementwise ones; SwiGLU, which reads two halves of a row, runs as a pass of its own.
pub fn ffn_fused_activation(ffn: Ffn) -> Option<cpu::Activation> {
    match ffn {
        Ffn::Gelu => Some(cpu::Activation::Gelu),
        Ffn::GeluTanh => Some(cpu::Activation::GeluTanh),
        Ffn::Relu => Some(cpu::Activation::Relu),
        Ffn::SwiGlu => None,
    }
}

/// out (rows, H) = act(inp), inp being `c_fc`'s output (rows, H), or (rows, 2H) for SwiGLU.
pub fn ffn_act_forward(
    ops: &dyn CpuOps,
    ffn: Ffn,
    out: &mut [f32], // (rows, H)
    inp: &[f32],     // (rows, H) or (rows, 2H)
    rows: usize,
    h: usize,
) {
    match ffn {
        Ffn::Gelu => ops.gelu_forward(out, inp, rows * h),
        Ffn::Relu => ops.relu_forward(out, inp, rows * h),
        Ffn::SwiGlu => ops.swiglu_forward(out, inp, rows, h),
        Ffn::GeluTanh => ops.gelu_tanh_forward(out, inp, rows * h),
    }
}

/// Stores the gradient of `ffn_act_forward` in dinp (each element has one writer).
pub fn ffn_act_backward(
    ops: &dyn CpuOps,
    ffn: Ffn,
    dinp: &mut [f32], // (rows, H) or (rows, 2H)
    inp: &[f32],      // (rows, H) or (rows, 2H)
    dout: &[f32],     // (rows, H)
    rows: usize,
    h: usize,
) {
    match ffn {
        Ffn::Gelu => ops.gelu_backward(dinp, inp, dout, rows * h),
        Ffn::Relu => ops.relu_backward(dinp, inp, dout, rows * h),
        Ffn::SwiGlu => ops.swiglu_backward(dinp, inp, dout, rows, h),
        Ffn::GeluTanh => ops.gelu_tanh_backward(dinp, inp, dout, rows * h),
    }
}
