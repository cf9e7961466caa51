//! Launchers for `shaders/attention_*.wgsl`; CPU twin `playground_core::cpu::attention`.

use crate::context::{grid, GpuContext, Op};
use crate::shaders::Kernel;
use crate::tensor::GpuTensor;

/// Uniform of every attention kernel (`include/attention_params.wgsl`).
#[repr(C)]
#[derive(Clone, Copy, Debug, bytemuck::Pod, bytemuck::Zeroable)]
pub struct AttentionParams {
    pub b: u32,
    pub t: u32,
    pub c: u32,
    pub nh: u32,
    /// 1: query t sees keys j ≤ t (GPT); 0: every key (BERT's encoder).
    pub causal: u32,
    /// `attention_forward.wgsl`: 1 writes the (T, T) scores and weights.
    pub keep_weights: u32,
    /// NKV key/value heads; query head h reads head h / (NH/NKV).
    pub n_kv_head: u32,
    pub _pad: u32,
}
const _: () = assert!(std::mem::size_of::<AttentionParams>().is_multiple_of(16));

impl AttentionParams {
    pub fn new(b: u32, t: u32, c: u32, nh: u32, nkv: u32, causal: bool) -> Self {
        AttentionParams { b, t, c, nh, causal: causal as u32, keep_weights: 0, n_kv_head: nkv, _pad: 0 }
    }
}

pub const WORKGROUP_SIZE: [u32; 3] = [64, 1, 1];
/// The three backward kernels: one invocation per (b, h, t) row.
pub const BACKWARD_WORKGROUP_SIZE: [u32; 3] = [64, 1, 1];
/// The tiled kernels (`attention_*_tiled.wgsl`): one workgroup per (b, h, block of 64 rows).
pub const TILED_WORKGROUP_SIZE: [u32; 3] = [64, 1, 1];
/// The largest head size the tiled kernels hold in registers (`MAX_HS4` vec4s in the WGSL).
pub const TILED_MAX_HEAD_SIZE: u32 = 64;

/// The largest head size of the training kernels with the head written out
/// (`attention_{forward,backward_*}_head32.wgsl`, `H4` vec4s; the backward ones 2.6× faster
/// than the tiled ones on CPU-emulated GPUs at 32 channels). They always compute all `H4`
/// vec4s, so heads of at most half that keep the tiled kernels, whose loops run to the head size.
pub const HEAD32_MAX_HEAD_SIZE: u32 = 32;

/// Whether training's forward and backward take the `_head32` kernels for this shape.
pub fn head32(c: u32, nh: u32) -> bool {
    let hs = c / nh;
    hs > HEAD32_MAX_HEAD_SIZE / 2 && hs <= HEAD32_MAX_HEAD_SIZE
}

/// The kernels with the head in registers: the forward and dQ (`*_regs64`: the tiled kernels
/// built to loop to the constant head size), and dK with dV in one kernel, each key row over
/// `REGS_KV_LANES` lanes (`attention_backward_kv_lanes64`: attention_backward_kv_lanes.wgsl's
/// build for these heads).
#[derive(Clone, Copy, Debug)]
pub struct RegsKernels {
    pub forward: Kernel,
    pub query: Kernel,
    pub kv: Kernel,
}

/// The largest head size of the kernels with the head in registers.
pub const REGS_MAX_HEAD_SIZE: u32 = 64;

/// Invocations that hold one key row in the dK/dV kernel of `regs`, each with half of the head:
/// K, V, dK and dV of a 64-channel head are 256 floats, past the 255 registers a GPU gives one
/// invocation, 128 over two. (One kernel for both gradients computes p and dO·V once for both;
/// as two kernels of one lane a row, dV recomputed p, 25% more of their FLOPs and a launch.)
pub const REGS_KV_LANES: u32 = 2;
/// The dK/dV kernel of `regs`: 64 key rows a workgroup, `REGS_KV_LANES` invocations a row.
pub const REGS_KV_WORKGROUP_SIZE: [u32; 3] = [TILED_WORKGROUP_SIZE[0] * REGS_KV_LANES, 1, 1];

