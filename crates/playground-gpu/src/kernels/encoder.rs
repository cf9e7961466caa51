//! Launchers for `shaders/encoder_*.wgsl`; CPU twin `playground_core::cpu::encoder`.

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

/// Uniform of `encoder_backward_wte.wgsl`.
#[repr(C)]
#[derive(Clone, Copy, Debug, bytemuck::Pod, bytemuck::Zeroable)]
pub struct EncoderBackwardWteParams {
    pub b: u32,
    pub t: u32,
    pub c: u32,
    pub v: u32,
}
const _: () = assert!(std::mem::size_of::<EncoderBackwardWteParams>().is_multiple_of(16));

pub const BACKWARD_WTE_WORKGROUP_SIZE: [u32; 3] = [256, 1, 1];
pub const BACKWARD_WPE_WORKGROUP_SIZE: [u32; 3] = [256, 1, 1];

/// `cpu::encoder_backward` as two kernels, each output element written by one invocation:
/// dwte (V = dwte.len / C rows) += dout rows of each token, dwpe (first T rows) += Σ_b dout.
#[allow(clippy::too_many_arguments)]
pub fn encoder_backward(
    gpu: &GpuContext,
    dwte: &GpuTensor,   // (V, C)
    dwpe: &GpuTensor,   // (maxT, C)
    dout: &GpuTensor,   // (B, T, C)
    tokens: &GpuTensor, // (B, T) u32
    b: u32,
    t: u32,
    c: u32,
) -> [Op; 2] {
    [encoder_backward_wte(gpu, dwte, dout, tokens, b, t, c), encoder_backward_wpe(gpu, dwpe, dout, b, t, c)]
}

/// dwte[v, c] += Σ over positions holding token v of dout[b, t, c].
pub fn encoder_backward_wte(
    gpu: &GpuContext,
    dwte: &GpuTensor,   // (V, C)
    dout: &GpuTensor,   // (B, T, C)
    tokens: &GpuTensor, // (B, T) u32
    b: u32,
    t: u32,
    c: u32,
) -> Op {
    let v = (dwte.len / c as u64) as u32;
    let params = EncoderBackwardWteParams { b, t, c, v };
    let n = v as u64 * c as u64;
    gpu.op(Kernel::EncoderBackwardWte, &[dwte, dout, tokens], &params, grid(n.div_ceil(BACKWARD_WTE_WORKGROUP_SIZE[0] as u64)))
}

/// dwpe[t, c] += Σ_b dout[b, t, c] for t < T.
pub fn encoder_backward_wpe(
    gpu: &GpuContext,
    dwpe: &GpuTensor, // (maxT, C)
    dout: &GpuTensor, // (B, T, C)
    b: u32,
    t: u32,
    c: u32,
) -> Op {
    let params = EncoderParams { b, t, c, _pad: 0 };
    let n = t as u64 * c as u64;
    gpu.op(Kernel::EncoderBackwardWpe, &[dwpe, dout], &params, grid(n.div_ceil(BACKWARD_WPE_WORKGROUP_SIZE[0] as u64)))
}
