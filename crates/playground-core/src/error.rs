//! The one error type of the core crate. Every variant names what broke and the numbers,
//! so the page can show the message as it is.

use thiserror::Error;

#[derive(Error, Clone, PartialEq)]
pub enum CoreError {
    /// A `ModelConfig` field outside what the model supports.
    #[error("config: {field} = {value} is not allowed: {reason}")]
    Config { field: &'static str, value: u64, reason: String },

    /// An architecture choice (family, norm, positions, FFN, head) that cannot be used here.
    #[error("config: {field} = {value} is not allowed: {reason}")]
    Architecture { field: &'static str, value: String, reason: String },

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

    /// GPT-2's encoder.json is not a JSON object of token strings to non-negative integers.
    #[error("GPT-2 encoder.json is not a JSON object of token -> id: {message}")]
    Gpt2Json { message: String },

    #[error("GPT-2 encoder.json lists the token {token:?} twice")]
    Gpt2DuplicateToken { token: String },

    #[error("GPT-2 encoder.json gives {token:?} the id {id}, but with {vocab} tokens every id must be below {vocab}")]
    Gpt2IdOutOfRange { token: String, id: u64, vocab: usize },

    #[error("GPT-2 encoder.json gives the id {id} to both {first:?} and {second:?}")]
    Gpt2DuplicateId { id: u32, first: String, second: String },

    #[error("GPT-2 encoder.json: the token {token:?} holds {ch:?} (U+{code:04X}), which is not one of GPT-2's 256 byte symbols")]
    Gpt2UnknownSymbol { token: String, ch: char, code: u32 },

    #[error("GPT-2 encoder.json has no token for the byte 0x{byte:02X} (spelled {symbol:?})")]
    Gpt2MissingByte { byte: u8, symbol: char },

    /// A line of vocab.bpe that is not a merge ("left right"), or repeats one.
    #[error("GPT-2 vocab.bpe line {line}: {reason}")]
    Gpt2MergeLine { line: usize, reason: String },

    #[error("GPT-2 vocab.bpe line {line}: the token {token:?} is not in encoder.json; do the two files belong together?")]
    Gpt2MergeUnknownToken { line: usize, token: String },

    /// Tokens of encoder.json that no merge makes: the merges are incomplete.
    #[error("GPT-2 vocab.bpe makes none of {count} tokens of encoder.json (for example {example:?}); is vocab.bpe cut short?")]
    Gpt2MissingMerges { count: usize, example: String },

    /// A minbpe-style merge list that cannot be a tokenizer.
    #[error("BPE merge {rank}: {reason}")]
    BpeMerge { rank: usize, reason: String },

    /// A Hugging Face GPT-2 file that is not safetensors.
    #[error("GPT-2 import: the weights file is not a valid safetensors file ({reason})")]
    HfNotSafetensors { reason: String },

    /// A Hugging Face file that is not a GPT-2 this engine runs, with the reason in words.
    #[error("GPT-2 import: this is not a GPT-2 the playground can run: {reason}")]
    HfNotGpt2 { reason: String },

    #[error("GPT-2 import: tensor {name:?} is missing from the weights file")]
    HfMissingTensor { name: String },

    #[error("GPT-2 import: tensor {name:?} has shape {got:?}, expected {expected:?}")]
    HfShape { name: String, expected: Vec<usize>, got: Vec<usize> },

    #[error("GPT-2 import: tensor {name:?} has dtype {dtype}; F32, F16 and BF16 are supported")]
    HfDtype { name: String, dtype: String },

    #[error("GPT-2 import: tensor {name:?} holds {value} at index {index}")]
    HfNonFinite { name: String, value: f32, index: usize },

    /// A Hugging Face file (tokenizer.json, config.json, ...) that is not JSON of the shape
    /// its kind has.
    #[error("{file} is not valid: {message}")]
    HfJson { file: String, message: String },

    /// Something a Hugging Face file asks for that the playground does not implement, named
    /// by its field (a path such as `pre_tokenizer.pretokenizers[1].type`) and value.
    #[error("{file}: {field} = {value} is not supported: {reason}")]
    HfUnsupported { file: String, field: String, value: String, reason: String },

    /// A Hugging Face file whose parts contradict each other or the other files.
    #[error("{file}: {field}: {reason}")]
    HfInvalid { file: String, field: String, reason: String },
}

/// Debug shows the message, as Display does: a failed `expect` then says what went wrong in
/// words, and the wasm carries no second, derived formatter for every variant.
impl std::fmt::Debug for CoreError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        std::fmt::Display::fmt(self, f)
    }
}
