//! Launchers for `shaders/rope_*.wgsl`; CPU twin `playground_core::cpu::rope`. Both work in
//! place on the (B, T, C + 2·KVC) qkv buffer (or its gradient); cos and sin are the uploaded
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
    pub n_kv_head: u32,
    pub _pad: [u32; 2],
}

impl RopeParams {
    pub fn new(rows: u32, t: u32, c: u32, nh: u32, nkv: u32, pos0: u32) -> Self {
        RopeParams { rows, t, c, nh, pos0, n_kv_head: nkv, _pad: [0; 2] }
    }

    /// Invocations: one per channel pair of the query and key heads, (NH + NKV)·HS/2 per row.
    fn grid(&self, workgroup: u32) -> [u32; 3] {
        let n = self.rows as u64 * (self.nh + self.n_kv_head) as u64 * (self.c / self.nh / 2) as u64;
        grid(n.div_ceil(workgroup as u64))
    }
}
const _: () = assert!(std::mem::size_of::<RopeParams>().is_multiple_of(16));

pub const WORKGROUP_SIZE: [u32; 3] = [256, 1, 1];
pub const BACKWARD_WORKGROUP_SIZE: [u32; 3] = [256, 1, 1];

#[allow(clippy::too_many_arguments)]
pub fn rope_forward(
    gpu: &GpuContext,
    qkv: &GpuTensor, // (B, T, C + 2·KVC)
    cos: &GpuTensor, // (maxT, HS/2)
    sin: &GpuTensor, // (maxT, HS/2)
    b: u32,
    t: u32,
    c: u32,
    nh: u32,
    nkv: u32,
) -> Op {
    let params = RopeParams::new(b * t, t, c, nh, nkv, 0);
    gpu.op(Kernel::RopeForward, &[qkv, cos, sin], &params, params.grid(WORKGROUP_SIZE[0]))
}

#[allow(clippy::too_many_arguments)]
pub fn rope_backward(
    gpu: &GpuContext,
    dqkv: &GpuTensor, // (B, T, C + 2·KVC)
    cos: &GpuTensor,  // (maxT, HS/2)
    sin: &GpuTensor,  // (maxT, HS/2)
    b: u32,
    t: u32,
    c: u32,
    nh: u32,
    nkv: u32,
) -> Op {
    let params = RopeParams::new(b * t, t, c, nh, nkv, 0);
    gpu.op(Kernel::RopeBackward, &[dqkv, cos, sin], &params, params.grid(BACKWARD_WORKGROUP_SIZE[0]))
}
