//! Byte-level BPE for JavaScript: train on the user's text one merge at a time (the page shows
//! each merge and the text re-tokenized), then encode and decode with the merges so far.
//! Tokens are spelled as GPT-2's files spell them (a space is `Ġ`, a newline `Ċ`).

use crate::errors::to_js;
use playground_core::bpe::byte_map::encode_symbols;
use playground_core::{Bpe, BpeTrainer};
use serde::Serialize;
use wasm_bindgen::prelude::*;

/// One merge, as the page lists it.
#[derive(Serialize)]
struct MergeDto {
    left: u32,
    right: u32,
    new_id: u32,
    count: usize,
    /// The new token in GPT-2's spelling.
    token: String,
}

/// A BPE being trained on one text.
#[wasm_bindgen]
pub struct BpeTraining {
    trainer: BpeTrainer,
}

#[wasm_bindgen]
impl BpeTraining {
    /// Prepares training on `text` up to `vocab_size` tokens (at least 256: the bytes).
    #[wasm_bindgen(constructor)]
    pub fn new(text: &str, vocab_size: u32) -> Result<BpeTraining, JsValue> {
        Ok(BpeTraining { trainer: BpeTrainer::new(text, vocab_size as usize).map_err(to_js)? })
    }

    /// Makes up to `n` merges; returns the ones made (fewer than `n`: training is done, the
    /// vocabulary being full or every piece one token).
    pub fn step(&mut self, n: u32) -> Result<JsValue, JsValue> {
        let mut made = Vec::new();
        for _ in 0..n {
            let Some(m) = self.trainer.step() else { break };
            made.push(MergeDto { left: m.pair.0, right: m.pair.1, new_id: m.new_id, count: m.count, token: encode_symbols(&m.bytes) });
        }
        serde_wasm_bindgen::to_value(&made).map_err(|e| JsValue::from(js_sys::Error::new(&e.to_string())))
    }

    /// The training text as the merges so far segment it.
    pub fn ids(&self) -> Vec<u32> {
        self.trainer.ids()
    }

    #[wasm_bindgen(js_name = vocabSize)]
    pub fn vocab_size(&self) -> u32 {
        self.trainer.current_vocab_size() as u32
    }

    /// The tokenizer made of the merges so far.
    pub fn tokenizer(&self) -> Result<BpeTokenizer, JsValue> {
        Ok(BpeTokenizer { bpe: Bpe::from_merges(self.trainer.merges()).map_err(to_js)? })
    }
}

/// A byte-level BPE tokenizer (trained here, or GPT-2's from its files).
#[wasm_bindgen]
pub struct BpeTokenizer {
    bpe: Bpe,
}

#[wasm_bindgen]
impl BpeTokenizer {
    /// GPT-2's tokenizer from `vocab.json` (encoder.json) and `merges.txt` (vocab.bpe).
    #[wasm_bindgen(js_name = fromGpt2Files)]
    pub fn from_gpt2_files(vocab_json: &str, merges_txt: &str) -> Result<BpeTokenizer, JsValue> {
        Ok(BpeTokenizer { bpe: Bpe::from_gpt2_files(vocab_json, merges_txt).map_err(to_js)? })
    }

    pub fn encode(&self, text: &str) -> Vec<u32> {
        self.bpe.encode(text)
    }

    pub fn decode(&self, ids: &[u32]) -> Result<String, JsValue> {
        self.bpe.decode(ids).map_err(to_js)
    }

    /// Every token in GPT-2's spelling, by id.
    pub fn tokens(&self) -> Vec<String> {
        (0..self.bpe.vocab_size() as u32).map(|id| encode_symbols(self.bpe.token_bytes(id).unwrap_or_default())).collect()
    }

    /// The merges in rank order, as (left, right, new id) triples, flattened.
    pub fn merges(&self) -> Vec<u32> {
        self.bpe.merges().iter().flat_map(|&((a, b), id)| [a, b, id]).collect()
    }

    #[wasm_bindgen(js_name = vocabSize)]
    pub fn vocab_size(&self) -> u32 {
        self.bpe.vocab_size() as u32
    }
}