/// On a GPU (not an emulator, which reads a private array lane by lane), heads of 33 to 64
/// channels take the kernels with the head in registers (heads up to 32 take the _head32
/// kernels, already in registers). A 128-channel head does not fit one invocation's registers
/// (Q and the output alone are 256 floats, a GPU gives 255): such heads take `lanes`.
pub fn regs(gpu: &GpuContext, c: u32, nh: u32) -> Option<RegsKernels> {
    let hs = c / nh;
    (!gpu.is_emulated() && hs > HEAD32_MAX_HEAD_SIZE && hs <= REGS_MAX_HEAD_SIZE).then_some(RegsKernels {
        forward: Kernel::AttentionForwardRegs64,
        query: Kernel::AttentionBackwardQueryRegs64,
        kv: Kernel::AttentionBackwardKvLanes64,
    })
}

/// Invocations that hold one row in the _lanes kernels (`LANES` in shaders.rs), each with a
/// quarter of the head.
pub const LANES: u32 = 4;
/// The largest head size of the _lanes kernels.
pub const LANES_MAX_HEAD_SIZE: u32 = 128;
/// The _lanes kernels: 64 rows a workgroup, `LANES` invocations a row.
pub const LANES_WORKGROUP_SIZE: [u32; 3] = [TILED_WORKGROUP_SIZE[0] * LANES, 1, 1];

/// Whether this shape takes the kernels with each row split over `LANES` invocations
/// (`attention_forward_lanes`, `attention_backward_query_lanes`, `attention_backward_kv_lanes`):
/// on a GPU, heads of 65 to 128 channels. Each lane holds 8 vec4s of each of the row's arrays in
/// registers (forward: Q and the output, 64 floats; dQ: Q, dO and dQ, 96; dK/dV: K, V, dK and
/// dV, 128, so one kernel) where one invocation would hold 256 to 512, past a GPU's 255, and the
/// per-row kernels these heads took before loop over them in local memory; the lanes' parts of
/// the dot products are summed through workgroup memory. The cost model's figures (4 layers ×
/// 512 wide, head 128, on an H100) are in docs/PERFORMANCE.md ("Heads of 65 to 128 channels").
/// Emulators keep the per-row kernels: they read a private array lane by lane, so registers buy
/// nothing there, and four lanes a row add barriers.
pub fn lanes(gpu: &GpuContext, c: u32, nh: u32) -> bool {
    let hs = c / nh;
    !gpu.is_emulated() && hs > REGS_MAX_HEAD_SIZE && hs <= LANES_MAX_HEAD_SIZE
}

/// Whether training uses the tiled kernels for this shape (else the per-row ones).
pub fn tiled(c: u32, nh: u32) -> bool {
    c / nh <= TILED_MAX_HEAD_SIZE
}

/// Workgroups of the tiled kernels: one per (b, head, block of 64 rows), over `heads` heads
/// (the query heads, or for dK and dV the key/value heads).
fn tiled_grid(b: u32, t: u32, heads: u32) -> [u32; 3] {
    grid(b as u64 * heads as u64 * t.div_ceil(TILED_WORKGROUP_SIZE[0]) as u64)
}

/// `weights` = (preatt, att), each (B, NH, T, T), are written only when given (a trace asked
/// for them); training passes `None` and keeps only `lse`. Without weights, heads of 17 to 32
/// channels take the online-softmax kernel with the head written out (`attention_forward_head32`),
/// on a GPU heads of 33 to 64 the one with the head in registers (`regs`), other heads of at
/// most 64 the tiled one (`attention_forward_tiled`); otherwise the per-row kernel that can keep
/// the weights (`attention_forward`), but on a GPU heads of 65 to 128 take the one with the row
/// split over lanes (`lanes`).
#[allow(clippy::too_many_arguments)]
pub fn attention_forward(
    gpu: &GpuContext,
    out: &GpuTensor,                           // (B, T, C)
    lse: &GpuTensor,                           // (B, NH, T)
    weights: Option<(&GpuTensor, &GpuTensor)>, // (B, NH, T, T) twice
    qkv: &GpuTensor,                           // (B, T, C + 2·KVC)
    b: u32,
    t: u32,
    c: u32,
    nh: u32,
    nkv: u32,
    causal: bool,
) -> Op {
    let staged = match regs(gpu, c, nh) {
        Some(regs) => Some(regs.forward),
        None if head32(c, nh) => Some(Kernel::AttentionForwardHead32),
        None if tiled(c, nh) => Some(Kernel::AttentionForwardTiled),
        None => lanes(gpu, c, nh).then_some(Kernel::AttentionForwardLanes),
    };
    if let (Some(kernel), None) = (staged, weights) {
        let params = AttentionParams::new(b, t, c, nh, nkv, causal);
        return gpu.op(kernel, &[out, lse, qkv], &params, tiled_grid(b, t, nh));
    }
    let (preatt, att) = weights.unwrap_or((gpu.unused(0), gpu.unused(1)));
    let params = AttentionParams { keep_weights: weights.is_some() as u32, ..AttentionParams::new(b, t, c, nh, nkv, causal) };
    let rows = b as u64 * nh as u64 * t as u64;
    gpu.op(Kernel::AttentionForward, &[out, lse, preatt, att, qkv], &params, grid(rows.div_ceil(WORKGROUP_SIZE[0] as u64)))
}

