//! Launchers for `shaders/layernorm_*.wgsl`; CPU twin `playground_core::cpu::layernorm`.

use crate::context::{grid, Constants, GpuContext, Op, MAX_GRID_X, SCRATCH_BUDGET};
use crate::kernels::reduce::reduce_partials;
use crate::kernels::Write;
use crate::shaders::Kernel;
use crate::tensor::GpuTensor;

#[repr(C)]
#[derive(Clone, Copy, Debug, bytemuck::Pod, bytemuck::Zeroable)]
pub struct LayerNormParams {
    pub rows: u32,
    pub c: u32,
    pub eps: f32,
    /// 1: the forward normalizes inp + branch and stores the sum (`layernorm_forward_residual`).
    pub residual: u32,
}
const _: () = assert!(std::mem::size_of::<LayerNormParams>().is_multiple_of(16));

impl LayerNormParams {
    /// eps is the model's (`ModelConfig::norm_eps`), as the CPU reference is given it.
    pub fn new(rows: u32, c: u32, eps: f32) -> Self {
        LayerNormParams { rows, c, eps, residual: 0 }
    }

    /// The forward's params, with the residual add fused in where `residual` is given.
    pub(crate) fn forward(rows: u32, c: u32, eps: f32, residual: Option<(&GpuTensor, &GpuTensor)>) -> Self {
        LayerNormParams { residual: residual.is_some() as u32, ..Self::new(rows, c, eps) }
    }
}

/// Uniform of both `layernorm_backward_*.wgsl` and `rmsnorm_backward_*.wgsl` (eps is not
/// needed: rstd already holds it). The input gradients read rows and c only.
#[repr(C)]
#[derive(Clone, Copy, Debug, bytemuck::Pod, bytemuck::Zeroable)]
pub struct LayerNormBackwardParams {
    pub rows: u32,
    pub c: u32,
    /// The parameter gradients: rows each workgroup sums (`param_chunk_rows`).
    pub chunk_rows: u32,
    /// The parameter gradients: 1 where chunks store partial sums, 0 where one chunk adds.
    pub partial: u32,
}
const _: () = assert!(std::mem::size_of::<LayerNormBackwardParams>().is_multiple_of(16));

impl LayerNormBackwardParams {
    /// The params of a parameter gradient over `rows` rows in chunks of `chunk_rows`.
    pub fn new(rows: u32, c: u32, chunk_rows: u32) -> Self {
        LayerNormBackwardParams { rows, c, chunk_rows, partial: (rows > chunk_rows) as u32 }
    }
}

/// Rows one workgroup of a norm's parameter gradient sums, 32 per row lane on a GPU: the sum over
/// all rows (16,384 in the baby GPT's step) in one workgroup per 32 channels would be a long
/// serial loop on a few units, so the rows are split into chunks summed side by side, then
/// added up (`reduce_partials`). Longer chunks where each chunk's `partial_len` floats of
/// partials would take more than `SCRATCH_BUDGET` in all, or the chunks more than the grid's
/// 65,535 along z (a million rows of 4,096 channels). On an emulator one chunk: a CPU has no
/// idle units to fill.
pub fn param_chunk_rows(gpu: &GpuContext, rows: u32, partial_len: u32) -> u32 {
    const CHUNK_ROWS: u32 = 32 * 8;
    if gpu.is_emulated() {
        return rows.max(1);
    }
    let most_chunks = (SCRATCH_BUDGET as u64 / partial_len.max(1) as u64).clamp(1, MAX_GRID_X as u64) as u32;
    CHUNK_ROWS.max(rows.div_ceil(most_chunks))
}

/// The launches of a norm's parameter gradients: `kernel` over chunks of rows, then, where there
/// are several, the sum of their partials (`len_b` is 0 without a bias) into the gradients.
#[allow(clippy::too_many_arguments)]
pub(crate) fn param_gradients(
    gpu: &GpuContext,
    kernel: Kernel,
    dweight: &GpuTensor,       // (C)
    dbias: Option<&GpuTensor>, // (C)
    inputs: &[&GpuTensor],
    rows: u32,
    c: u32,
) -> Vec<Op> {
    let outputs = 1 + dbias.is_some() as u32;
    let params = LayerNormBackwardParams::new(rows, c, param_chunk_rows(gpu, rows, outputs * c));
    let chunks = rows.div_ceil(params.chunk_rows).max(1);
    let [x, y, _] = grid(c.div_ceil(BACKWARD_PARAMS_WORKGROUP_SIZE[0]) as u64);
    if params.partial == 0 {
        let mut bound = vec![dweight];
        bound.extend(dbias);
        bound.extend(inputs);
        return vec![gpu.op(kernel, &bound, &params, [x, y, 1])];
    }
    let partials = gpu.scratch((chunks * outputs * c) as usize);
    let mut bound = vec![&partials];
    if dbias.is_some() {
        bound.push(gpu.unused(0));
    }
    bound.extend(inputs);
    let len_b = if dbias.is_some() { c } else { 0 };
    vec![
        gpu.op(kernel, &bound, &params, [x, y, chunks]),
        reduce_partials(gpu, dweight, dbias, &partials, None, c, len_b, chunks, outputs * c, Write::Add),
    ]
}

