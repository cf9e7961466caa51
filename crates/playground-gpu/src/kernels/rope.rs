//! Launchers for `shaders/rope_*.wgsl`; CPU twin `playground_core::cpu::rope`. Both work in
//! place on the (B, T, 3C) qkv buffer (or its gradient); cos and sin are the uploaded
//! (maxT, HS/2) tables of `playground_core::cpu::rope_table`.

use crate::context::{grid, GpuContext, Op};
use crate::shaders::Kernel;
use crate::tensor::GpuTensor;

#[repr(C)]
#[derive(Clone, Copy, Debug, bytemuck::Pod, bytemuck::Zeroable)]
pub struct RopeParams {
    pub rows: u32, // B·T
    pub t: u32,
    pub c: u32,
    pub nh: u32,
    /// The absolute position of t = 0 (KV-cached steps); else 0.
    pub pos0: u32,
    pub _pad: [u32; 3],
}
const _: () = assert!(std::mem::size_of::<RopeParams>().is_multiple_of(16));

pub const WORKGROUP_SIZE: [u32; 3] = [256, 1, 1];
pub const BACKWARD_WORKGROUP_SIZE: [u32; 3] = [256, 1, 1];

#[allow(clippy::too_many_arguments)]
pub fn rope_forward(
    gpu: &GpuContext,
    qkv: &GpuTensor, // (B, T, 3C)
    cos: &GpuTensor, // (maxT, HS/2)
    sin: &GpuTensor, // (maxT, HS/2)
    b: u32,
    t: u32,
    c: u32,
    nh: u32,
) -> Op {
    let params = RopeParams { rows: b * t, t, c, nh, pos0: 0, _pad: [0; 3] };
    // one invocation per channel pair: C per row (Q and K, NH heads, HS/2 pairs)
    let n = (b * t) as u64 * c as u64;
    gpu.op(Kernel::RopeForward, &[qkv, cos, sin], &params, grid(n.div_ceil(WORKGROUP_SIZE[0] as u64)))
}

#[allow(clippy::too_many_arguments)]
pub fn rope_backward(
    gpu: &GpuContext,
    dqkv: &GpuTensor, // (B, T, 3C)
    cos: &GpuTensor,  // (maxT, HS/2)
    sin: &GpuTensor,  // (maxT, HS/2)
    b: u32,
    t: u32,
    c: u32,
    nh: u32,
) -> Op {
    let params = RopeParams { rows: b * t, t, c, nh, pos0: 0, _pad: [0; 3] };
    let n = (b * t) as u64 * c as u64;
    gpu.op(Kernel::RopeBackward, &[dqkv, cos, sin], &params, grid(n.div_ceil(BACKWARD_WORKGROUP_SIZE[0] as u64)))
}
