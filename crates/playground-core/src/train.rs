//! Training: hyper-parameters, nanoGPT's learning-rate schedule (linear warmup, cosine decay
//! to a floor), and the CPU trainer (forward, cross-entropy, backward, global-norm clipping,
//! AdamW), the reference for the GPU training step.

mod shards;

use crate::cpu;
use crate::cpu::adamw::AdamWParams;
use crate::error::CoreError;
use crate::model::{Activations, CpuModel};
use serde::{Deserialize, Serialize};

/// Hyper-parameters of a training run (nanoGPT's names where they exist).
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TrainConfig {
    /// B: sequences per step.
    pub batch_size: usize,
    /// Peak learning rate, reached after warmup.
    pub learning_rate: f32,
    /// Floor of the cosine decay.
    pub min_lr: f32,
    pub warmup_steps: u32,
    /// The cosine reaches `min_lr` here; the run's length.
    pub max_steps: u32,
    /// AdamW decoupled weight decay, applied to matrices only.
    pub weight_decay: f32,
    pub beta1: f32,
    pub beta2: f32,
    pub eps: f32,
    /// Clip the global gradient norm to this; 0 disables clipping.
    pub grad_clip: f32,
    /// Seeds the batches (the model's weights have their own seed).
    pub seed: u64,
}

impl Default for TrainConfig {
    /// nanoGPT's shakespeare_char recipe, scaled to a run of 2000 steps.
    fn default() -> Self {
        TrainConfig {
            batch_size: 16,
            learning_rate: 1e-3,
            min_lr: 1e-4,
            warmup_steps: 100,
            max_steps: 2000,
            weight_decay: 0.1,
            beta1: 0.9,
            beta2: 0.99,
            eps: 1e-8,
            grad_clip: 1.0,
            seed: 1337,
        }
    }
}

impl TrainConfig {
    pub fn validate(&self) -> Result<(), CoreError> {
        let bad = |field: &'static str, value: f64, reason: &str| CoreError::Config {
            field,
            value: value as u64,
            reason: format!("{reason} (got {value})"),
        };
        if self.batch_size == 0 || self.batch_size > 4096 {
            return Err(bad("batch_size", self.batch_size as f64, "must be between 1 and 4096"));
        }
        if !(self.learning_rate > 0.0 && self.learning_rate <= 1.0) {
            return Err(bad("learning_rate", self.learning_rate as f64, "must be in (0, 1]"));
        }
        if !(self.min_lr >= 0.0 && self.min_lr <= self.learning_rate) {
            return Err(bad("min_lr", self.min_lr as f64, "must be between 0 and learning_rate"));
        }
        if self.max_steps == 0 {
            return Err(bad("max_steps", 0.0, "must be at least 1"));
        }
        for (field, v) in [("beta1", self.beta1), ("beta2", self.beta2)] {
            if !(0.0..1.0).contains(&v) {
                return Err(bad(field, v as f64, "must be in [0, 1)"));
            }
        }
        if !(self.eps > 0.0 && self.weight_decay >= 0.0 && self.grad_clip >= 0.0) {
            return Err(bad("eps", self.eps as f64, "eps must be > 0, weight_decay and grad_clip ≥ 0"));
        }
        Ok(())
    }

    /// nanoGPT's `get_lr`: linear warmup, then cosine decay from learning_rate to min_lr.
    pub fn lr_at(&self, step: u32) -> f32 {
        if step < self.warmup_steps {
            return self.learning_rate * (step + 1) as f32 / (self.warmup_steps + 1) as f32;
        }
        if step >= self.max_steps {
            return self.min_lr;
        }
        let ratio = (step - self.warmup_steps) as f32 / (self.max_steps - self.warmup_steps).max(1) as f32;
        let coeff = 0.5 * (1.0 + (std::f32::consts::PI * ratio).cos());
        self.min_lr + coeff * (self.learning_rate - self.min_lr)
    }

    /// AdamW's parameters for step `step` (counted from 0), weight decay on or off.
    pub fn adamw(&self, step: u32, decay: bool) -> AdamWParams {
        AdamWParams {
            lr: self.lr_at(step),
            beta1: self.beta1,
            beta2: self.beta2,
            eps: self.eps,
            weight_decay: if decay { self.weight_decay } else { 0.0 },
            step: step + 1,
        }
    }
}

/// The config as JSON, for checkpoint metadata.
pub fn to_json(config: &TrainConfig) -> String {
    serde_json::to_string(config).expect("a struct of numbers serializes")
}

