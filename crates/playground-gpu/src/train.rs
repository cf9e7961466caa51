//! `GpuTrainer`: training on the GPU. One step is forward, cross-entropy, backward, global
//! gradient norm and clipping, AdamW and the step's statistics, encoded into one command
//! buffer and submitted once. Nothing is read back per step: each step writes its (loss,
//! grad norm) into a slot of a history buffer, and `read_stats` collects many steps at once.
//!
//! The forward and backward ops are the recorder's (`model/record.rs`), the CPU executor's
//! list, which they are tested against.

use crate::context::{Constants, Op, SharedGpu, Step};
use crate::error::GpuError;
use crate::kernels::adamw::{adamw_update, write_hparams};
use crate::kernels::clip;
use crate::kernels::stats::{step_stats, StepStatsParams};
use crate::model::{BackwardBufs, Cached, GpuModel, PlanKey};
use crate::readback::{words_to_f32, Region};
use crate::shaders::Kernel;
use crate::tensor::GpuTensor;
use playground_core::cpu;
use playground_core::model::{check_inputs, check_targets};
use playground_core::train::{OptimizerState, StepStats, TrainConfig};
use playground_core::ModelConfig;

/// One launch as `GpuTrainer::launches` lists it: kernel, constants, grid, params.
pub type Launch = (Kernel, Constants, [u32; 3], Box<[u32]>);

/// Steps whose statistics the history buffer holds before the oldest are overwritten.
pub const STATS_SLOTS: u32 = 1024;

/// Gradients and backward scratch, optimizer moments, allocated once per trainer.
struct TrainBuffers {
    back: BackwardBufs,
    m: GpuTensor, // (padded_len)
    v: GpuTensor, // (padded_len)
    /// Copies of params, m, v at the last good step, for rolling back.
    snapshot: [GpuTensor; 3],
    norm: GpuTensor,     // (1)
    scale: GpuTensor,    // (1)
    partials: GpuTensor, // (clip::partials_len)
    stats: GpuTensor,    // (2·STATS_SLOTS)
}

impl TrainBuffers {
    fn new(gpu: &crate::GpuContext, model: &GpuModel, b: usize) -> Self {
        let len = model.arch.layout.padded_len();
        let z = |label: &str, n: usize| GpuTensor::zeros(gpu, label, n);
        TrainBuffers {
            back: BackwardBufs::new(gpu, &model.arch, b),
            m: z("adam m", len),
            v: z("adam v", len),
            snapshot: [z("snapshot params", len), z("snapshot m", len), z("snapshot v", len)],
            norm: z("grad norm", 1),
            scale: z("clip scale", 1),
            partials: z("grad norm partials", clip::partials_len(len as u32)),
            stats: z("step stats", 2 * STATS_SLOTS as usize),
        }
    }
}

pub struct GpuTrainer {
    pub model: GpuModel,
    pub config: TrainConfig,
    bufs: TrainBuffers,
    /// Forward and backward for (batch_size, block_size).
    plan: Vec<Step>,
    /// The gradient norm's partial sums (one launch per binding-sized piece), then its finalize.
    clip: Vec<Op>,
    /// AdamW over the matrices (with weight decay), then over the vectors (without); each one
    /// launch per binding-sized piece.
    adamw: [Vec<Op>; 2],
    stats: Op,
    /// Steps submitted; also AdamW's step count.
    step: u32,
    /// Steps whose statistics `read_stats` has returned.
    read: u32,
}

/// One step's forward (with the targets' loss) and backward for batches of `b`.
fn record_step(model: &GpuModel, bufs: &TrainBuffers, b: usize) -> Vec<Step> {
    let t = model.config.block_size;
    let mut plan = model.record_forward(PlanKey { b, t, keep_weights: false, with_targets: true, ablate: false, cached: Cached::No });
    plan.extend(model.record_backward(&bufs.back, b, t));
    plan
}

