//! The one error type of the core crate. Every variant names what broke and the numbers,
//! so the page can show the message as it is.

use thiserror::Error;

#[derive(Debug, Error, Clone, PartialEq)]
pub enum CoreError {
    /// A `ModelConfig` field outside what the model supports.
    #[error("config: {field} = {value} is not allowed: {reason}")]
    Config { field: &'static str, value: u64, reason: String },

    /// A config that is valid in itself but does not fit the device it would run on.
    #[error("config does not fit this device: {what} needs {needed} but the device allows {allowed} ({limit})")]
    DeviceLimit { what: String, needed: u64, allowed: u64, limit: &'static str },

    #[error("{op}: expected shape {expected:?}, got {got:?}")]
    Shape { op: &'static str, expected: Vec<usize>, got: Vec<usize> },

    #[error("the text is empty: type or paste at least one character")]
    EmptyText,

    #[error("character {ch:?} (U+{code:04X}) at position {position} is not in the vocabulary")]
    UnknownChar { ch: char, code: u32, position: usize },

    #[error("token id {id} is out of range for vocabulary size {vocab}")]
    TokenOutOfRange { id: u32, vocab: usize },

    #[error("sequence length {t} exceeds the context length (block_size) {block_size}")]
    TooLong { t: usize, block_size: usize },

    #[error("batch of {got} tokens does not fill {b} rows of {t}")]
    BatchShape { got: usize, b: usize, t: usize },

    #[error("unknown trace key {key:?}: {reason}")]
    TraceKey { key: String, reason: String },

    #[error("sampling: {0}")]
    Sampling(String),

    /// A checkpoint file that cannot be used, with the reason in words.
    #[error("checkpoint refused: {0}")]
    Checkpoint(String),

    #[error("training data: {0}")]
    Data(String),

    /// Training produced NaN or infinity; the step was not applied.
    #[error("step {step}: the loss ({loss}) or the gradient norm ({grad_norm}) is not a finite number; training paused and the model kept its last good weights. Lower the learning rate and resume.")]
    NonFinite { step: u32, loss: f32, grad_norm: f32 },
}
