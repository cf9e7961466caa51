//! Trains an encoder-decoder on the CPU with teacher forcing: the `CpuTrainer`'s optimizer
//! around the seq2seq forward and backward.

use crate::data::seq2seq::Seq2SeqRows;
use crate::error::CoreError;
use crate::model::EncDecActs;
use crate::train::{CpuTrainer, StepStats, TrainConfig};
use crate::CpuModel;

pub struct Seq2SeqTrainer {
    pub trainer: CpuTrainer,
    acts: Option<EncDecActs>,
}

impl Seq2SeqTrainer {
    pub fn new(model: CpuModel, config: TrainConfig) -> Result<Self, CoreError> {
        Ok(Seq2SeqTrainer { trainer: CpuTrainer::new(model, config)?, acts: None })
    }

    pub fn model(&self) -> &CpuModel {
        &self.trainer.model
    }

    /// One optimizer step on a batch of `b` rows of `t` tokens.
    pub fn step(&mut self, batch: &Seq2SeqRows, b: usize, t: usize) -> Result<StepStats, CoreError> {
        let loss = self.eval(batch, b, t)?;
        let (tr, acts) = (&mut self.trainer, self.acts.as_ref().expect("eval allocated them"));
        tr.model.seq2seq_backward(&mut tr.grads, acts, &batch.src, &batch.dec_in, &batch.targets);
        tr.update(loss)
    }

    /// The teacher-forced mean loss on a batch, changing nothing but the kept activations.
    pub fn eval(&mut self, batch: &Seq2SeqRows, b: usize, t: usize) -> Result<f32, CoreError> {
        let model = &self.trainer.model;
        if self.acts.as_ref().is_none_or(|a| a.b != b || a.t != t) {
            self.acts = Some(EncDecActs::new(model, b, t));
        }
        let acts = self.acts.as_mut().expect("allocated above");
        model.seq2seq_forward(acts, &batch.src, &batch.dec_in, &batch.targets)
    }
}
