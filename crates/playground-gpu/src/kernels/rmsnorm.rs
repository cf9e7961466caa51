//! Launchers for `shaders/rmsnorm_*.wgsl`; CPU twin `playground_core::cpu::rmsnorm`.

use super::layernorm::{param_gradients, LayerNormBackwardParams, LayerNormParams, ROWS_PER_WORKGROUP};
use crate::context::{grid, Constants, GpuContext, Op};
use crate::kernels::Write;
use crate::shaders::Kernel;
use crate::tensor::GpuTensor;

pub const WORKGROUP_SIZE: [u32; 3] = [64, 1, 1];
pub const BACKWARD_INPUT_WORKGROUP_SIZE: [u32; 3] = [64, 1, 1];
/// 32 channels × 8 row lanes.
pub const BACKWARD_PARAMS_WORKGROUP_SIZE: [u32; 3] = [32, 8, 1];

/// The uniforms are LayerNorm's: (rows, C, eps) forward, (rows, C) backward.
#[allow(clippy::too_many_arguments)]
pub fn rmsnorm_forward(
    gpu: &GpuContext,
    out: &GpuTensor,    // (rows, C)
    rstd: &GpuTensor,   // (rows)
    inp: &GpuTensor,    // (rows, C)
    weight: &GpuTensor, // (C)
    rows: u32,
    c: u32,
    eps: f32, // ModelConfig::norm_eps
) -> Op {
    forward(gpu, out, rstd, None, inp, weight, rows, c, eps)
}

/// sum (rows, C) = inp + branch and out = rmsnorm(sum), one kernel
/// (`cpu::rmsnorm_forward_residual`): the residual add before a norm, fused into it.
#[allow(clippy::too_many_arguments)]
pub fn rmsnorm_forward_residual(
    gpu: &GpuContext,
    out: &GpuTensor,    // (rows, C)
    rstd: &GpuTensor,   // (rows)
    sum: &GpuTensor,    // (rows, C)
    inp: &GpuTensor,    // (rows, C)
    branch: &GpuTensor, // (rows, C)
    weight: &GpuTensor, // (C)
    rows: u32,
    c: u32,
    eps: f32,
) -> Op {
    forward(gpu, out, rstd, Some((sum, branch)), inp, weight, rows, c, eps)
}

#[allow(clippy::too_many_arguments)]
fn forward(
    gpu: &GpuContext,
    out: &GpuTensor,                            // (rows, C)
    rstd: &GpuTensor,                           // (rows)
    residual: Option<(&GpuTensor, &GpuTensor)>, // sum and branch, (rows, C) each
    inp: &GpuTensor,                            // (rows, C)
    weight: &GpuTensor,                         // (C)
    rows: u32,
    c: u32,
    eps: f32,
) -> Op {
    let blocks = rows.div_ceil(ROWS_PER_WORKGROUP) as u64;
    let (sum, branch) = residual.unwrap_or((gpu.unused(0), gpu.unused(1)));
    let params = LayerNormParams::forward(rows, c, eps, residual);
    gpu.op(Kernel::RmsNormForward, &[out, rstd, sum, inp, branch, weight], &params, grid(blocks))
}

/// `cpu::rmsnorm_backward` as two kernels: dinp per row, added to or stored (`write`), then
/// dweight summed over rows and added.
#[allow(clippy::too_many_arguments)]
pub fn rmsnorm_backward(
    gpu: &GpuContext,
    dinp: &GpuTensor,    // (rows, C)
    dweight: &GpuTensor, // (C)
    dout: &GpuTensor,    // (rows, C)
    inp: &GpuTensor,     // (rows, C)
    weight: &GpuTensor,  // (C)
    rstd: &GpuTensor,    // (rows)
    rows: u32,
    c: u32,
    write: Write,
) -> Vec<Op> {
    let params = LayerNormBackwardParams { rows, c, chunk_rows: 0, partial: 0 };
    let row_blocks = rows.div_ceil(ROWS_PER_WORKGROUP) as u64;
    let constants = Constants { accumulate: write.accumulate(), ..Constants::default() };
    let tensors = [dinp, dout, inp, weight, rstd];
    let mut ops = vec![gpu.op_built(Kernel::RmsNormBackwardInput, constants, &tensors, &params, grid(row_blocks))];
    ops.extend(param_gradients(gpu, Kernel::RmsNormBackwardParams, dweight, None, &[dout, inp, rstd], rows, c));
    ops
}