impl GpuTrainer {
    /// A trainer for a model of `config` with `params`; the config is checked against the
    /// device's limits for batches of `train.batch_size` before anything is allocated.
    pub async fn new(gpu: SharedGpu, config: ModelConfig, params: &[f32], train: TrainConfig) -> Result<Self, GpuError> {
        train.validate()?;
        let model = GpuModel::new(gpu.clone(), config, params, train.batch_size).await?;
        model.check_trainable()?;
        let bufs = gpu.allocating(|| TrainBuffers::new(&gpu, &model, train.batch_size)).await?;
        let plan = record_step(&model, &bufs, train.batch_size);
        let (b, t) = (train.batch_size, config.block_size);
        let len = model.arch.layout.padded_len() as u32;
        let max_norm = if train.grad_clip > 0.0 { train.grad_clip } else { f32::INFINITY };
        let grads = &bufs.back.grads;
        let clip = clip::grad_norm(&gpu, &bufs.norm, &bufs.scale, &bufs.partials, grads, max_norm, len);
        let layout = &model.arch.layout;
        let adamw = [(layout.decay_span(), true), (layout.no_decay_span(), false)].map(|(span, decay)| {
            let view = |t: &GpuTensor| t.slice(span.offset, span.len);
            let hp = train.adamw(0, decay);
            adamw_update(&gpu, &view(model.params()), &view(&bufs.m), &view(&bufs.v), &view(grads), &bufs.scale, &hp, span.len as u32)
        });
        let stats = step_stats(&gpu, &bufs.stats, &model.acts.losses, &bufs.norm, (b * t) as u32, 0, (b * t) as u32);
        gpu.compiled().await?;
        Ok(GpuTrainer { model, config: train, bufs, plan, clip, adamw, stats, step: 0, read: 0 })
    }

    /// Records the step's forward and backward again, with the launch shapes the context's
    /// facts choose now (`GpuContext::set_facts`): the buffers, weights, optimizer state and
    /// step count stay, so training goes on as before, its sums in another order at most.
    pub async fn relaunch(&mut self) -> Result<(), GpuError> {
        self.plan = record_step(&self.model, &self.bufs, self.config.batch_size);
        self.model.gpu.compiled().await
    }

    /// What tells two recordings of the step apart: each launch's kernel, constants, grid and
    /// params, in order. Two plans with the same launches run alike.
    pub fn launches(&self) -> Vec<Launch> {
        self.step_ops().into_iter().map(|op| (op.kernel, op.constants, op.workgroups, op.params.clone())).collect()
    }

    /// Every kernel launch of one step, in order (for profiling; `Zero` steps are skipped).
    pub fn step_ops(&self) -> Vec<&Op> {
        let plan = self.plan.iter().filter_map(|s| match s {
            Step::Run(op) => Some(op),
            _ => None,
        });
        plan.chain(self.tail()).collect()
    }

    /// One step as recorded: the forward and backward plan (with its clears), then clipping,
    /// AdamW and the statistics (for the cost model).
    pub fn recorded(&self) -> (&[Step], Vec<&Op>) {
        (&self.plan, self.tail().collect())
    }

    /// Clipping, AdamW and the statistics, in launch order.
    fn tail(&self) -> impl Iterator<Item = &Op> {
        self.clip.iter().chain(self.adamw.iter().flatten()).chain([&self.stats])
    }

    /// Steps taken so far.
    pub fn step_count(&self) -> u32 {
        self.step
    }

    /// Encodes and submits one training step on each stack's inputs and the targets, each
    /// (batch_size, block_size). Returns without waiting for the GPU.
    pub fn submit_step(&mut self, inputs: &[&[u32]], targets: &[u32]) -> Result<(), GpuError> {
        let (b, t) = (self.config.batch_size, self.model.config.block_size);
        check_inputs(&self.model.arch, inputs, b, t)?;
        check_targets(&self.model.config, targets, b, t)?;
        let gpu = self.model.gpu.clone();
        self.model.write_batch(inputs, Some(targets));
        // the loss is the mean over the positions whose target counts (masked-LM: the masked ones)
        let count = cpu::counted(targets);
        self.bufs.back.dlosses.write(&gpu, &vec![1.0 / count as f32; b * t]);
        for (ops, decay) in self.adamw.iter().zip([true, false]) {
            write_hparams(&gpu, ops, &self.config.adamw(self.step, decay));
        }
        self.stats
            .write_params(&gpu, &StepStatsParams { rows: (b * t) as u32, slot: self.step % STATS_SLOTS, count: count as u32, _pad: 0 });
        let mut encoder = gpu.device.create_command_encoder(&wgpu::CommandEncoderDescriptor { label: Some("train step") });
        gpu.encode_steps(&mut encoder, &self.plan);
        gpu.encode(&mut encoder, self.tail());
        gpu.queue.submit([encoder.finish()]);
        self.step += 1;
        Ok(())
    }

