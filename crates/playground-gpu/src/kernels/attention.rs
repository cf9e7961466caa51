//! Launchers for `shaders/attention_*.wgsl`; CPU twin `playground_core::cpu::attention`.

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
/// The three backward kernels: one invocation per (b, h, t) row.
pub const BACKWARD_WORKGROUP_SIZE: [u32; 3] = [64, 1, 1];

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

/// Uniform of the three `attention_backward_*.wgsl` kernels.
#[repr(C)]
#[derive(Clone, Copy, Debug, bytemuck::Pod, bytemuck::Zeroable)]
pub struct AttentionBackwardParams {
    pub b: u32,
    pub t: u32,
    pub c: u32,
    pub nh: u32,
}
const _: () = assert!(std::mem::size_of::<AttentionBackwardParams>().is_multiple_of(16));

/// `cpu::attention_backward` without the (T, T) weights, in three kernels: `delta` = dO·out
/// per row (prep), then dQ per query row, then dK and dV per key row, each recomputing
/// p = exp(q·k·scale − lse). dqkv accumulates (`+=`); `delta` is scratch, overwritten.
#[allow(clippy::too_many_arguments)]
pub fn attention_backward(
    gpu: &GpuContext,
    dqkv: &GpuTensor,  // (B, T, 3C)
    delta: &GpuTensor, // (B, NH, T) scratch
    dout: &GpuTensor,  // (B, T, C)
    qkv: &GpuTensor,   // (B, T, 3C)
    out: &GpuTensor,   // (B, T, C) attention_forward's out
    lse: &GpuTensor,   // (B, NH, T) attention_forward's lse
    b: u32,
    t: u32,
    c: u32,
    nh: u32,
) -> [Op; 3] {
    let params = AttentionBackwardParams { b, t, c, nh };
    let rows = b as u64 * nh as u64 * t as u64;
    let workgroups = grid(rows.div_ceil(BACKWARD_WORKGROUP_SIZE[0] as u64));
    [
        gpu.op(Kernel::AttentionBackwardPrep, &[delta, dout, out], &params, workgroups),
        gpu.op(Kernel::AttentionBackwardQuery, &[dqkv, dout, qkv, lse, delta], &params, workgroups),
        gpu.op(Kernel::AttentionBackwardKey, &[dqkv, dout, qkv, lse, delta], &params, workgroups),
    ]
}
