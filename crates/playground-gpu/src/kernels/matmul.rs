//! Launcher for `shaders/matmul_forward.wgsl`; CPU twin `playground_core::cpu::matmul`.

use crate::context::{GpuContext, Op};
use crate::shaders::Kernel;
use crate::tensor::GpuTensor;

#[repr(C)]
#[derive(Clone, Copy, Debug, bytemuck::Pod, bytemuck::Zeroable)]
pub struct MatmulParams {
    pub m: u32,
    pub k: u32,
    pub n: u32,
    pub has_bias: u32,
}
const _: () = assert!(std::mem::size_of::<MatmulParams>().is_multiple_of(16));

pub const WORKGROUP_SIZE: [u32; 3] = [16, 16, 1];
/// Side of the block of `out` one workgroup computes.
pub const TILE: u32 = 64;

/// out (M, N) = inp (M, K) · weight (N, K)ᵀ + bias (N).
#[allow(clippy::too_many_arguments)]
pub fn matmul_forward(
    gpu: &GpuContext,
    out: &GpuTensor,          // (M, N)
    inp: &GpuTensor,          // (M, K)
    weight: &GpuTensor,       // (N, K)
    bias: Option<&GpuTensor>, // (N)
    m: u32,
    k: u32,
    n: u32,
) -> Op {
    let params = MatmulParams { m, k, n, has_bias: bias.is_some() as u32 };
    gpu.op(Kernel::MatmulForward, &[out, inp, weight, bias.unwrap_or(gpu.unused(0))], &params, [n.div_ceil(TILE), m.div_ceil(TILE), 1])
}