    /// The statistics of every step submitted since the last call (at most the last
    /// `STATS_SLOTS`), waiting for the GPU to finish them. A step whose loss or gradient norm
    /// is not finite was refused by AdamW; the caller pauses and restores a snapshot.
    pub async fn read_stats(&mut self) -> Result<Vec<StepStats>, GpuError> {
        let first = self.read.max(self.step.saturating_sub(STATS_SLOTS));
        let encoder = self.model.gpu.device.create_command_encoder(&wgpu::CommandEncoderDescriptor { label: Some("read stats") });
        let words = self.model.staging.read(&self.model.gpu, encoder, &[Region::from(&self.bufs.stats)]).await?;
        let stats = words_to_f32(words.into_iter().next().expect("one region"));
        self.read = self.step;
        Ok((first..self.step)
            .map(|step| {
                let slot = (step % STATS_SLOTS) as usize;
                StepStats { step, loss: stats[2 * slot], grad_norm: stats[2 * slot + 1], lr: self.config.lr_at(step) }
            })
            .collect())
    }

    /// Copies parameters and optimizer moments aside on the GPU (the last good state).
    pub fn snapshot(&self) {
        self.copy_state(true);
    }

    /// Puts back what `snapshot` saved when `step` steps had been taken.
    pub fn restore(&mut self, step: u32) {
        self.copy_state(false);
        self.step = step;
        self.read = step;
    }

    fn copy_state(&self, save: bool) {
        let gpu = &self.model.gpu;
        let mut encoder = gpu.device.create_command_encoder(&wgpu::CommandEncoderDescriptor { label: Some("snapshot") });
        for (live, copy) in [self.model.params(), &self.bufs.m, &self.bufs.v].into_iter().zip(&self.bufs.snapshot) {
            let (from, to) = if save { (live, copy) } else { (copy, live) };
            encoder.copy_buffer_to_buffer(&from.buffer, from.offset, &to.buffer, to.offset, from.bytes());
        }
        gpu.queue.submit([encoder.finish()]);
    }

    /// The gradients of the last step (laid out like the parameters).
    pub async fn read_grads(&mut self) -> Result<Vec<f32>, GpuError> {
        self.read_flat(&self.bufs.back.grads.clone()).await
    }

    /// AdamW's moments and step count, for autosave and export.
    pub async fn read_optimizer(&mut self) -> Result<OptimizerState, GpuError> {
        let m = self.read_flat(&self.bufs.m.clone()).await?;
        let v = self.read_flat(&self.bufs.v.clone()).await?;
        Ok(OptimizerState { step: self.step, m, v })
    }

    /// Resumes from saved optimizer state (same layout as this model's parameters).
    pub fn load_optimizer(&mut self, state: &OptimizerState) -> Result<(), GpuError> {
        let len = self.model.arch.layout.padded_len();
        if state.m.len() != len || state.v.len() != len {
            return Err(playground_core::CoreError::Shape {
                op: "GpuTrainer::load_optimizer",
                expected: vec![len],
                got: vec![state.m.len()],
            }
            .into());
        }
        self.bufs.m.write(&self.model.gpu, &state.m);
        self.bufs.v.write(&self.model.gpu, &state.v);
        self.step = state.step;
        self.read = state.step;
        Ok(())
    }

    async fn read_flat(&mut self, tensor: &GpuTensor) -> Result<Vec<f32>, GpuError> {
        let encoder = self.model.gpu.device.create_command_encoder(&wgpu::CommandEncoderDescriptor { label: Some("read") });
        let words = self.model.staging.read(&self.model.gpu, encoder, &[Region::from(tensor)]).await?;
        Ok(words_to_f32(words.into_iter().next().expect("one region")))
    }
}
