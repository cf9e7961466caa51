//! Launchers for `shaders/cross_pack_*.wgsl`; CPU twin `playground_core::cpu::cross_pack`.

use crate::context::{grid, GpuContext, Op};
use crate::shaders::Kernel;
use crate::tensor::GpuTensor;

#[repr(C)]
#[derive(Clone, Copy, Debug, bytemuck::Pod, bytemuck::Zeroable)]
pub struct CrossPackParams {
    pub n: u32, // rows·(C + 2·KVC)
    pub c: u32,
    pub kvc: u32,
    pub _pad: u32,
}
const _: () = assert!(std::mem::size_of::<CrossPackParams>().is_multiple_of(16));

pub const WORKGROUP_SIZE: [u32; 3] = [256, 1, 1];

fn params(rows: u32, c: u32, kvc: u32) -> (CrossPackParams, [u32; 3]) {
    let n = rows * (c + 2 * kvc);
    (CrossPackParams { n, c, kvc, _pad: 0 }, grid((n as u64).div_ceil(WORKGROUP_SIZE[0] as u64)))
}

/// out = [q | kv] per row: the decoder's queries beside the encoder's keys and values.
pub fn cross_pack_forward(
    gpu: &GpuContext,
    out: &GpuTensor, // (rows, C + 2·KVC)
    q: &GpuTensor,   // (rows, C)
    kv: &GpuTensor,  // (rows, 2·KVC)
    rows: u32,
    c: u32,
    kvc: u32,
) -> Op {
    let (p, g) = params(rows, c, kvc);
    gpu.op(Kernel::CrossPackForward, &[out, q, kv], &p, g)
}

/// dq = dout[.., :C], dkv = dout[.., C:] (stored: one writer each).
pub fn cross_pack_backward(
    gpu: &GpuContext,
    dq: &GpuTensor,   // (rows, C)
    dkv: &GpuTensor,  // (rows, 2·KVC)
    dout: &GpuTensor, // (rows, C + 2·KVC)
    rows: u32,
    c: u32,
    kvc: u32,
) -> Op {
    let (p, g) = params(rows, c, kvc);
    gpu.op(Kernel::CrossPackBackward, &[dq, dkv, dout], &p, g)
}
