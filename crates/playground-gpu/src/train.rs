//! `GpuTrainer`: training on the GPU. One step is forward, cross-entropy, backward, global
//! gradient norm and clipping, AdamW and the step's statistics, encoded into one command
//! buffer and submitted once. Nothing is read back per step: each step writes its (loss,
//! grad norm) into a slot of a history buffer, and `read_stats` collects many steps at once.
//!
//! The op list mirrors `CpuModel::backward` (playground-core), the reference it is tested
//! against; every backward kernel accumulates (`+=`), so gradient buffers are zeroed first.

use crate::arch_ops::{ffn_act_backward, norm_backward};
use crate::context::{Op, SharedGpu, Step};
use crate::error::GpuError;
use crate::kernels::adamw::{adamw_update, AdamWUniform};
use crate::kernels::stats::{step_stats, StepStatsParams};
use crate::kernels::{attention, clip, encoder, matmul, rope, softmax_xent};
use crate::model::{BlockTensors, Cached, GpuModel, PlanKey};
use crate::readback::{words_to_f32, Region};
use crate::tensor::GpuTensor;
use playground_core::config::NormPosition;
use playground_core::cpu;
use playground_core::model::{check_targets, check_tokens};
use playground_core::params::Span;
use playground_core::train::{OptimizerState, StepStats, TrainConfig};
use playground_core::ModelConfig;

/// Steps whose statistics the history buffer holds before the oldest are overwritten.
pub const STATS_SLOTS: u32 = 1024;

/// Gradients, optimizer moments and backward scratch, allocated once per trainer.
struct TrainBuffers {
    grads: GpuTensor, // (padded_len), laid out like the parameters
    m: GpuTensor,     // (padded_len)
    v: GpuTensor,     // (padded_len)
    /// Copies of params, m, v at the last good step, for rolling back.
    snapshot: [GpuTensor; 3],
    dwte: GpuTensor,
    dwpe: Option<GpuTensor>, // learned positions only
    dlnfw: GpuTensor,
    dlnfb: Option<GpuTensor>, // LayerNorm only
    dhead: GpuTensor,         // dwte (tied) or dlm_head
    dblocks: Vec<BlockTensors>,
    dlogits: GpuTensor, // (B, T, V)
    /// The [CLS] classifier's weight and bias gradients and its dlogits (B, T, K).
    dcls: Option<[GpuTensor; 3]>,
    dlosses: GpuTensor,   // (B, T), each 1/(counted positions), written per step: the loss is a mean
    dlnf: GpuTensor,      // (B, T, C)
    dresidual: GpuTensor, // (B, T, C), the gradient along the residual stream
    dfch_gelu: GpuTensor, // (B, T, H)
    dfch: GpuTensor,      // (B, T, H) or (B, T, 2H)
    dln2: GpuTensor,      // (B, T, C)
    datty: GpuTensor,     // (B, T, C)
    dqkv: GpuTensor,      // (B, T, 3C)
    dln1: GpuTensor,      // (B, T, C)
    dstream: GpuTensor,   // (B, T, C), post-norm: the gradient between the two norms
    delta: GpuTensor,     // (B, NH, T)
    norm: GpuTensor,      // (1)
    scale: GpuTensor,     // (1)
    partials: GpuTensor,  // (clip::partials_len)
    stats: GpuTensor,     // (2·STATS_SLOTS)
}

impl TrainBuffers {
    fn new(gpu: &crate::GpuContext, model: &GpuModel, b: usize) -> Self {
        let cfg = &model.config;
        let (t, c, nh, v, f, fc) = (cfg.block_size, cfg.n_embd, cfg.n_head, cfg.vocab_size, cfg.ffn_width(), cfg.fc_width());
        let bt = b * t;
        let len = model.layout.padded_len();
        let z = |label: &str, n: usize| GpuTensor::zeros(gpu, label, n);
        let grads = z("grads", len);
        let view = |s: Span| grads.slice(s.offset, s.len);
        let lay = &model.layout;
        TrainBuffers {
            m: z("adam m", len),
            v: z("adam v", len),
            snapshot: [z("snapshot params", len), z("snapshot m", len), z("snapshot v", len)],
            dwte: view(lay.wte),
            dwpe: lay.wpe.map(view),
            dlnfw: view(lay.lnfw),
            dlnfb: lay.lnfb.map(view),
            dhead: view(lay.head()),
            dblocks: lay.blocks.iter().map(|p| BlockTensors::new(&grads, p)).collect(),
            dlogits: z("dlogits", bt * v),
            dcls: lay.clsw.zip(lay.clsb).map(|(w, b)| [view(w), view(b), z("dcls logits", bt * cfg.n_classes)]),
            dlosses: GpuTensor::from_slice(gpu, "dlosses", &vec![1.0 / bt as f32; bt]),
            dlnf: z("dlnf", bt * c),
            dresidual: z("dresidual", bt * c),
            dfch_gelu: z("dfch_gelu", bt * f),
            dfch: z("dfch", bt * fc),
            dln2: z("dln2", bt * c),
            datty: z("datty", bt * c),
            dqkv: z("dqkv", bt * 3 * c),
            dln1: z("dln1", bt * c),
            dstream: z("dstream", bt * c),
            delta: z("delta", b * nh * t),
            norm: z("grad norm", 1),
            scale: z("clip scale", 1),
            partials: z("grad norm partials", clip::partials_len(len as u32)),
            stats: z("step stats", 2 * STATS_SLOTS as usize),
            grads,
        }
    }
}

