//! Launcher for `shaders/adamw_update.wgsl`; CPU twin `playground_core::cpu::adamw`.

use crate::context::{grid, pieces, GpuContext, Op};
use crate::shaders::Kernel;
use crate::tensor::GpuTensor;
use playground_core::cpu::AdamWParams;
use playground_core::params::ALIGN;

/// Uniform of `adamw_update.wgsl`: the hyper-parameters with the bias corrections already
/// computed (by core, so the CPU reference and the kernel use the same two numbers).
#[repr(C)]
#[derive(Clone, Copy, Debug, bytemuck::Pod, bytemuck::Zeroable)]
pub struct AdamWUniform {
    pub lr: f32,
    pub beta1: f32,
    pub beta2: f32,
    pub eps: f32,
    pub weight_decay: f32,
    pub bc1: f32, // 1 − β1^t
    pub bc2: f32, // 1 − β2^t
    pub n: u32,
}
const _: () = assert!(std::mem::size_of::<AdamWUniform>().is_multiple_of(16));

impl AdamWUniform {
    pub fn new(hp: &AdamWParams, n: u32) -> Self {
        let (bc1, bc2) = hp.bias_corrections();
        AdamWUniform { lr: hp.lr, beta1: hp.beta1, beta2: hp.beta2, eps: hp.eps, weight_decay: hp.weight_decay, bc1, bc2, n }
    }
}

pub const WORKGROUP_SIZE: [u32; 3] = [256, 1, 1];

/// One AdamW step over a contiguous range (the four tensors are views of the same range of
/// the parameter, moment and gradient buffers): one launch, or one per piece where the range
/// is longer than one storage binding holds (a model past `maxStorageBufferBindingSize`).
/// The step number and learning rate change every step: record the ops once, then
/// [`write_hparams`] before each step.
#[allow(clippy::too_many_arguments)]
pub fn adamw_update(
    gpu: &GpuContext,
    params: &GpuTensor,     // (N)
    m: &GpuTensor,          // (N)
    v: &GpuTensor,          // (N)
    grads: &GpuTensor,      // (N)
    grad_scale: &GpuTensor, // (1) from clip::grad_norm
    hp: &AdamWParams,
    n: u32,
) -> Vec<Op> {
    // pieces start on ALIGN floats (256 bytes), where a storage binding may start
    pieces(n as usize, gpu.max_binding_floats(), ALIGN)
        .into_iter()
        .map(|(offset, len)| {
            let piece = |t: &GpuTensor| t.slice(offset, len);
            let workgroups = grid((len as u64).div_ceil(WORKGROUP_SIZE[0] as u64));
            let tensors = [&piece(params), &piece(m), &piece(v), &piece(grads), grad_scale];
            gpu.op(Kernel::AdamwUpdate, &tensors, &AdamWUniform::new(hp, len as u32), workgroups)
        })
        .collect()
}

/// Rewrites the hyper-parameters of ops recorded by [`adamw_update`] (each keeps its own n).
pub fn write_hparams(gpu: &GpuContext, ops: &[Op], hp: &AdamWParams) {
    for op in ops {
        let n = op.params[std::mem::offset_of!(AdamWUniform, n) / 4];
        op.write_params(gpu, &AdamWUniform::new(hp, n));
    }
}
