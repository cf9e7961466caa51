//! Launcher for `shaders/layernorm_forward.wgsl`; CPU twin `playground_core::cpu::layernorm`.

use crate::context::{grid, GpuContext, Op};
use crate::shaders::Kernel;
use crate::tensor::GpuTensor;
use playground_core::cpu::layernorm::LN_EPS;

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
    /// eps comes from core, so the CPU reference and the kernel cannot drift apart.
    pub fn new(rows: u32, c: u32) -> Self {
        LayerNormParams { rows, c, eps: LN_EPS, _pad: 0 }
    }
}

pub const WORKGROUP_SIZE: [u32; 3] = [64, 1, 1];

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
) -> Op {
    // one workgroup per row
    gpu.op(Kernel::LayerNormForward, &[out, mean, rstd, inp, weight, bias], &LayerNormParams::new(rows, c), grid(rows as u64))
}
