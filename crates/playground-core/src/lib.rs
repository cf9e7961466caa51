//! The CPU reference of Transformer Playground: what "correct" means for every GPU kernel,
//! and the engine the page falls back to where WebGPU is missing.
//!
//! No wgpu and no web-sys here, so it builds and tests on any target in seconds.
//!
//! # Shape legend
//! Every buffer argument carries its shape as a trailing comment, in these letters
//! (llm.c's legend):
//!
//! | letter | meaning |
//! |---|---|
//! | `B` | batch size |
//! | `T` | sequence length (≤ `block_size`) |
//! | `C` | channels, `n_embd` |
//! | `V` | vocabulary size |
//! | `NH` | number of attention heads |
//! | `HS` | head size, `C / NH` |
//! | `L` | number of layers |
//!
//! Tensors are `f32`, row-major, flattened into slices.
//!
//! # Example
//! ```
//! use playground_core::{CharTokenizer, CpuModel, ModelConfig, TraceRequest};
//!
//! let tok = CharTokenizer::from_text("hello world").unwrap();
//! let config = ModelConfig { vocab_size: tok.vocab_size(), block_size: 16, n_layer: 2, n_head: 2, n_embd: 8, ..ModelConfig::default() };
//! let model = CpuModel::new(config, 42).unwrap();
//! let ids = tok.encode("hello").unwrap();
//! let out = model.forward(&ids, &TraceRequest::keys(&["logits"]).unwrap()).unwrap();
//! let logits = out.get("logits").unwrap();
//! assert_eq!(logits.shape, vec![5, tok.vocab_size()]);
//! ```

// Reference ops index several arrays with one loop variable, as the math is written;
// iterator chains would hide the formulas the kernels are checked against.
#![allow(clippy::needless_range_loop)]

pub mod ablation;
pub mod arch;
pub mod arch_ops;
pub mod architecture;
pub mod bpe;
pub mod checkpoint;
pub mod config;
pub mod cost;
pub mod cpu;
pub mod data;
pub mod error;
pub mod fast;
pub mod gpt2_import;
pub mod grad_trace;
pub mod hf;
pub mod logit_lens;
pub mod memory;
pub mod model;
pub mod order;
pub mod params;
pub mod rng;
pub mod sample;
pub mod tokenizer;
pub mod trace;
pub mod trace_steps;
pub mod train;

pub use bpe::{Bpe, BpeTrainer, Merge};
pub use checkpoint::Checkpoint;
pub use config::{DeviceLimits, Family, ModelConfig};
pub use error::CoreError;
pub use model::{CpuModel, ForwardOutput};
pub use params::{ParamLayout, ParamTensor};
pub use rng::Rng;
pub use sample::{sample, sampling_probabilities, SamplingParams};
pub use tokenizer::{CharTokenizer, Encoded};
pub use trace::{TraceKey, TraceRequest, TraceTensor};
pub use trace_steps::TraceSteps;