/// What one step reports.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct StepStats {
    /// The step's index, counted from 0.
    pub step: u32,
    pub loss: f32,
    /// Global gradient norm before clipping.
    pub grad_norm: f32,
    pub lr: f32,
}

/// AdamW's moments and the number of steps taken.
#[derive(Clone, Debug, PartialEq)]
pub struct OptimizerState {
    pub step: u32,
    pub m: Vec<f32>, // like params
    pub v: Vec<f32>, // like params
}

impl OptimizerState {
    pub fn new(len: usize) -> Self {
        OptimizerState { step: 0, m: vec![0.0; len], v: vec![0.0; len] }
    }
}

/// Trains a `CpuModel` of any family: the reference for the GPU step and the engine without WebGPU.
pub struct CpuTrainer {
    pub model: CpuModel,
    pub config: TrainConfig,
    pub opt: OptimizerState,
    pub grads: Vec<f32>,
    acts: Option<Activations>,
    /// The batch's shards where a step runs them side by side (see `shards`).
    shards: Option<shards::Shards>,
}

impl CpuTrainer {
    pub fn new(model: CpuModel, config: TrainConfig) -> Result<Self, CoreError> {
        config.validate()?;
        let n = model.params.len();
        Ok(CpuTrainer { model, config, opt: OptimizerState::new(n), grads: vec![0.0; n], acts: None, shards: None })
    }

    /// The clipping factor for a gradient norm (1 when clipping is off).
    pub fn clip_scale(&self, grad_norm: f32) -> f32 {
        if self.config.grad_clip > 0.0 {
            cpu::clip_scale(grad_norm, self.config.grad_clip)
        } else {
            1.0
        }
    }

    /// One optimizer step on a batch: each stack's (B, T) tokens (`inputs`) and the targets.
    /// A non-finite loss or gradient leaves the model and optimizer untouched and returns the error.
    /// A small model on the fast engine runs its batch as one shard per thread (`shards`).
    pub fn step(&mut self, inputs: &[&[u32]], targets: &[u32], b: usize, t: usize) -> Result<StepStats, CoreError> {
        let n = shards::count(&self.model, b);
        let loss = if n > 1 {
            if self.shards.as_ref().is_none_or(|s| !s.fit(b, t, n)) {
                self.shards = Some(shards::Shards::new(&self.model, b, t, n));
            }
            let shards = self.shards.as_mut().expect("made above");
            shards.forward_backward(&self.model, &mut self.grads, inputs, targets)?
        } else {
            let acts = ensure_acts(&mut self.acts, &self.model, b, t);
            let loss = self.model.forward_train(acts, inputs, targets)?;
            self.model.backward(&mut self.grads, acts, inputs, targets);
            loss
        };
        self.update(loss)
    }

    /// The optimizer's half of a step, after the backward has filled `grads` for `loss`:
    /// clipping and AdamW. A non-finite loss or gradient changes nothing and is returned.
    pub fn update(&mut self, loss: f32) -> Result<StepStats, CoreError> {
        let ops = self.model.kernels.ops();
        let grad_norm = ops.grad_norm(&self.grads);
        if !loss.is_finite() || !grad_norm.is_finite() {
            return Err(CoreError::NonFinite { step: self.opt.step, loss, grad_norm });
        }
        let scale = self.clip_scale(grad_norm);
        let step = self.opt.step;
        for (span, decay) in [(self.model.layout().decay_span(), true), (self.model.layout().no_decay_span(), false)] {
            let hp = self.config.adamw(step, decay);
            let r = span.offset..span.end();
            let (p, m, v) = (&mut self.model.params[r.clone()], &mut self.opt.m[r.clone()], &mut self.opt.v[r.clone()]);
            ops.adamw_update(p, m, v, &self.grads[r], scale, &hp, span.len);
        }
        self.opt.step += 1;
        Ok(StepStats { step, loss, grad_norm, lr: self.config.lr_at(step) })
    }

    /// Mean loss on a batch without changing anything.
    pub fn eval(&mut self, inputs: &[&[u32]], targets: &[u32], b: usize, t: usize) -> Result<f32, CoreError> {
        let acts = ensure_acts(&mut self.acts, &self.model, b, t);
        self.model.forward_train(acts, inputs, targets)
    }
}

/// Activations for (b, t), reallocated only when the shape changes.
fn ensure_acts<'a>(acts: &'a mut Option<Activations>, model: &CpuModel, b: usize, t: usize) -> &'a mut Activations {
    if acts.as_ref().is_none_or(|a| a.b != b || a.t != t) {
        *acts = Some(Activations::new(&model.arch, b, t));
    }
    acts.as_mut().expect("allocated above")
}