pub struct GpuTrainer {
    pub model: GpuModel,
    pub config: TrainConfig,
    bufs: TrainBuffers,
    /// Forward and backward for (batch_size, block_size).
    plan: Vec<Step>,
    clip: [Op; 2],
    /// AdamW over the matrices (with weight decay), then over the vectors (without).
    adamw: [Op; 2],
    stats: Op,
    /// Steps submitted; also AdamW's step count.
    step: u32,
    /// Steps whose statistics `read_stats` has returned.
    read: u32,
}

impl GpuTrainer {
    /// A trainer for a model of `config` with `params`; the config is checked against the
    /// device's limits for batches of `train.batch_size` before anything is allocated.
    pub async fn new(gpu: SharedGpu, config: ModelConfig, params: &[f32], train: TrainConfig) -> Result<Self, GpuError> {
        train.validate()?;
        let model = GpuModel::new(gpu.clone(), config, params, train.batch_size).await?;
        model.check_trainable()?;
        let bufs = gpu.allocating(|| TrainBuffers::new(&gpu, &model, train.batch_size)).await?;
        let (b, t) = (train.batch_size, config.block_size);
        let mut plan = model.record_forward(PlanKey { b, t, keep_weights: false, with_targets: true, ablate: false, cached: Cached::No });
        plan.extend(record_backward(&model, &bufs, b, t));
        let len = model.layout.padded_len() as u32;
        let max_norm = if train.grad_clip > 0.0 { train.grad_clip } else { f32::INFINITY };
        let clip = clip::grad_norm(&gpu, &bufs.norm, &bufs.scale, &bufs.partials, &bufs.grads, max_norm, len);
        let adamw = [(model.layout.decay_span(), true), (model.layout.no_decay_span(), false)].map(|(span, decay)| {
            let view = |t: &GpuTensor| t.slice(span.offset, span.len);
            let hp = train.adamw(0, decay);
            adamw_update(&gpu, &view(&model.params), &view(&bufs.m), &view(&bufs.v), &view(&bufs.grads), &bufs.scale, &hp, span.len as u32)
        });
        let stats = step_stats(&gpu, &bufs.stats, &model.acts.losses, &bufs.norm, (b * t) as u32, 0, (b * t) as u32);
        gpu.compiled().await?;
        Ok(GpuTrainer { model, config: train, bufs, plan, clip, adamw, stats, step: 0, read: 0 })
    }

    /// Every kernel launch of one step, in order (for profiling; `Zero` steps are skipped).
    pub fn step_ops(&self) -> Vec<&Op> {
        let plan = self.plan.iter().filter_map(|s| match s {
            Step::Run(op) => Some(op),
            _ => None,
        });
        plan.chain(&self.clip).chain(&self.adamw).chain([&self.stats]).collect()
    }

    /// One step as recorded: the forward and backward plan (with its clears), then clipping,
    /// AdamW and the statistics (for the cost model).
    pub fn recorded(&self) -> (&[Step], Vec<&Op>) {
        (&self.plan, self.clip.iter().chain(&self.adamw).chain([&self.stats]).collect())
    }

    /// Steps taken so far.
    pub fn step_count(&self) -> u32 {
        self.step
    }