/// `cpu::attention_backward` without the (T, T) weights, in two kernels: dQ per query row,
/// which also stores the row's `delta` = dO·out (FlashAttention-2's D, once a launch of its
/// own), then dK and dV per key row of each key/value head (over the query heads that read
/// it), each recomputing p = exp(q·k·scale − lse). dqkv is stored: each of its values has one
/// writer, which writes it once, so it needs no clearing (`cpu::attention_backward` adds to
/// its dqkv instead); `delta` is scratch, overwritten.
/// Heads of 17 to 32 channels use the kernels with the head written out
/// (`attention_backward_*_head32`), other heads of at most 64 the tiled ones (`attention_backward_*_tiled`);
/// on a GPU, heads of 33 to 64 channels the ones with the head in registers (`regs`: dQ's row
/// in one invocation, dK and dV's over two lanes), and heads of 65 to 128 the ones with each
/// row over lanes (`lanes`); other heads the per-row kernels.
#[allow(clippy::too_many_arguments)]
pub fn attention_backward(
    gpu: &GpuContext,
    dqkv: &GpuTensor,  // (B, T, C + 2·KVC)
    delta: &GpuTensor, // (B, NH, T) scratch
    dout: &GpuTensor,  // (B, T, C)
    qkv: &GpuTensor,   // (B, T, C + 2·KVC)
    out: &GpuTensor,   // (B, T, C) attention_forward's out
    lse: &GpuTensor,   // (B, NH, T) attention_forward's lse
    b: u32,
    t: u32,
    c: u32,
    nh: u32,
    nkv: u32,
    causal: bool,
) -> Vec<Op> {
    let params = AttentionParams::new(b, t, c, nh, nkv, causal);
    let rows = |heads: u32| grid((b as u64 * heads as u64 * t as u64).div_ceil(BACKWARD_WORKGROUP_SIZE[0] as u64));
    // dQ writes delta, which dK and dV read
    let (dq_bound, bound) = ([dqkv, dout, qkv, lse, delta, out], [dqkv, dout, qkv, lse, delta]);
    let (query, key, grids) = if head32(c, nh) {
        (Kernel::AttentionBackwardQueryHead32, Kernel::AttentionBackwardKeyHead32, [tiled_grid(b, t, nh), tiled_grid(b, t, nkv)])
    } else if tiled(c, nh) {
        (Kernel::AttentionBackwardQueryTiled, Kernel::AttentionBackwardKeyTiled, [tiled_grid(b, t, nh), tiled_grid(b, t, nkv)])
    } else if lanes(gpu, c, nh) {
        (Kernel::AttentionBackwardQueryLanes, Kernel::AttentionBackwardKvLanes, [tiled_grid(b, t, nh), tiled_grid(b, t, nkv)])
    } else {
        (Kernel::AttentionBackwardQuery, Kernel::AttentionBackwardKey, [rows(nh), rows(nkv)])
    };
    if let Some(regs) = regs(gpu, c, nh) {
        let [queries, keys] = [tiled_grid(b, t, nh), tiled_grid(b, t, nkv)];
        return vec![gpu.op(regs.query, &dq_bound, &params, queries), gpu.op(regs.kv, &bound, &params, keys)];
    }
    vec![gpu.op(query, &dq_bound, &params, grids[0]), gpu.op(key, &bound, &params, grids[1])]
}
