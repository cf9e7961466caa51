//! Launcher for `shaders/attention_forward.wgsl`; CPU twin `playground_core::cpu::attention`.

use crate::context::{grid, GpuContext, Op};
use crate::shaders::Kernel;
use crate::tensor::GpuTensor;

#[repr(C)]
#[derive(Clone, Copy, Debug, bytemuck::Pod, bytemuck::Zeroable)]
pub struct AttentionParams {
    pub b: u32,
    pub t: u32,
    pub c: u32,
    pub nh: u32,
    pub keep_weights: u32,
    pub _pad: [u32; 3],
}
const _: () = assert!(std::mem::size_of::<AttentionParams>().is_multiple_of(16));

pub const WORKGROUP_SIZE: [u32; 3] = [64, 1, 1];

/// `weights` = (preatt, att), each (B, NH, T, T), are written only when given (a trace asked
/// for them); training passes `None` and keeps only `lse`.
#[allow(clippy::too_many_arguments)]
pub fn attention_forward(
    gpu: &GpuContext,
    out: &GpuTensor,                           // (B, T, C)
    lse: &GpuTensor,                           // (B, NH, T)
    weights: Option<(&GpuTensor, &GpuTensor)>, // (B, NH, T, T) twice
    qkv: &GpuTensor,                           // (B, T, 3C)
    b: u32,
    t: u32,
    c: u32,
    nh: u32,
) -> Op {
    let (preatt, att) = weights.unwrap_or((gpu.unused(0), gpu.unused(1)));
    let params = AttentionParams { b, t, c, nh, keep_weights: weights.is_some() as u32, _pad: [0; 3] };
    let rows = b as u64 * nh as u64 * t as u64;
    gpu.op(Kernel::AttentionForward, &[out, lse, preatt, att, qkv], &params, grid(rows.div_ceil(WORKGROUP_SIZE[0] as u64)))
}
