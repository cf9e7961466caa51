//! Hugging Face models as the hub stores them: `tokenizer.json` (and `tokenizer_config.json`)
//! for the tokenizer, safetensors weights (one file or shards), `config.json`, and what a
//! model will cost to download and hold before any of it is loaded.
//!
//! | module | reads |
//! |---|---|
//! | [`tokenizer`] | tokenizer.json, tokenizer_config.json |
//! | [`weights`] | model.safetensors, model.safetensors.index.json and its shards |
//! | [`config`] | config.json of GPT-2, Llama and Qwen2 |
//! | [`checkpoint`] | the tensors a config needs, found in the files' headers |
//! | [`model`] | the playground's config of a model, and where each tensor goes in its parameters |
//! | [`memory`] | download size and memory needed; refusals against wasm32 and the device |

pub mod checkpoint;
pub mod config;
pub mod memory;
pub mod model;
pub mod tokenizer;
pub mod weights;

pub use checkpoint::{locate_tensors, TensorLocation};
pub use config::{HfActivation, HfArchitecture, HfBias, HfConfig};
pub use memory::MemoryEstimate;
pub use model::{load_model, load_model_checked, HfLoadPlan};
pub use tokenizer::HfTokenizer;
pub use weights::{SafetensorsHeader, ShardIndex, TensorInfo, WeightDtype, WeightStream};
