//! The tokenizer of an imported model, which the session's character vocabulary does not
//! describe: GPT-2's from vocab.json and merges.txt, or a Hugging Face `tokenizer.json`.

use playground_core::bpe::byte_map::encode_symbols;
use playground_core::hf::HfTokenizer;
use playground_core::{Bpe, CoreError};

pub enum TextTokenizer {
    Gpt2(Box<Bpe>),
    Hub(Box<HfTokenizer>),
}

impl TextTokenizer {
    pub fn vocab_size(&self) -> usize {
        match self {
            TextTokenizer::Gpt2(bpe) => bpe.vocab_size(),
            TextTokenizer::Hub(tok) => tok.vocab_size(),
        }
    }

    /// The ids of `text`, with the special tokens the model's tokenizer config adds (a
    /// Llama's `<s>` first).
    pub fn encode(&self, text: &str) -> Vec<u32> {
        match self {
            TextTokenizer::Gpt2(bpe) => bpe.encode(text),
            TextTokenizer::Hub(tok) => tok.encode(text, true),
        }
    }

    pub fn decode(&self, ids: &[u32]) -> Result<String, CoreError> {
        match self {
            TextTokenizer::Gpt2(bpe) => bpe.decode(ids),
            TextTokenizer::Hub(tok) => tok.decode(ids, false),
        }
    }

    /// Every token as its file spells it (GPT-2's `Ġ` for a space, Llama's `▁`).
    pub fn vocab(&self) -> Vec<String> {
        let ids = 0..self.vocab_size() as u32;
        match self {
            TextTokenizer::Gpt2(bpe) => ids.map(|id| encode_symbols(bpe.token_bytes(id).unwrap_or_default())).collect(),
            TextTokenizer::Hub(tok) => ids.map(|id| tok.token(id).unwrap_or_default().to_string()).collect(),
        }
    }

    /// How `encode` splits a text: "gpt2" or "hub".
    pub fn kind(&self) -> &'static str {
        match self {
            TextTokenizer::Gpt2(_) => "gpt2",
            TextTokenizer::Hub(_) => "hub",
        }
    }
}
