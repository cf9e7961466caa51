//! Launchers for `shaders/grad_norm_*.wgsl`; CPU twin `playground_core::cpu::clip`.
//! The norm and the clipping factor stay on the GPU: adamw_update reads `scale` directly.

use super::LenParams;
use crate::context::{grid, GpuContext, Op};
use crate::shaders::Kernel;
use crate::tensor::GpuTensor;
use playground_core::cpu::CLIP_EPS;

/// Gradients summed per workgroup of grad_norm_partial (must equal CHUNK in the WGSL).
pub const CHUNK: u32 = 4096;
pub const PARTIAL_WORKGROUP_SIZE: [u32; 3] = [256, 1, 1];
pub const FINALIZE_WORKGROUP_SIZE: [u32; 3] = [256, 1, 1];

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
pub fn grad_norm(
    gpu: &GpuContext,
    norm: &GpuTensor,     // (1)
    scale: &GpuTensor,    // (1)
    partials: &GpuTensor, // (partials_len(N)) scratch
    grads: &GpuTensor,    // (N)
    max_norm: f32,
    n: u32,
) -> [Op; 2] {
    [grad_norm_partial(gpu, partials, grads, n), grad_norm_finalize(gpu, norm, scale, partials, max_norm, partials_len(n) as u32)]
}

pub fn grad_norm_partial(
    gpu: &GpuContext,
    partials: &GpuTensor, // (partials_len(N))
    grads: &GpuTensor,    // (N)
    n: u32,
) -> Op {
    let kernel = if gpu.subgroups() { Kernel::GradNormPartialSubgroups } else { Kernel::GradNormPartial };
    gpu.op(kernel, &[partials, grads], &LenParams::new(n), grid(partials_len(n) as u64))
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
