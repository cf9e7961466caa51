//! The small structured values that cross the JS boundary through serde-wasm-bindgen.

use playground_core::config::{Ffn, LinearBias, Norm, NormPosition, Positions};
use playground_core::{Family, ModelConfig};
use serde::{Deserialize, Serialize};

/// Sizes and architecture choices from JS (the choices default to GPT-2's, in ModelConfig's
/// spelling: "rms_norm", "post", "sinusoidal", "rotary", "relu", "swi_glu"); the vocabulary
/// size comes from the tokenizer.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ConfigDto {
    pub block_size: usize,
    pub n_layer: usize,
    pub n_head: usize,
    /// Key/value heads (grouped-query attention); absent: one per head.
    #[serde(default)]
    pub n_kv_head: Option<usize>,
    pub n_embd: usize,
    /// "decoder" (GPT, the default), "encoder" (BERT) or "encoder_decoder".
    #[serde(default)]
    pub family: Family,
    #[serde(default)]
    pub norm: Norm,
    #[serde(default)]
    pub norm_position: NormPosition,
    #[serde(default)]
    pub positions: Positions,
    #[serde(default)]
    pub ffn: Ffn,
    #[serde(default = "yes")]
    pub tie_head: bool,
    /// Encoder family: classes of a [CLS] classifier (0: masked LM).
    #[serde(default)]
    pub n_classes: usize,
    /// "all" (the default), "none" or "qkv_only".
    #[serde(default)]
    pub linear_bias: LinearBias,
}

fn yes() -> bool {
    true
}

impl ConfigDto {
    pub fn with_vocab(&self, vocab_size: usize) -> ModelConfig {
        ModelConfig {
            vocab_size,
            block_size: self.block_size,
            n_layer: self.n_layer,
            n_head: self.n_head,
            n_kv_head: self.n_kv_head,
            n_embd: self.n_embd,
            norm: self.norm,
            norm_position: self.norm_position,
            positions: self.positions,
            ffn: self.ffn,
            tie_head: self.tie_head,
            family: self.family,
            n_classes: self.n_classes,
            linear_bias: self.linear_bias,
            ..ModelConfig::default()
        }
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
    pub classes: Vec<&'static str>,
}

#[derive(Serialize)]
pub struct EvalDto {
    pub train: f32,
    pub val: f32,
}

/// What `tuneLaunches` timed: the kept facts' key, each candidate's ms per step, steps timed each,
/// and the distinct plans run (the other candidates launch as one of them).
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct TunedDto {
    pub kept: &'static str,
    pub ms_per_step: Vec<f64>,
    pub steps: usize,
    pub plans: usize,
}

#[derive(Serialize)]
pub struct GradStatsDto {
    pub step: u32,
    pub names: Vec<String>,
    pub grad_norms: Vec<f32>,
    pub update_ratios: Vec<f32>,
}

/// GPU buffers of the worker's shared device: created since it was, and alive now (soak test).
#[derive(Serialize)]
pub struct BufferStatsDto {
    pub created: u64,
    pub live: u64,
    pub live_bytes: u64,
}
