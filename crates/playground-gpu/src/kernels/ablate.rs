//! Launcher for `shaders/ablate_forward.wgsl`; CPU twin `playground_core::cpu::ablate`.

use crate::context::{grid, GpuContext, Op};
use crate::shaders::Kernel;
use crate::tensor::GpuTensor;

pub const WORKGROUP_SIZE: [u32; 3] = [256, 1, 1];

#[repr(C)]
#[derive(Clone, Copy, Debug, bytemuck::Pod, bytemuck::Zeroable)]
pub struct AblateParams {
    pub n: u32,
    pub groups: u32,
    pub width: u32,
    pub mask_offset: u32,
}

/// x[r, g·W + j] *= mask[mask_offset + g], in place.
pub fn ablate_forward(
    gpu: &GpuContext,
    x: &GpuTensor,    // (rows, G·W)
    mask: &GpuTensor, // (mask_offset + G ..)
    mask_offset: u32,
    rows: u32,
    groups: u32,
    width: u32,
) -> Op {
    let n = rows * groups * width;
    let params = AblateParams { n, groups, width, mask_offset };
    gpu.op(Kernel::AblateForward, &[x, mask], &params, grid((n as u64).div_ceil(WORKGROUP_SIZE[0] as u64)))
}
