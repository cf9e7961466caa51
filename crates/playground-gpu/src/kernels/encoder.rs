//! Launcher for `shaders/encoder_forward.wgsl`; CPU twin `playground_core::cpu::encoder`.

use crate::context::{grid, GpuContext, Op};
use crate::shaders::Kernel;
use crate::tensor::GpuTensor;

#[repr(C)]
#[derive(Clone, Copy, Debug, bytemuck::Pod, bytemuck::Zeroable)]
pub struct EncoderParams {
    pub b: u32,
    pub t: u32,
    pub c: u32,
    pub _pad: u32,
}
const _: () = assert!(std::mem::size_of::<EncoderParams>().is_multiple_of(16));

pub const WORKGROUP_SIZE: [u32; 3] = [256, 1, 1];

#[allow(clippy::too_many_arguments)]
pub fn encoder_forward(
    gpu: &GpuContext,
    out: &GpuTensor,    // (B, T, C)
    tokens: &GpuTensor, // (B, T) u32
    wte: &GpuTensor,    // (V, C)
    wpe: &GpuTensor,    // (maxT, C)
    b: u32,
    t: u32,
    c: u32,
) -> Op {
    let params = EncoderParams { b, t, c, _pad: 0 };
    let n = b as u64 * t as u64 * c as u64;
    gpu.op(Kernel::EncoderForward, &[out, tokens, wte, wpe], &params, grid(n.div_ceil(WORKGROUP_SIZE[0] as u64)))
}
