//! Launchers for `shaders/layernorm_*.wgsl`; CPU twin `playground_core::cpu::layernorm`.

use crate::context::{grid, GpuContext, Op};
use crate::shaders::Kernel;
use crate::tensor::GpuTensor;

#[repr(C)]
#[derive(Clone, Copy, Debug, bytemuck::Pod, bytemuck::Zeroable)]
pub struct LayerNormParams {
    pub rows: u32,
    pub c: u32,
    pub eps: f32,
    pub _pad: u32,
}
const _: () = assert!(std::mem::size_of::<LayerNormParams>().is_multiple_of(16));

impl LayerNormParams {
    /// eps is the model's (`ModelConfig::norm_eps`), as the CPU reference is given it.
    pub fn new(rows: u32, c: u32, eps: f32) -> Self {
        LayerNormParams { rows, c, eps, _pad: 0 }
    }
}

/// Uniform of both `layernorm_backward_*.wgsl` (eps is not needed: rstd already holds it).
#[repr(C)]
#[derive(Clone, Copy, Debug, bytemuck::Pod, bytemuck::Zeroable)]
pub struct LayerNormBackwardParams {
    pub rows: u32,
    pub c: u32,
    pub _pad: [u32; 2],
}
const _: () = assert!(std::mem::size_of::<LayerNormBackwardParams>().is_multiple_of(16));

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
    let blocks = rows.div_ceil(ROWS_PER_WORKGROUP) as u64;
    gpu.op(Kernel::LayerNormForward, &[out, mean, rstd, inp, weight, bias], &LayerNormParams::new(rows, c, eps), grid(blocks))
}

/// `cpu::layernorm_backward` as two kernels: dinp per row (one workgroup each), then dweight
/// and dbias summed over rows (one workgroup per 32 channels). All three accumulate (`+=`).
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
) -> [Op; 2] {
    [
        layernorm_backward_input(gpu, dinp, dout, inp, weight, mean, rstd, rows, c),
        layernorm_backward_params(gpu, dweight, dbias, dout, inp, mean, rstd, rows, c),
    ]
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
) -> Op {
    let params = LayerNormBackwardParams { rows, c, _pad: [0; 2] };
    let blocks = rows.div_ceil(ROWS_PER_WORKGROUP) as u64;
    gpu.op(Kernel::LayerNormBackwardInput, &[dinp, dout, inp, weight, mean, rstd], &params, grid(blocks))
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
) -> Op {
    let params = LayerNormBackwardParams { rows, c, _pad: [0; 2] };
    let blocks = c.div_ceil(BACKWARD_PARAMS_WORKGROUP_SIZE[0]) as u64;
    gpu.op(Kernel::LayerNormBackwardParams, &[dweight, dbias, dout, inp, mean, rstd], &params, grid(blocks))
}
