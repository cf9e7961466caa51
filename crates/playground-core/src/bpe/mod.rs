//! Byte-level BPE (GPT-2's tokenizer, and minbpe's trainer), one job per file:
//!
//! | file | job |
//! |---|---|
//! | `unicode.rs`, `unicode_tables.rs` | `\p{L}`, `\p{N}`, `\s` as tiktoken's regex engine defines them |
//! | `pretokenize.rs` | GPT-2's split of a text into pieces, written out without a regex engine |
//! | `byte_map.rs` | GPT-2's `bytes_to_unicode`, the alphabet its files spell bytes in |
//! | `merge.rs` | the merge loop on one piece (lowest rank first, leftmost on ties) |
//! | `encoder.rs` | [`Bpe`]: encode, decode, token bytes; minbpe-style merge lists |
//! | `gpt2_files.rs` | [`Bpe::from_gpt2_files`]: encoder.json + vocab.bpe, checked |
//! | `trainer.rs` | [`BpeTrainer`]: learns merges on a text, one [`Merge`] per step |
//!
//! Ids: in a trained tokenizer, 0..256 are the bytes and merge k makes 256 + k (minbpe).
//! GPT-2's ids are its encoder.json's (its byte tokens are not in byte order).
//!
//! Parity: `tests/bpe/` holds a varied text and the ids tiktoken's JavaScript port gives it
//! with GPT-2's encoding; the integration tests require the same ids. Where the ports differ
//! (JavaScript's `\s` takes U+FEFF and not U+0085), this module follows tiktoken itself.

pub mod byte_map;
mod encoder;
mod gpt2_files;
pub(crate) mod merge;
mod pretokenize;
mod trainer;
pub mod unicode;
mod unicode_tables;

pub use encoder::Bpe;
pub use pretokenize::{gpt2_pieces, Gpt2Pieces};
pub use trainer::{BpeTrainer, Merge};
