//! Byte-level BPE (playground_core::bpe): the GPT-2 split, the merge loop, GPT-2's files,
//! the trainer, and parity with tiktoken on GPT-2.

mod encoder;
mod gpt2_files;
mod gpt2_parity;
mod pretokenize;
mod trainer;
mod unicode_classes;
