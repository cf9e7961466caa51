//! Launchers for `shaders/swiglu_*.wgsl`; CPU twin `playground_core::cpu::swiglu`.

use crate::context::{grid, GpuContext, Op};
use crate::shaders::Kernel;
use crate::tensor::GpuTensor;

#[repr(C)]
#[derive(Clone, Copy, Debug, bytemuck::Pod, bytemuck::Zeroable)]
pub struct SwiGluParams {
    pub n: u32, // rows·H
    pub h: u32,
    pub _pad: [u32; 2],
}
const _: () = assert!(std::mem::size_of::<SwiGluParams>().is_multiple_of(16));

pub const WORKGROUP_SIZE: [u32; 3] = [256, 1, 1];
pub const BACKWARD_WORKGROUP_SIZE: [u32; 3] = [256, 1, 1];

pub fn swiglu_forward(
    gpu: &GpuContext,
    out: &GpuTensor, // (rows, H)
    inp: &GpuTensor, // (rows, 2H)
    rows: u32,
    h: u32,
) -> Op {
    let n = rows * h;
    let params = SwiGluParams { n, h, _pad: [0; 2] };
    gpu.op(Kernel::SwiGluForward, &[out, inp], &params, grid((n as u64).div_ceil(WORKGROUP_SIZE[0] as u64)))
}

/// dinp (gate and up halves) = the gradient of out = SiLU(gate)·up (stored).
pub fn swiglu_backward(
    gpu: &GpuContext,
    dinp: &GpuTensor, // (rows, 2H)
    inp: &GpuTensor,  // (rows, 2H)
    dout: &GpuTensor, // (rows, H)
    rows: u32,
    h: u32,
) -> Op {
    let n = rows * h;
    let params = SwiGluParams { n, h, _pad: [0; 2] };
    gpu.op(Kernel::SwiGluBackward, &[dinp, inp, dout], &params, grid((n as u64).div_ceil(BACKWARD_WORKGROUP_SIZE[0] as u64)))
}
