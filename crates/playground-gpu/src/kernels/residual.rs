//! Launcher for `shaders/residual_forward.wgsl`; CPU twin `playground_core::cpu::residual`.

use super::LenParams;
use crate::context::{grid, GpuContext, Op};
use crate::shaders::Kernel;
use crate::tensor::GpuTensor;

pub const WORKGROUP_SIZE: [u32; 3] = [256, 1, 1];

pub fn residual_forward(
    gpu: &GpuContext,
    out: &GpuTensor,  // (N)
    inp1: &GpuTensor, // (N)
    inp2: &GpuTensor, // (N)
    n: u32,
) -> Op {
    gpu.op(Kernel::ResidualForward, &[out, inp1, inp2], &LenParams::new(n), grid((n as u64).div_ceil(WORKGROUP_SIZE[0] as u64)))
}
