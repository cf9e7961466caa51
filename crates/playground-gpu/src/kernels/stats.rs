//! Launcher for `shaders/step_stats.wgsl`; CPU twin `playground_core::cpu::softmax_xent::mean_loss`.

use crate::context::{GpuContext, Op};
use crate::shaders::Kernel;
use crate::tensor::GpuTensor;

#[repr(C)]
#[derive(Clone, Copy, Debug, bytemuck::Pod, bytemuck::Zeroable)]
pub struct StepStatsParams {
    pub rows: u32,
    pub slot: u32,
    /// Rows whose target counts (B·T unless some are `cpu::IGNORE`).
    pub count: u32,
    pub _pad: u32,
}
const _: () = assert!(std::mem::size_of::<StepStatsParams>().is_multiple_of(16));

pub const WORKGROUP_SIZE: [u32; 3] = [256, 1, 1];

/// Writes (mean loss over `count` rows, grad norm) of a step into `stats[2·slot..2·slot + 2]`;
/// the slot and count are rewritten each step with `Op::write_params`.
pub fn step_stats(
    gpu: &GpuContext,
    stats: &GpuTensor,  // (2·slots)
    losses: &GpuTensor, // (rows)
    norm: &GpuTensor,   // (1)
    rows: u32,
    slot: u32,
    count: u32,
) -> Op {
    let kernel = if gpu.subgroups() { Kernel::StepStatsSubgroups } else { Kernel::StepStats };
    gpu.op(kernel, &[stats, losses, norm], &StepStatsParams { rows, slot, count, _pad: 0 }, [1, 1, 1])
}
