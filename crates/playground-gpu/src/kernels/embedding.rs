//! Launchers for `shaders/embedding_*.wgsl`; CPU twin `playground_core::cpu::embedding`.

use crate::context::{grid, GpuContext, Op};
use crate::shaders::Kernel;
use crate::tensor::GpuTensor;

#[repr(C)]
#[derive(Clone, Copy, Debug, bytemuck::Pod, bytemuck::Zeroable)]
pub struct EmbeddingParams {
    pub b: u32,
    pub t: u32,
    pub c: u32,
    /// embedding_forward: 1 adds wpe, 0 does not; embedding_backward_wpe: unused.
    pub add_pos: u32,
    /// embedding_forward: the absolute position of t = 0 (KV-cached steps); else 0.
    pub pos0: u32,
    pub _pad: [u32; 3],
}
const _: () = assert!(std::mem::size_of::<EmbeddingParams>().is_multiple_of(16));

pub const WORKGROUP_SIZE: [u32; 3] = [256, 1, 1];

/// wpe: the learned or sinusoidal position table, or None (rotary: nothing is added; wte
/// then fills the unread binding).
#[allow(clippy::too_many_arguments)]
pub fn embedding_forward(
    gpu: &GpuContext,
    out: &GpuTensor,         // (B, T, C)
    tokens: &GpuTensor,      // (B, T) u32
    wte: &GpuTensor,         // (V, C)
    wpe: Option<&GpuTensor>, // (maxT, C)
    b: u32,
    t: u32,
    c: u32,
) -> Op {
    let params = EmbeddingParams { b, t, c, add_pos: wpe.is_some() as u32, pos0: 0, _pad: [0; 3] };
    let n = b as u64 * t as u64 * c as u64;
    gpu.op(Kernel::EmbeddingForward, &[out, tokens, wte, wpe.unwrap_or(wte)], &params, grid(n.div_ceil(WORKGROUP_SIZE[0] as u64)))
}

/// Uniform of `embedding_backward_wte.wgsl`.
#[repr(C)]
#[derive(Clone, Copy, Debug, bytemuck::Pod, bytemuck::Zeroable)]
pub struct EmbeddingBackwardWteParams {
    pub b: u32,
    pub t: u32,
    pub c: u32,
    pub v: u32,
}
const _: () = assert!(std::mem::size_of::<EmbeddingBackwardWteParams>().is_multiple_of(16));

pub const BACKWARD_WTE_WORKGROUP_SIZE: [u32; 3] = [256, 1, 1];
pub const BACKWARD_WPE_WORKGROUP_SIZE: [u32; 3] = [256, 1, 1];

/// `cpu::embedding_backward` as two kernels, each output element written by one invocation:
/// dwte (V = dwte.len / C rows) += dout rows of each token, dwpe (first T rows) += Σ_b dout.
/// Without learned positions (dwpe None) only the first runs.
#[allow(clippy::too_many_arguments)]
pub fn embedding_backward(
    gpu: &GpuContext,
    dwte: &GpuTensor,         // (V, C)
    dwpe: Option<&GpuTensor>, // (maxT, C)
    dout: &GpuTensor,         // (B, T, C)
    tokens: &GpuTensor,       // (B, T) u32
    b: u32,
    t: u32,
    c: u32,
) -> Vec<Op> {
    let mut ops = vec![embedding_backward_wte(gpu, dwte, dout, tokens, b, t, c)];
    ops.extend(dwpe.map(|dwpe| embedding_backward_wpe(gpu, dwpe, dout, b, t, c)));
    ops
}

/// dwte[v, c] += Σ over positions holding token v of dout[b, t, c].
pub fn embedding_backward_wte(
    gpu: &GpuContext,
    dwte: &GpuTensor,   // (V, C)
    dout: &GpuTensor,   // (B, T, C)
    tokens: &GpuTensor, // (B, T) u32
    b: u32,
    t: u32,
    c: u32,
) -> Op {
    let v = (dwte.len / c as u64) as u32;
    let params = EmbeddingBackwardWteParams { b, t, c, v };
    let n = v as u64 * c as u64;
    gpu.op(Kernel::EmbeddingBackwardWte, &[dwte, dout, tokens], &params, grid(n.div_ceil(BACKWARD_WTE_WORKGROUP_SIZE[0] as u64)))
}

/// dwpe[t, c] += Σ_b dout[b, t, c] for t < T.
pub fn embedding_backward_wpe(
    gpu: &GpuContext,
    dwpe: &GpuTensor, // (maxT, C)
    dout: &GpuTensor, // (B, T, C)
    b: u32,
    t: u32,
    c: u32,
) -> Op {
    let params = EmbeddingParams { b, t, c, add_pos: 0, pos0: 0, _pad: [0; 3] };
    let n = t as u64 * c as u64;
    gpu.op(Kernel::EmbeddingBackwardWpe, &[dwpe, dout], &params, grid(n.div_ceil(BACKWARD_WPE_WORKGROUP_SIZE[0] as u64)))
}