    /// Encodes and submits one training step on inputs `x` and targets `y`, each
    /// (batch_size, block_size). Returns without waiting for the GPU.
    pub fn submit_step(&mut self, x: &[u32], y: &[u32]) -> Result<(), GpuError> {
        let (b, t) = (self.config.batch_size, self.model.config.block_size);
        check_tokens(&self.model.config, x, b, t)?;
        check_targets(&self.model.config, y, b, t)?;
        let gpu = self.model.gpu.clone();
        self.model.tokens.write(&gpu, x);
        self.model.targets.write(&gpu, y);
        // the loss is the mean over the positions whose target counts (masked-LM: the masked ones)
        let count = cpu::counted(y);
        self.bufs.dlosses.write(&gpu, &vec![1.0 / count as f32; b * t]);
        for (op, (span, decay)) in
            self.adamw.iter().zip([(self.model.layout.decay_span(), true), (self.model.layout.no_decay_span(), false)])
        {
            op.write_params(&gpu, &AdamWUniform::new(&self.config.adamw(self.step, decay), span.len as u32));
        }
        self.stats
            .write_params(&gpu, &StepStatsParams { rows: (b * t) as u32, slot: self.step % STATS_SLOTS, count: count as u32, _pad: 0 });
        let mut encoder = gpu.device.create_command_encoder(&wgpu::CommandEncoderDescriptor { label: Some("train step") });
        gpu.encode_steps(&mut encoder, &self.plan);
        let tail: Vec<&Op> = self.clip.iter().chain(&self.adamw).chain([&self.stats]).collect();
        gpu.encode(&mut encoder, tail);
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
        for (live, copy) in [&self.model.params, &self.bufs.m, &self.bufs.v].into_iter().zip(&self.bufs.snapshot) {
            let (from, to) = if save { (live, copy) } else { (copy, live) };
            encoder.copy_buffer_to_buffer(&from.buffer, from.offset, &to.buffer, to.offset, from.bytes());
        }
        gpu.queue.submit([encoder.finish()]);
    }

    /// The gradients of the last step (laid out like the parameters).
    pub async fn read_grads(&mut self) -> Result<Vec<f32>, GpuError> {
        self.read_flat(&self.bufs.grads.clone()).await
    }

    /// AdamW's moments and step count, for autosave and export.
    pub async fn read_optimizer(&mut self) -> Result<OptimizerState, GpuError> {
        let m = self.read_flat(&self.bufs.m.clone()).await?;
        let v = self.read_flat(&self.bufs.v.clone()).await?;
        Ok(OptimizerState { step: self.step, m, v })
    }

