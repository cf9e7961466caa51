//! Launchers for `shaders/grad_norm_*.wgsl`; CPU twin `playground_core::cpu::clip`.
//! The norm and the clipping factor stay on the GPU: adamw_update reads `scale` directly.

use crate::context::{grid, pieces, GpuContext, Op};
use crate::shaders::Kernel;
use crate::tensor::GpuTensor;
use playground_core::cpu::CLIP_EPS;

/// Gradients summed per workgroup of grad_norm_partial (must equal CHUNK in the WGSL).
pub const CHUNK: u32 = 4096;
pub const PARTIAL_WORKGROUP_SIZE: [u32; 3] = [256, 1, 1];
pub const FINALIZE_WORKGROUP_SIZE: [u32; 3] = [256, 1, 1];

/// Uniform of `grad_norm_partial.wgsl`: one piece of the gradients, whose chunk sums go to
/// `partials[first..]`.
#[repr(C)]
#[derive(Clone, Copy, Debug, bytemuck::Pod, bytemuck::Zeroable)]
pub struct GradNormPartialParams {
    pub n: u32,     // gradients in this piece
    pub first: u32, // the piece's first chunk: its offset / CHUNK
    pub _pad: [u32; 2],
}
const _: () = assert!(std::mem::size_of::<GradNormPartialParams>().is_multiple_of(16));

/// Uniform of `grad_norm_finalize.wgsl`.
#[repr(C)]
#[derive(Clone, Copy, Debug, bytemuck::Pod, bytemuck::Zeroable)]
pub struct GradNormFinalizeParams {
    pub count: u32,
    pub max_norm: f32,
    pub eps: f32,
    pub _pad: u32,
}
const _: () = assert!(std::mem::size_of::<GradNormFinalizeParams>().is_multiple_of(16));

/// Length of the partials buffer for `n` gradients.
pub fn partials_len(n: u32) -> usize {
    n.div_ceil(CHUNK).max(1) as usize
}

/// `cpu::grad_norm` and `cpu::clip_scale` in two kernels: sums of squares per chunk, then
/// one workgroup adds them and writes norm = √Σ and scale = min(1, max_norm / (norm + ε)).
/// Gradients longer than one storage binding take one partial launch per binding-sized piece.
pub fn grad_norm(
    gpu: &GpuContext,
    norm: &GpuTensor,     // (1)
    scale: &GpuTensor,    // (1)
    partials: &GpuTensor, // (partials_len(N)) scratch
    grads: &GpuTensor,    // (N)
    max_norm: f32,
    n: u32,
) -> Vec<Op> {
    let mut ops = grad_norm_partial(gpu, partials, grads, n);
    ops.push(grad_norm_finalize(gpu, norm, scale, partials, max_norm, partials_len(n) as u32));
    ops
}

/// Sums of squares per chunk of CHUNK gradients, one launch per piece of `grads` that one
/// storage binding holds (pieces start on chunk boundaries, so chunk w's sum lands in
/// `partials[w]` whichever launch computes it; one launch for a model within the limit).
pub fn grad_norm_partial(
    gpu: &GpuContext,
    partials: &GpuTensor, // (partials_len(N))
    grads: &GpuTensor,    // (N)
    n: u32,
) -> Vec<Op> {
    let kernel = if gpu.subgroups() { Kernel::GradNormPartialSubgroups } else { Kernel::GradNormPartial };
    let mut parts = pieces(n as usize, gpu.max_binding_floats(), CHUNK as usize);
    if parts.is_empty() {
        parts.push((0, 0)); // n = 0 still writes partials[0] = 0
    }
    parts
        .into_iter()
        .map(|(offset, len)| {
            let params = GradNormPartialParams { n: len as u32, first: offset as u32 / CHUNK, _pad: [0; 2] };
            gpu.op(kernel, &[partials, &grads.slice(offset, len)], &params, grid(partials_len(len as u32) as u64))
        })
        .collect()
}

pub fn grad_norm_finalize(
    gpu: &GpuContext,
    norm: &GpuTensor,     // (1)
    scale: &GpuTensor,    // (1)
    partials: &GpuTensor, // (count)
    max_norm: f32,
    count: u32,
) -> Op {
    let params = GradNormFinalizeParams { count, max_norm, eps: CLIP_EPS, _pad: 0 };
    let kernel = if gpu.subgroups() { Kernel::GradNormFinalizeSubgroups } else { Kernel::GradNormFinalize };
    gpu.op(kernel, &[norm, scale, partials], &params, [1, 1, 1])
}
