//! Looking inside a model: the backward trace of a training batch, gradient and update sizes
//! per parameter tensor, the logit lens, and ablation, for whichever engine runs the session.
//!
//! The backward trace always runs on the CPU reference, with the engine's current weights and
//! the batch the next training step will use; its parameter gradients equal what the engine
//! computes for that step (`tests/tests/inspect.rs` checks this for the GPU trainer).

use crate::engine::{not_training, Engine, Model};
use crate::error::GpuError;
use crate::session::Session;
use playground_core::ablation::{Ablation, AblationSpec};
use playground_core::grad_trace::{backward_trace, tensor_norms, update_ratios, BackwardTrace};
use playground_core::logit_lens::{lens_spans, logit_lens, LogitLens};
use playground_core::{CoreError, CpuModel, ParamLayout, TraceRequest};

/// Sizes per parameter tensor after the last step, in `ParamLayout` order.
#[derive(Clone, Debug, PartialEq)]
pub struct GradStats {
    /// Steps taken; the numbers describe step `step − 1`.
    pub step: u32,
    pub names: Vec<String>,
    /// ‖g‖ per tensor, before clipping.
    pub grad_norms: Vec<f32>,
    /// ‖Δw‖/‖w‖ per tensor for AdamW's last update.
    pub update_ratios: Vec<f32>,
}

impl Engine {
    /// Switches heads and blocks off for inference (`forward`); training steps never see it
    /// (the GPU trainer's step has its own plan, and the CPU trainer drops it before a step).
    pub fn set_ablation(&mut self, ablation: Option<&Ablation>) {
        match self.model() {
            Model::Gpu(m) => m.set_ablation(ablation),
            Model::Cpu(m) => m.ablation = ablation.cloned(),
        }
    }

    /// The gradients of the last training step (laid out like the parameters).
    pub async fn grads(&mut self) -> Result<Vec<f32>, GpuError> {
        match self {
            Engine::GpuTrainer(t) => t.read_grads().await,
            Engine::CpuTrainer(t) => Ok(t.grads.clone()),
            _ => Err(not_training()),
        }
    }
}

impl Session {
    /// Forward and backward of the next training batch on the CPU reference, recording block
    /// `layer`; nothing changes (the batch stream is not advanced).
    pub async fn backward_trace(&mut self, layer: usize) -> Result<BackwardTrace, GpuError> {
        self.check_stream("the backward trace")?;
        let batch = self.next_batch()?;
        let config = *self.engine().config();
        let b = batch.targets.len() / config.block_size;
        let model = CpuModel::from_params(config, self.engine().params().await?)?;
        Ok(backward_trace(&model, &batch.inputs[0], &batch.targets, b, config.block_size, layer)?)
    }

    /// Gradient norms and AdamW update sizes per tensor for the last step.
    pub async fn grad_stats(&mut self) -> Result<GradStats, GpuError> {
        let train = self.train_config().ok_or_else(|| CoreError::Data("training has not been started".into()))?;
        let layout = ParamLayout::new(self.engine().config());
        let grads = self.engine().grads().await?;
        let params = self.engine().params().await?;
        let opt = self.engine().optimizer().await?;
        Ok(GradStats {
            step: opt.step,
            names: layout.tensors().iter().map(|t| t.name.clone()).collect(),
            grad_norms: tensor_norms(&layout, &grads),
            update_ratios: update_ratios(&layout, &params, &opt, &train).unwrap_or_else(|| vec![0.0; layout.tensors().len()]),
        })
    }

    /// The top `k` guesses of every block's residual stream for `tokens` (see `logit_lens`).
    pub async fn logit_lens(&mut self, tokens: &[u32], k: usize) -> Result<LogitLens, GpuError> {
        let config = *self.engine().config();
        let keys: Vec<String> = (0..config.n_layer).map(|l| format!("block{l}.residual")).collect();
        let out = self.forward(tokens, &TraceRequest::keys(&keys)?).await?;
        let residuals: Vec<Vec<f32>> = out.trace.into_iter().map(|t| t.data).collect();
        let tensors = self.engine().param_spans(&lens_spans(&config)).await?;
        let tensors: Vec<&[f32]> = tensors.iter().map(Vec::as_slice).collect();
        Ok(logit_lens(&config, &tensors, &residuals, tokens.len(), k)?)
    }

    /// Switches the heads and blocks of `spec` off (an empty spec switches everything on).
    pub fn set_ablation(&mut self, spec: &AblationSpec) -> Result<(), GpuError> {
        let ablation = Ablation::new(self.engine().config(), spec)?;
        self.engine().set_ablation(Some(&ablation));
        Ok(())
    }
}
