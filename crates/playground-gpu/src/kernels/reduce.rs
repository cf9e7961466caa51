//! Launcher for `shaders/reduce_partials.wgsl`, the second stage of the two-stage sums
//! (split-K weight gradients, column sums by chunks of rows).

use super::matmul::MatmulParams;
use super::Write;
use crate::context::{grid, Constants, GpuContext, Op};
use crate::shaders::Kernel;
use crate::tensor::GpuTensor;
use playground_core::cpu::Activation;

#[repr(C)]
#[derive(Clone, Copy, Debug, bytemuck::Pod, bytemuck::Zeroable)]
pub struct ReduceParams {
    pub len_a: u32,
    pub len_b: u32,
    pub slices: u32,
    pub stride: u32,
}
const _: () = assert!(std::mem::size_of::<ReduceParams>().is_multiple_of(16));

pub const WORKGROUP_SIZE: [u32; 3] = [256, 1, 1];

/// out_a (len_a) (+)= Σ_z partials[z, ..len_a] and out_b (len_b) (+)= Σ_z partials[z, len_a..],
/// over `slices` rows of `stride` floats; `write` says whether the sums are added or stored.
/// With `act` (and pre, (len_a)) out_a's sums are first multiplied by act'(pre): a split input
/// gradient with the activation's backward in its epilogue (`matmul::matmul_backward_input`).
#[allow(clippy::too_many_arguments)]
pub fn reduce_partials(
    gpu: &GpuContext,
    out_a: &GpuTensor,                     // (len_a)
    out_b: Option<&GpuTensor>,             // (len_b)
    partials: &GpuTensor,                  // (slices, stride)
    act: Option<(Activation, &GpuTensor)>, // and pre (len_a)
    len_a: u32,
    len_b: u32,
    slices: u32,
    stride: u32,
    write: Write,
) -> Op {
    let params = ReduceParams { len_a, len_b, slices, stride };
    let n = (len_a + len_b) as u64;
    let (out_b, pre) = (out_b.unwrap_or(gpu.unused(0)), act.map_or(gpu.unused(1), |a| a.1));
    let grid = grid(n.div_ceil(WORKGROUP_SIZE[0] as u64));
    let constants = Constants { accumulate: write.accumulate(), ..Constants::act(act.map(|a| a.0)) };
    gpu.op_built(Kernel::ReducePartials, constants, &[out_a, out_b, partials, pre], &params, grid)
}

/// The second stage of a split forward matmul (`matmul::matmul_forward_split`): out (M, N) =
/// the sum of the slices' partials (⌈K / split⌉ rows of M·N) + bias, through the forward's
/// epilogue (with `act`, pre = that and out = act(pre)). `params` is the first stage's.
pub fn reduce_partials_forward(
    gpu: &GpuContext,
    out: &GpuTensor,                       // (M, N)
    act: Option<(Activation, &GpuTensor)>, // and pre (M, N)
    partials: &GpuTensor,                  // (slices, M·N)
    bias: Option<&GpuTensor>,              // (N)
    params: &MatmulParams,
) -> Op {
    let n = params.m as u64 * params.n as u64;
    let (pre, bias) = (act.map_or(gpu.unused(1), |a| a.1), bias.unwrap_or(gpu.unused(0)));
    let grid = grid(n.div_ceil(WORKGROUP_SIZE[0] as u64));
    let constants = Constants::act(act.map(|a| a.0));
    gpu.op_built(Kernel::ReducePartialsForward, constants, &[out, pre, partials, bias], params, grid)
}
