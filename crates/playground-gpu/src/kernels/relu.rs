//! Launchers for `shaders/relu_*.wgsl`; CPU twin `playground_core::cpu::relu`.

use super::LenParams;
use crate::context::{grid, GpuContext, Op};
use crate::shaders::Kernel;
use crate::tensor::GpuTensor;

pub const WORKGROUP_SIZE: [u32; 3] = [256, 1, 1];
pub const BACKWARD_WORKGROUP_SIZE: [u32; 3] = [256, 1, 1];

pub fn relu_forward(
    gpu: &GpuContext,
    out: &GpuTensor, // (N)
    inp: &GpuTensor, // (N)
    n: u32,
) -> Op {
    gpu.op(Kernel::ReluForward, &[out, inp], &LenParams::new(n), grid((n as u64).div_ceil(WORKGROUP_SIZE[0] as u64)))
}

/// dinp = dout where inp > 0, else 0 (stored).
pub fn relu_backward(
    gpu: &GpuContext,
    dinp: &GpuTensor, // (N)
    inp: &GpuTensor,  // (N)
    dout: &GpuTensor, // (N)
    n: u32,
) -> Op {
    gpu.op(Kernel::ReluBackward, &[dinp, inp, dout], &LenParams::new(n), grid((n as u64).div_ceil(BACKWARD_WORKGROUP_SIZE[0] as u64)))
}