    /// Resumes from saved optimizer state (same layout as this model's parameters).
    pub fn load_optimizer(&mut self, state: &OptimizerState) -> Result<(), GpuError> {
        let len = self.model.layout.padded_len();
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

/// The backward op list, in the order of `CpuModel::backward`.
fn record_backward(model: &GpuModel, g: &TrainBuffers, b: usize, t: usize) -> Vec<Step> {
    let gpu = &*model.gpu;
    let cfg = &model.config;
    let (b, t) = (b as u32, t as u32);
    let (c, nh, v, f, fc) = (cfg.n_embd as u32, cfg.n_head as u32, cfg.vocab_size as u32, cfg.ffn_width() as u32, cfg.fc_width() as u32);
    let bt = b * t;
    let a = &model.acts;
    let (norm, post) = (cfg.norm, cfg.norm_position == NormPosition::Post);
    let mut steps: Vec<Step> = [&g.grads, &g.dlogits, &g.dlnf, &g.dresidual].map(|t| Step::Zero(t.clone())).into();
    if let (Some(cls), Some([dw, db, dlogits])) = (&model.cls, &g.dcls) {
        steps.push(Step::Zero(dlogits.clone()));
        let ops = cls.backward(gpu, &g.dlnf, dw, db, dlogits, &g.dlosses, &a.lnf, &model.targets, bt, c);
        steps.extend(ops.into_iter().map(Step::Run));
    } else {
        steps.push(Step::Run(softmax_xent::softmax_xent_backward(gpu, &g.dlogits, &g.dlosses, &a.probs, &model.targets, bt, v)));
        // logits = lnf · headᵀ: a tied head's weight gradient lands in dwte
        let ops = matmul::matmul_backward(gpu, &g.dlnf, &g.dhead, None, &g.dlogits, &a.lnf, &model.head, bt, c, v);
        steps.extend(ops.into_iter().map(Step::Run));
    }
    let mut run = |ops: Vec<crate::context::Op>| steps.extend(ops.into_iter().map(Step::Run));
    let last = a.layers[cfg.n_layer - 1].output(cfg);
    run(norm_backward(gpu, norm, &g.dresidual, &g.dlnfw, g.dlnfb.as_ref(), &g.dlnf, last, &model.lnfw, &a.lnf_mean, &a.lnf_rstd, bt, c));
    for l in (0..cfg.n_layer).rev() {
        let (w, dw, la) = (&model.blocks[l], &g.dblocks[l], &a.layers[l]);
        let input = if l == 0 { &a.encoded } else { a.layers[l - 1].output(cfg) };
        steps.extend([&g.dfch_gelu, &g.dfch, &g.dln2, &g.datty, &g.dqkv, &g.dln1, &g.dstream].map(|t| Step::Zero(t.clone())));
        let mut run = |ops: Vec<crate::context::Op>| steps.extend(ops.into_iter().map(Step::Run));
        if post {
            // forward was: ln2 = norm(residual3), residual3 = ln1 + fcproj(act(fc(ln1)));
            // dresidual holds d ln2; dstream becomes d residual3, then d ln1
            run(norm_backward(
                gpu,
                norm,
                &g.dstream,
                &dw.ln2w,
                dw.ln2b.as_ref(),
                &g.dresidual,
                &la.residual3,
                &w.ln2w,
                &la.ln2_mean,
                &la.ln2_rstd,
                bt,
                c,
            ));
            run(matmul::matmul_backward(gpu, &g.dfch_gelu, &dw.fcprojw, Some(&dw.fcprojb), &g.dstream, &la.fch_gelu, &w.fcprojw, bt, f, c));
            run(vec![ffn_act_backward(gpu, cfg.ffn, &g.dfch, &la.fch, &g.dfch_gelu, bt, f)]);
            run(matmul::matmul_backward(gpu, &g.dstream, &dw.fcw, Some(&dw.fcb), &g.dfch, &la.ln1, &w.fcw, bt, c, fc));
        } else {
            // forward was: residual3 = residual2 + fcproj(act(fc(ln2(residual2))));
            // dresidual holds the skip path's share, the FFN branch adds to it
            run(matmul::matmul_backward(
                gpu,
                &g.dfch_gelu,
                &dw.fcprojw,
                Some(&dw.fcprojb),
                &g.dresidual,
                &la.fch_gelu,
                &w.fcprojw,
                bt,
                f,
                c,
            ));
            run(vec![ffn_act_backward(gpu, cfg.ffn, &g.dfch, &la.fch, &g.dfch_gelu, bt, f)]);
            run(matmul::matmul_backward(gpu, &g.dln2, &dw.fcw, Some(&dw.fcb), &g.dfch, &la.ln2, &w.fcw, bt, c, fc));
            run(norm_backward(
                gpu,
                norm,
                &g.dresidual,
                &dw.ln2w,
                dw.ln2b.as_ref(),
                &g.dln2,
                &la.residual2,
                &w.ln2w,
                &la.ln2_mean,
                &la.ln2_rstd,
                bt,
                c,
            ));
        }
        if post {
            // ln1 = norm(residual2): dresidual becomes d residual2
            steps.push(Step::Zero(g.dresidual.clone()));
            steps.extend(
                norm_backward(
                    gpu,
                    norm,
                    &g.dresidual,
                    &dw.ln1w,
                    dw.ln1b.as_ref(),
                    &g.dstream,
                    &la.residual2,
                    &w.ln1w,
                    &la.ln1_mean,
                    &la.ln1_rstd,
                    bt,
                    c,
                )
                .into_iter()
                .map(Step::Run),
            );
        }
        let mut run = |ops: Vec<crate::context::Op>| steps.extend(ops.into_iter().map(Step::Run));
        // forward was: residual2 = input + attproj(attention(qkv(x))), x = ln1(input) or input
        run(matmul::matmul_backward(gpu, &g.datty, &dw.attprojw, Some(&dw.attprojb), &g.dresidual, &la.atty, &w.attprojw, bt, c, c));
        run(attention::attention_backward(gpu, &g.dqkv, &g.delta, &g.datty, &la.qkv, &la.atty, &la.lse, b, t, c, nh, cfg.causal()).into());
        if let Some((cos, sin)) = &model.rope {
            run(vec![rope::rope_backward(gpu, &g.dqkv, cos, sin, b, t, c, nh)]);
        }
        if post {
            run(matmul::matmul_backward(gpu, &g.dresidual, &dw.qkvw, Some(&dw.qkvb), &g.dqkv, input, &w.qkvw, bt, c, 3 * c));
        } else {
            run(matmul::matmul_backward(gpu, &g.dln1, &dw.qkvw, Some(&dw.qkvb), &g.dqkv, &la.ln1, &w.qkvw, bt, c, 3 * c));
            run(norm_backward(
                gpu,
                norm,
                &g.dresidual,
                &dw.ln1w,
                dw.ln1b.as_ref(),
                &g.dln1,
                input,
                &w.ln1w,
                &la.ln1_mean,
                &la.ln1_rstd,
                bt,
                c,
            ));
        }
    }
    let mut run = |ops: Vec<crate::context::Op>| steps.extend(ops.into_iter().map(Step::Run));
    run(encoder::encoder_backward(gpu, &g.dwte, g.dwpe.as_ref(), &g.dresidual, &model.tokens, b, t, c));
    steps
}
