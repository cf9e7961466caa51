//! Hugging Face models as the hub stores them: `tokenizer.json` (and `tokenizer_config.json`)
//! for the tokenizer.

pub mod tokenizer;

pub use tokenizer::HfTokenizer;
