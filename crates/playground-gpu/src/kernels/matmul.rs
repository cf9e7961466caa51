//! Launchers for `shaders/matmul_*.wgsl`; CPU twin `playground_core::cpu::matmul`.

use crate::context::{grid, GpuContext, Op};
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
/// The two tiled backward kernels have the forward's shape of work.
pub const BACKWARD_INPUT_WORKGROUP_SIZE: [u32; 3] = WORKGROUP_SIZE;
pub const BACKWARD_WEIGHT_WORKGROUP_SIZE: [u32; 3] = WORKGROUP_SIZE;
/// 32 columns × 8 row lanes.
pub const BACKWARD_BIAS_WORKGROUP_SIZE: [u32; 3] = [32, 8, 1];
/// Side of the output block one workgroup of the tiled kernels computes.
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

/// `cpu::matmul_backward` as two or three kernels, each accumulating (`+=`):
/// dinp (M, K) += dout · weight, dweight (N, K) += doutᵀ · inp, dbias (N) += Σ_m dout.
#[allow(clippy::too_many_arguments)]
pub fn matmul_backward(
    gpu: &GpuContext,
    dinp: &GpuTensor,          // (M, K)
    dweight: &GpuTensor,       // (N, K)
    dbias: Option<&GpuTensor>, // (N)
    dout: &GpuTensor,          // (M, N)
    inp: &GpuTensor,           // (M, K)
    weight: &GpuTensor,        // (N, K)
    m: u32,
    k: u32,
    n: u32,
) -> Vec<Op> {
    let mut ops = vec![matmul_backward_input(gpu, dinp, dout, weight, m, k, n), matmul_backward_weight(gpu, dweight, dout, inp, m, k, n)];
    if let Some(dbias) = dbias {
        ops.push(matmul_backward_bias(gpu, dbias, dout, m, n));
    }
    ops
}

/// Uniform of the two tiled backward kernels, `matmul_backward_{input,weight}.wgsl`.
#[repr(C)]
#[derive(Clone, Copy, Debug, bytemuck::Pod, bytemuck::Zeroable)]
pub struct MatmulBackwardParams {
    pub m: u32,
    pub k: u32,
    pub n: u32,
    pub _pad: u32,
}
const _: () = assert!(std::mem::size_of::<MatmulBackwardParams>().is_multiple_of(16));

/// dinp (M, K) += dout (M, N) · weight (N, K).
pub fn matmul_backward_input(
    gpu: &GpuContext,
    dinp: &GpuTensor,   // (M, K)
    dout: &GpuTensor,   // (M, N)
    weight: &GpuTensor, // (N, K)
    m: u32,
    k: u32,
    n: u32,
) -> Op {
    let params = MatmulBackwardParams { m, k, n, _pad: 0 };
    gpu.op(Kernel::MatmulBackwardInput, &[dinp, dout, weight], &params, [k.div_ceil(TILE), m.div_ceil(TILE), 1])
}

/// dweight (N, K) += dout (M, N)ᵀ · inp (M, K).
pub fn matmul_backward_weight(
    gpu: &GpuContext,
    dweight: &GpuTensor, // (N, K)
    dout: &GpuTensor,    // (M, N)
    inp: &GpuTensor,     // (M, K)
    m: u32,
    k: u32,
    n: u32,
) -> Op {
    let params = MatmulBackwardParams { m, k, n, _pad: 0 };
    gpu.op(Kernel::MatmulBackwardWeight, &[dweight, dout, inp], &params, [k.div_ceil(TILE), n.div_ceil(TILE), 1])
}

/// Uniform of `matmul_backward_bias.wgsl`.
#[repr(C)]
#[derive(Clone, Copy, Debug, bytemuck::Pod, bytemuck::Zeroable)]
pub struct MatmulBiasParams {
    pub m: u32,
    pub n: u32,
    pub _pad: [u32; 2],
}
const _: () = assert!(std::mem::size_of::<MatmulBiasParams>().is_multiple_of(16));

/// dbias (N) += Σ_m dout (M, N).
pub fn matmul_backward_bias(
    gpu: &GpuContext,
    dbias: &GpuTensor, // (N)
    dout: &GpuTensor,  // (M, N)
    m: u32,
    n: u32,
) -> Op {
    let blocks = n.div_ceil(BACKWARD_BIAS_WORKGROUP_SIZE[0]) as u64;
    gpu.op(Kernel::MatmulBackwardBias, &[dbias, dout], &MatmulBiasParams { m, n, _pad: [0; 2] }, grid(blocks))
}
