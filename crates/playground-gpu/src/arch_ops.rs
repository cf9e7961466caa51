//! The kernel each architecture choice selects, as `playground_core::arch_ops` does for the
//! CPU: `norm_*` launches LayerNorm or RMSNorm, `ffn_act_*` the FFN's activation.

use crate::context::{GpuContext, Op};
use crate::kernels::{gelu, gelu_tanh, layernorm, relu, rmsnorm, swiglu, Write};
use crate::tensor::GpuTensor;
use playground_core::config::{Ffn, Norm};

/// out (rows, C) = norm(inp); LayerNorm fills mean and rstd, RMSNorm only rstd. With
/// `residual` (sum, branch) the norm's input is sum = inp + branch, stored: the residual add
/// before the norm in the same kernel.
#[allow(clippy::too_many_arguments)]
pub fn norm_forward(
    gpu: &GpuContext,
    norm: Norm,
    out: &GpuTensor,                            // (rows, C)
    mean: &GpuTensor,                           // (rows)
    rstd: &GpuTensor,                           // (rows)
    residual: Option<(&GpuTensor, &GpuTensor)>, // sum and branch, (rows, C) each
    inp: &GpuTensor,                            // (rows, C)
    weight: &GpuTensor,                         // (C)
    bias: Option<&GpuTensor>,                   // (C), LayerNorm only
    rows: u32,
    c: u32,
    eps: f32,
) -> Op {
    match (norm, bias, residual) {
        (Norm::LayerNorm, Some(bias), None) => layernorm::layernorm_forward(gpu, out, mean, rstd, inp, weight, bias, rows, c, eps),
        (Norm::LayerNorm, Some(bias), Some((sum, branch))) => {
            layernorm::layernorm_forward_residual(gpu, out, mean, rstd, sum, inp, branch, weight, bias, rows, c, eps)
        }
        (Norm::RmsNorm, None, None) => rmsnorm::rmsnorm_forward(gpu, out, rstd, inp, weight, rows, c, eps),
        (Norm::RmsNorm, None, Some((sum, branch))) => {
            rmsnorm::rmsnorm_forward_residual(gpu, out, rstd, sum, inp, branch, weight, rows, c, eps)
        }
        _ => unreachable!("ParamLayout gives LayerNorm, and only LayerNorm, a bias"),
    }
}

/// The gradients of `norm_forward`: dinp added to or stored (`write`), dweight and dbias added.
#[allow(clippy::too_many_arguments)]
pub fn norm_backward(
    gpu: &GpuContext,
    norm: Norm,
    dinp: &GpuTensor,          // (rows, C)
    dweight: &GpuTensor,       // (C)
    dbias: Option<&GpuTensor>, // (C), LayerNorm only
    dout: &GpuTensor,          // (rows, C)
    inp: &GpuTensor,           // (rows, C)
    weight: &GpuTensor,        // (C)
    mean: &GpuTensor,          // (rows)
    rstd: &GpuTensor,          // (rows)
    rows: u32,
    c: u32,
    write: Write,
) -> Vec<Op> {
    match (norm, dbias) {
        (Norm::LayerNorm, Some(dbias)) => {
            layernorm::layernorm_backward(gpu, dinp, dweight, dbias, dout, inp, weight, mean, rstd, rows, c, write)
        }
        (Norm::RmsNorm, None) => rmsnorm::rmsnorm_backward(gpu, dinp, dweight, dout, inp, weight, rstd, rows, c, write),
        _ => unreachable!("ParamLayout gives LayerNorm, and only LayerNorm, a bias"),
    }
}

/// out (rows, H) = act(inp), inp (rows, H), or (rows, 2H) for SwiGLU.
pub fn ffn_act_forward(
    gpu: &GpuContext,
    ffn: Ffn,
    out: &GpuTensor, // (rows, H)
    inp: &GpuTensor, // (rows, H) or (rows, 2H)
    rows: u32,
    h: u32,
) -> Op {
    match ffn {
        Ffn::Gelu => gelu::gelu_forward(gpu, out, inp, rows * h),
        Ffn::Relu => relu::relu_forward(gpu, out, inp, rows * h),
        Ffn::SwiGlu => swiglu::swiglu_forward(gpu, out, inp, rows, h),
        Ffn::GeluTanh => gelu_tanh::gelu_tanh_forward(gpu, out, inp, rows * h),
    }
}

/// Stores the gradient of `ffn_act_forward` in dinp (each element has one writer).
pub fn ffn_act_backward(
    gpu: &GpuContext,
    ffn: Ffn,
    dinp: &GpuTensor, // (rows, H) or (rows, 2H)
    inp: &GpuTensor,  // (rows, H) or (rows, 2H)
    dout: &GpuTensor, // (rows, H)
    rows: u32,
    h: u32,
) -> Op {
    match ffn {
        Ffn::Gelu => gelu::gelu_backward(gpu, dinp, inp, dout, rows * h),
        Ffn::Relu => relu::relu_backward(gpu, dinp, inp, dout, rows * h),
        Ffn::SwiGlu => swiglu::swiglu_backward(gpu, dinp, inp, dout, rows, h),
        Ffn::GeluTanh => gelu_tanh::gelu_tanh_backward(gpu, dinp, inp, dout, rows * h),
    }
}
