//! `AnySession`: a session of any family behind one handle, so the wasm facade exports one
//! class. A single-stream model (decoder, encoder) is a `Session`, an encoder-decoder an
//! `EncDecSession`; both answer the calls of a training run (data, steps, evaluation,
//! checkpoints, optimizer state), and each family's own calls go through `stream()` or
//! `encdec()`, which refuse the other family by name.

use crate::encdec_session::EncDecSession;
use crate::error::GpuError;
use crate::session::Session;
use playground_core::checkpoint::Checkpoint;
use playground_core::train::{OptimizerState, StepStats, TrainConfig};
use playground_core::{CharTokenizer, CoreError, Family, ModelConfig};
use std::collections::BTreeMap;

pub enum AnySession {
    /// A decoder or an encoder: one token stream.
    Stream(Box<Session>),
    /// An encoder-decoder: a source and a target.
    EncDec(Box<EncDecSession>),
}

/// The refusal of a call that belongs to the other family: `what` says which call.
fn wrong_family(family: Family, what: &str) -> GpuError {
    let reason = match family {
        Family::EncoderDecoder => format!("{what} reads one token stream, and an encoder-decoder reads a source and a target"),
        _ => format!("{what} is for an encoder-decoder, and this model is not one"),
    };
    CoreError::Architecture { field: "family", value: format!("{family:?}"), reason }.into()
}

impl AnySession {
    /// The single-stream session, or a typed error naming `what` for an encoder-decoder.
    pub fn stream(&mut self, what: &str) -> Result<&mut Session, GpuError> {
        match self {
            AnySession::Stream(s) => Ok(s),
            AnySession::EncDec(_) => Err(wrong_family(Family::EncoderDecoder, what)),
        }
    }

    /// The encoder-decoder session, or a typed error naming `what` for the other families.
    pub fn encdec(&mut self, what: &str) -> Result<&mut EncDecSession, GpuError> {
        match self {
            AnySession::EncDec(s) => Ok(s),
            AnySession::Stream(s) => Err(wrong_family(s.config().family, what)),
        }
    }

    pub fn config(&self) -> &ModelConfig {
        match self {
            AnySession::Stream(s) => s.config(),
            AnySession::EncDec(s) => s.config(),
        }
    }

    /// What the checkpoint the session started from says about itself (step, data, ...).
    pub fn metadata(&self) -> &BTreeMap<String, String> {
        match self {
            AnySession::Stream(s) => s.metadata(),
            AnySession::EncDec(s) => s.metadata(),
        }
    }

    /// The model's character vocabulary.
    pub fn tokenizer(&self) -> &CharTokenizer {
        match self {
            AnySession::Stream(s) => &s.tokenizer,
            AnySession::EncDec(s) => &s.tokenizer,
        }
    }

    /// "webgpu" or "cpu".
    pub fn backend(&self) -> &'static str {
        match self {
            AnySession::Stream(s) => s.backend(),
            AnySession::EncDec(s) => s.backend(),
        }
    }

    /// Steps taken so far.
    pub fn step(&self) -> u32 {
        match self {
            AnySession::Stream(s) => s.step(),
            AnySession::EncDec(s) => s.step(),
        }
    }

    /// Prepares training with `train`, resuming `opt` when given.
    pub async fn start_training(&mut self, train: TrainConfig, opt: Option<&OptimizerState>) -> Result<(), GpuError> {
        match self {
            AnySession::Stream(s) => s.start_training(train, opt).await,
            AnySession::EncDec(s) => s.start_training(train, opt).await,
        }
    }

    /// Runs `n` training steps (a broken one changes no weights; see each session).
    pub async fn train_steps(&mut self, n: usize) -> Result<Vec<StepStats>, GpuError> {
        match self {
            AnySession::Stream(s) => s.train_steps(n).await,
            AnySession::EncDec(s) => s.train_steps(n).await,
        }
    }

    /// Mean loss on `batches` fixed batches: (training, validation).
    pub async fn evaluate(&mut self, batches: usize) -> Result<(f32, f32), GpuError> {
        match self {
            AnySession::Stream(s) => s.evaluate(batches).await,
            AnySession::EncDec(s) => s.evaluate(batches).await,
        }
    }

    /// The model as a checkpoint, with the run in its metadata.
    pub async fn checkpoint(&mut self) -> Result<Checkpoint, GpuError> {
        match self {
            AnySession::Stream(s) => s.checkpoint().await,
            AnySession::EncDec(s) => s.checkpoint().await,
        }
    }

    /// AdamW's state while training.
    pub async fn optimizer(&mut self) -> Result<OptimizerState, GpuError> {
        match self {
            AnySession::Stream(s) => s.optimizer().await,
            AnySession::EncDec(s) => s.optimizer().await,
        }
    }
}
