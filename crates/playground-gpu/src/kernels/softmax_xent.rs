//! Launchers for `shaders/softmax_xent_*.wgsl`; CPU twin `playground_core::cpu::softmax_xent`.

use crate::context::{grid, GpuContext, Op};
use crate::shaders::Kernel;
use crate::tensor::GpuTensor;

#[repr(C)]
#[derive(Clone, Copy, Debug, bytemuck::Pod, bytemuck::Zeroable)]
pub struct SoftmaxXentParams {
    pub rows: u32,
    pub v: u32,
    pub has_targets: u32,
    pub _pad: u32,
}
const _: () = assert!(std::mem::size_of::<SoftmaxXentParams>().is_multiple_of(16));

pub const WORKGROUP_SIZE: [u32; 3] = [64, 1, 1];
pub const BACKWARD_WORKGROUP_SIZE: [u32; 3] = [256, 1, 1];

/// With `targets = None` only probabilities are computed and `losses` is not written.
#[allow(clippy::too_many_arguments)]
pub fn softmax_xent_forward(
    gpu: &GpuContext,
    probs: &GpuTensor,           // (rows, V)
    losses: &GpuTensor,          // (rows)
    logits: &GpuTensor,          // (rows, V)
    targets: Option<&GpuTensor>, // (rows) u32
    rows: u32,
    v: u32,
) -> Op {
    let params = SoftmaxXentParams { rows, v, has_targets: targets.is_some() as u32, _pad: 0 };
    let kernel = if gpu.subgroups() { Kernel::SoftmaxXentForwardSubgroups } else { Kernel::SoftmaxXentForward };
    gpu.op(kernel, &[probs, losses, logits, targets.unwrap_or(gpu.unused(0))], &params, grid(rows as u64))
}

/// Uniform of `softmax_xent_backward.wgsl`.
#[repr(C)]
#[derive(Clone, Copy, Debug, bytemuck::Pod, bytemuck::Zeroable)]
pub struct SoftmaxXentBackwardParams {
    pub rows: u32,
    pub v: u32,
    pub _pad: [u32; 2],
}
const _: () = assert!(std::mem::size_of::<SoftmaxXentBackwardParams>().is_multiple_of(16));

/// dlogits = (probs − onehot(targets))·dlosses (0 in IGNORE rows), stored, one invocation per
/// element.
pub fn softmax_xent_backward(
    gpu: &GpuContext,
    dlogits: &GpuTensor, // (rows, V)
    dlosses: &GpuTensor, // (rows)
    probs: &GpuTensor,   // (rows, V)
    targets: &GpuTensor, // (rows) u32
    rows: u32,
    v: u32,
) -> Op {
    let params = SoftmaxXentBackwardParams { rows, v, _pad: [0; 2] };
    let n = rows as u64 * v as u64;
    gpu.op(Kernel::SoftmaxXentBackward, &[dlogits, dlosses, probs, targets], &params, grid(n.div_ceil(BACKWARD_WORKGROUP_SIZE[0] as u64)))
}
