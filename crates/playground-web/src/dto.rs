//! The small structured values that cross the JS boundary through serde-wasm-bindgen.

use playground_core::ModelConfig;
use serde::{Deserialize, Serialize};

/// Sizes from JS; the vocabulary size comes from the tokenizer.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ConfigDto {
    pub block_size: usize,
    pub n_layer: usize,
    pub n_head: usize,
    pub n_embd: usize,
}

impl ConfigDto {
    pub fn with_vocab(&self, vocab_size: usize) -> ModelConfig {
        ModelConfig { vocab_size, block_size: self.block_size, n_layer: self.n_layer, n_head: self.n_head, n_embd: self.n_embd }
    }
}

fn auto() -> String {
    "auto".into()
}

/// Training data: a generated task by name, or a text.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DataDto {
    pub task: Option<String>,
    pub text: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CreateOptions {
    pub config: ConfigDto,
    /// Weights, batches and sampling are reproducible from this seed.
    pub seed: u64,
    /// A text whose distinct characters form the vocabulary (else the data's).
    pub vocab: Option<String>,
    pub data: Option<DataDto>,
    #[serde(default = "auto")]
    pub backend: String,
}

#[derive(Serialize)]
pub struct UnknownDto {
    pub position: usize,
    pub char: String,
}

#[derive(Serialize)]
pub struct EncodedDto {
    pub unknown: Vec<UnknownDto>,
}

#[derive(Serialize)]
pub struct TaskDto {
    pub name: &'static str,
    pub lesson: &'static str,
    pub alphabet: String,
}

#[derive(Serialize)]
pub struct EvalDto {
    pub train: f32,
    pub val: f32,
}

/// GPU buffers of the worker's shared device: created since it was, and alive now (soak test).
#[derive(Serialize)]
pub struct BufferStatsDto {
    pub created: u64,
    pub live: u64,
    pub live_bytes: u64,
}
