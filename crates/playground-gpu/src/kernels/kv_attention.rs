//! Launchers for `shaders/kv_cache_write.wgsl` and `shaders/kv_attention_forward.wgsl`; CPU
//! twin `playground_core::cpu::kv_attention`. Decoder inference with a KV cache: N new rows
//! (a prompt's few tokens, or one token) at absolute positions pos0 .. pos0 + N.

use crate::context::{grid, GpuContext, Op};
use crate::shaders::Kernel;
use crate::tensor::GpuTensor;

/// Uniform of both kernels.
#[repr(C)]
#[derive(Clone, Copy, Debug, bytemuck::Pod, bytemuck::Zeroable)]
pub struct KvParams {
    pub n: u32,
    pub pos0: u32,
    pub c: u32,
    pub nh: u32,
    pub maxt: u32,
    pub n_kv_head: u32,
    pub _pad: [u32; 2],
}
const _: () = assert!(std::mem::size_of::<KvParams>().is_multiple_of(16));

pub const WRITE_WORKGROUP_SIZE: [u32; 3] = [256, 1, 1];
pub const WORKGROUP_SIZE: [u32; 3] = [64, 1, 1];

/// kcache, vcache [h, pos0 + i] = K, V of new row i, head h.
#[allow(clippy::too_many_arguments)]
pub fn kv_cache_write(
    gpu: &GpuContext,
    kcache: &GpuTensor, // (NKV, maxT, HS)
    vcache: &GpuTensor, // (NKV, maxT, HS)
    qkv: &GpuTensor,    // (N, C + 2·KVC)
    n: u32,
    pos0: u32,
    c: u32,
    nh: u32,
    nkv: u32,
    maxt: u32,
) -> Op {
    let params = KvParams { n, pos0, c, nh, maxt, n_kv_head: nkv, _pad: [0; 2] };
    let count = n as u64 * (nkv * (c / nh)) as u64;
    gpu.op(Kernel::KvCacheWrite, &[kcache, vcache, qkv], &params, grid(count.div_ceil(WRITE_WORKGROUP_SIZE[0] as u64)))
}

/// out (N, C): each new row's causal attention over the cache, one workgroup per (row, head).
/// att is the kernel's scratch for scores and weights; the CPU twin keeps them in a local.
#[allow(clippy::too_many_arguments)]
pub fn kv_attention_forward(
    gpu: &GpuContext,
    out: &GpuTensor,    // (N, C)
    att: &GpuTensor,    // (N, NH, maxT) scratch
    qkv: &GpuTensor,    // (N, C + 2·KVC)
    kcache: &GpuTensor, // (NKV, maxT, HS)
    vcache: &GpuTensor, // (NKV, maxT, HS)
    n: u32,
    pos0: u32,
    c: u32,
    nh: u32,
    nkv: u32,
    maxt: u32,
) -> Op {
    let params = KvParams { n, pos0, c, nh, maxt, n_kv_head: nkv, _pad: [0; 2] };
    gpu.op(Kernel::KvAttentionForward, &[out, att, qkv, kcache, vcache], &params, grid(n as u64 * nh as u64))
}