pub const WORKGROUP_SIZE: [u32; 3] = [64, 1, 1];
pub const BACKWARD_INPUT_WORKGROUP_SIZE: [u32; 3] = [64, 1, 1];
/// Rows per workgroup of the forward and of the input gradient (8 invocations per row).
pub const ROWS_PER_WORKGROUP: u32 = 8;
/// 32 channels × 8 row lanes.
pub const BACKWARD_PARAMS_WORKGROUP_SIZE: [u32; 3] = [32, 8, 1];

#[allow(clippy::too_many_arguments)]
pub fn layernorm_forward(
    gpu: &GpuContext,
    out: &GpuTensor,    // (rows, C)
    mean: &GpuTensor,   // (rows)
    rstd: &GpuTensor,   // (rows)
    inp: &GpuTensor,    // (rows, C)
    weight: &GpuTensor, // (C)
    bias: &GpuTensor,   // (C)
    rows: u32,
    c: u32,
    eps: f32, // ModelConfig::norm_eps
) -> Op {
    forward(gpu, out, mean, rstd, None, inp, weight, bias, rows, c, eps)
}

/// sum (rows, C) = inp + branch and out = layernorm(sum), one kernel
/// (`cpu::layernorm_forward_residual`): the residual add before a norm, fused into it.
#[allow(clippy::too_many_arguments)]
pub fn layernorm_forward_residual(
    gpu: &GpuContext,
    out: &GpuTensor,    // (rows, C)
    mean: &GpuTensor,   // (rows)
    rstd: &GpuTensor,   // (rows)
    sum: &GpuTensor,    // (rows, C)
    inp: &GpuTensor,    // (rows, C)
    branch: &GpuTensor, // (rows, C)
    weight: &GpuTensor, // (C)
    bias: &GpuTensor,   // (C)
    rows: u32,
    c: u32,
    eps: f32,
) -> Op {
    forward(gpu, out, mean, rstd, Some((sum, branch)), inp, weight, bias, rows, c, eps)
}

#[allow(clippy::too_many_arguments)]
fn forward(
    gpu: &GpuContext,
    out: &GpuTensor,                            // (rows, C)
    mean: &GpuTensor,                           // (rows)
    rstd: &GpuTensor,                           // (rows)
    residual: Option<(&GpuTensor, &GpuTensor)>, // sum and branch, (rows, C) each
    inp: &GpuTensor,                            // (rows, C)
    weight: &GpuTensor,                         // (C)
    bias: &GpuTensor,                           // (C)
    rows: u32,
    c: u32,
    eps: f32,
) -> Op {
    let blocks = rows.div_ceil(ROWS_PER_WORKGROUP) as u64;
    let (sum, branch) = residual.unwrap_or((gpu.unused(0), gpu.unused(1)));
    let params = LayerNormParams::forward(rows, c, eps, residual);
    gpu.op(Kernel::LayerNormForward, &[out, mean, rstd, sum, inp, branch, weight, bias], &params, grid(blocks))
}

/// `cpu::layernorm_backward` as two kernels: dinp per row (8 rows a workgroup), added to or
/// stored (`write`), then dweight and dbias summed over rows (one workgroup per 32 channels and
/// chunk of rows, and where there are several chunks, a launch that adds them up) and added.
/// dweight and dbias may be slices of one gradient buffer.
#[allow(clippy::too_many_arguments)]
pub fn layernorm_backward(
    gpu: &GpuContext,
    dinp: &GpuTensor,    // (rows, C)
    dweight: &GpuTensor, // (C)
    dbias: &GpuTensor,   // (C)
    dout: &GpuTensor,    // (rows, C)
    inp: &GpuTensor,     // (rows, C)
    weight: &GpuTensor,  // (C)
    mean: &GpuTensor,    // (rows)
    rstd: &GpuTensor,    // (rows)
    rows: u32,
    c: u32,
    write: Write,
) -> Vec<Op> {
    let mut ops = vec![layernorm_backward_input(gpu, dinp, dout, inp, weight, mean, rstd, rows, c, write)];
    ops.extend(layernorm_backward_params(gpu, dweight, dbias, dout, inp, mean, rstd, rows, c));
    ops
}

#[allow(clippy::too_many_arguments)]
pub fn layernorm_backward_input(
    gpu: &GpuContext,
    dinp: &GpuTensor,   // (rows, C)
    dout: &GpuTensor,   // (rows, C)
    inp: &GpuTensor,    // (rows, C)
    weight: &GpuTensor, // (C)
    mean: &GpuTensor,   // (rows)
    rstd: &GpuTensor,   // (rows)
    rows: u32,
    c: u32,
    write: Write,
) -> Op {
    let params = LayerNormBackwardParams { rows, c, chunk_rows: 0, partial: 0 };
    let blocks = rows.div_ceil(ROWS_PER_WORKGROUP) as u64;
    let constants = Constants { accumulate: write.accumulate(), ..Constants::default() };
    gpu.op_built(Kernel::LayerNormBackwardInput, constants, &[dinp, dout, inp, weight, mean, rstd], &params, grid(blocks))
}

#[allow(clippy::too_many_arguments)]
pub fn layernorm_backward_params(
    gpu: &GpuContext,
    dweight: &GpuTensor, // (C)
    dbias: &GpuTensor,   // (C)
    dout: &GpuTensor,    // (rows, C)
    inp: &GpuTensor,     // (rows, C)
    mean: &GpuTensor,    // (rows)
    rstd: &GpuTensor,    // (rows)
    rows: u32,
    c: u32,
) -> Vec<Op> {
    param_gradients(gpu, Kernel::LayerNormBackwardParams, dweight, Some(dbias), &[dout, inp, mean, rstd], rows, c)
}
