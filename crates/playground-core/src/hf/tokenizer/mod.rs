//! Tokenizers from a Hugging Face `tokenizer.json` (and its `tokenizer_config.json`), giving
//! the ids the `tokenizers` package gives, for the BPE tokenizers of GPT-2, SmolLM, Qwen2 and
//! Llama. One job per file:
//!
//! | file | job |
//! |---|---|
//! | `json.rs` | the files' shapes, read by serde |
//! | `normalizer.rs` | NFC, Prepend, Replace |
//! | `nfc.rs` | Unicode canonical composition, from the canonical tables only |
//! | `pre_tokenizer.rs` | ByteLevel, Split, Digits, Metaspace |
//! | `split_pattern.rs` | the split patterns (GPT-2's, Qwen2's, cl100k's) written out |
//! | `bpe_model.rs` | vocabulary, merges (the loop of `bpe::merge`), byte fallback, unknown token |
//! | `added_tokens.rs` | special and added tokens, found before everything else |
//! | `special_ids.rs` | BOS / EOS around the text: tokenizer_config.json, else the post-processor |
//! | `decoder.rs` | ids back to text |
//! | `display.rs` | which bytes a token holds, and tokens grouped into the characters they spell |
//!
//! Encoding, as `tokenizers`' `encode`: added tokens are cut out of the text, each stretch
//! between them is normalized and cut into pieces by the pre-tokenizer, each piece is merged
//! by the model, and the special ids go around. A component or option it does not implement
//! is refused when the file is read, by its field and value; no text is encoded differently
//! without saying so. tests/tests/hf_tokenizer.rs compares the ids and decoded texts with
//! `tokenizers` on generated tokenizers of every kind.

mod added_tokens;
mod bpe_model;
mod decoder;
mod display;
mod json;
mod nfc;
mod normalizer;
mod pre_tokenizer;
mod special_ids;
mod split_pattern;

pub use display::{group_bytes, legible, TokenGroup};

use crate::bpe::merge::Merger;
use crate::error::CoreError;
use added_tokens::{AddedTokens, Segment};
use bpe_model::BpeModel;
use decoder::Decoder;
use normalizer::Normalizer;
use pre_tokenizer::{Piece, PreTokenizer};
use special_ids::SpecialIds;
use std::collections::HashMap;

pub(crate) const TOKENIZER_JSON: &str = "tokenizer.json";
pub(crate) const TOKENIZER_CONFIG_JSON: &str = "tokenizer_config.json";

/// An option of tokenizer.json this module does not implement.
fn unsupported(field: &str, value: &str, reason: &str) -> CoreError {
    CoreError::HfUnsupported { file: TOKENIZER_JSON.into(), field: field.into(), value: value.into(), reason: reason.into() }
}

/// How a token's string spells the text it stands for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Spelling {
    /// GPT-2's 256 byte symbols (`Ġ` for the space).
    ByteLevel,
    /// Characters as they are, this one for the space (Llama's "▁"), `<0x..>` for a byte.
    Text { space: Option<char> },
}

/// A tokenizer read from tokenizer.json.
///
/// ```
/// use playground_core::hf::HfTokenizer;
///
/// let json = r#"{"model": {"type": "BPE", "vocab": {"a": 0, "b": 1, "ab": 2}, "merges": ["a b"]},
///                "pre_tokenizer": null, "added_tokens": [{"id": 3, "content": "<s>", "special": true, "normalized": false}]}"#;
/// let tok = HfTokenizer::from_json(json, None).unwrap();
/// assert_eq!(tok.encode("<s>abba", false), [3, 2, 1, 0]);
/// assert_eq!(tok.decode(&[3, 2, 1, 0], true).unwrap(), "ab b a"); // no decoder: tokens joined by spaces
/// ```
#[derive(Clone, Debug)]
pub struct HfTokenizer {
    normalizer: Option<Normalizer>,
    pre_tokenizer: Option<PreTokenizer>,
    model: BpeModel,
    added: AddedTokens,
    special_ids: SpecialIds,
    decoder: Option<Decoder>,
    spelling: Spelling,
    vocab_size: usize,
}

impl HfTokenizer {
    /// Reads `tokenizer.json` and, where the model has one, `tokenizer_config.json`.
    pub fn from_json(tokenizer_json: &str, tokenizer_config_json: Option<&str>) -> Result<HfTokenizer, CoreError> {
        let file: json::TokenizerFile =
            serde_json::from_str(tokenizer_json).map_err(|e| CoreError::HfJson { file: TOKENIZER_JSON.into(), message: e.to_string() })?;
        let model = BpeModel::from_json(file.model)?;
        let normalizer = file.normalizer.as_ref().map(|n| Normalizer::from_json(n, "normalizer")).transpose()?;
        let pre_tokenizer = file.pre_tokenizer.as_ref().map(|p| PreTokenizer::from_json(p, "pre_tokenizer")).transpose()?;
        let decoder = file.decoder.as_ref().map(|d| Decoder::from_json(d, "decoder")).transpose()?;
        let mut special_ids = match &file.post_processor {
            Some(post) => SpecialIds::from_post_processor(post, "post_processor")?,
            None => SpecialIds::default(),
        };

        for (i, token) in file.added_tokens.iter().enumerate() {
            let field = format!("added_tokens[{i}]");
            let invalid = |reason: String| CoreError::HfInvalid { file: TOKENIZER_JSON.into(), field: field.clone(), reason };
            if token.id as usize >= crate::config::MAX_VOCAB {
                return Err(invalid(format!(
                    "the id {} is beyond the {} tokens the playground supports",
                    token.id,
                    crate::config::MAX_VOCAB
                )));
            }
            match (model.id(&token.content), model.token(token.id)) {
                (Some(id), _) if id != token.id => {
                    return Err(invalid(format!("{:?} has the id {} but the vocabulary gives it {id}", token.content, token.id)))
                }
                (None, Some(other)) => {
                    return Err(invalid(format!("{:?} has the id {} of the vocabulary's {other:?}", token.content, token.id)))
                }
                _ => {}
            }
            if let Some(first) = file.added_tokens[..i].iter().find(|t| t.id == token.id) {
                return Err(invalid(format!("{:?} has the id {} of {:?}", token.content, token.id, first.content)));
            }
        }
        let vocab_size = file.added_tokens.iter().map(|t| t.id as usize + 1).fold(model.vocab_size(), usize::max);
        let added = AddedTokens::new(file.added_tokens, normalizer.as_ref());

        if let Some(config) = tokenizer_config_json {
            let config: json::TokenizerConfigFile = serde_json::from_str(config)
                .map_err(|e| CoreError::HfJson { file: TOKENIZER_CONFIG_JSON.into(), message: e.to_string() })?;
            special_ids =
                special_ids.with_config(&config, |content| added.by_content(content).map(|t| t.id).or_else(|| model.id(content)))?;
        }
        for &id in special_ids.before.iter().chain(&special_ids.after) {
            if id as usize >= vocab_size {
                return Err(CoreError::HfInvalid {
                    file: TOKENIZER_JSON.into(),
                    field: "post_processor".into(),
                    reason: format!("adds the id {id}, but the vocabulary has {vocab_size} ids"),
                });
            }
        }

        let spelling = if pre_tokenizer.as_ref().is_some_and(PreTokenizer::is_byte_level) {
            Spelling::ByteLevel
        } else {
            let space = pre_tokenizer
                .as_ref()
                .and_then(PreTokenizer::space_replacement)
                .or(normalizer.as_ref().and_then(Normalizer::space_replacement));
            Spelling::Text { space }
        };
        Ok(HfTokenizer { normalizer, pre_tokenizer, model, added, special_ids, decoder, spelling, vocab_size })
    }

    /// V: one past the largest id of the model and the added tokens.
    pub fn vocab_size(&self) -> usize {
        self.vocab_size
    }

    /// The ids of `text`, with the special tokens the tokenizer puts around a text when
    /// `add_special_tokens` (`tokenizers`' `encode(text, add_special_tokens)`). Special
    /// tokens written in the text are recognized. A character with no token, no byte fallback
    /// and no unknown token is left out, as `tokenizers` does.
    pub fn encode(&self, text: &str, add_special_tokens: bool) -> Vec<u32> {
        let mut ids = Vec::with_capacity(text.len() / 3 + 2);
        if add_special_tokens {
            ids.extend_from_slice(&self.special_ids.before);
        }
        // pieces repeat (" the"), so each distinct one is merged once: piece -> its ids in `ids`
        let mut done: HashMap<String, (usize, usize)> = HashMap::new();
        let mut merger = Merger::default();
        for segment in self.added.split(text, self.normalizer.as_ref()) {
            let (text, at_start) = match segment {
                Segment::Token(id) => {
                    ids.push(id);
                    continue;
                }
                Segment::Text { text, at_start } => (text, at_start),
            };
            let pieces = vec![Piece { text, at_start }];
            let pieces = match &self.pre_tokenizer {
                Some(pre) => pre.apply(pieces),
                None => pieces,
            };
            for piece in pieces {
                if let Some(&(start, len)) = done.get(&piece.text) {
                    ids.extend_from_within(start..start + len);
                    continue;
                }
                let start = ids.len();
                self.model.tokenize(&piece.text, &mut merger, &mut ids);
                done.insert(piece.text, (start, ids.len() - start));
            }
        }
        if add_special_tokens {
            ids.extend_from_slice(&self.special_ids.after);
        }
        ids
    }

    /// The text of `ids` (`tokenizers`' `decode`), special tokens left out when
    /// `skip_special_tokens`.
    pub fn decode(&self, ids: &[u32], skip_special_tokens: bool) -> Result<String, CoreError> {
        let mut tokens = Vec::with_capacity(ids.len());
        for &id in ids {
            if let Some(added) = self.added.by_id(id) {
                if !(skip_special_tokens && added.special) {
                    tokens.push(added.content.clone());
                }
            } else {
                tokens.push(self.token(id)?.to_string());
            }
        }
        Ok(match &self.decoder {
            Some(decoder) => decoder.decode_chain(tokens).concat(),
            None => tokens.join(" "),
        })
    }

    /// A token as tokenizer.json spells it (`Ġthe`, `▁the`, `<0xE4>`, `<|endoftext|>`).
    pub fn token(&self, id: u32) -> Result<&str, CoreError> {
        match self.added.by_id(id) {
            Some(added) => Ok(&added.content),
            None => self.model.token(id).ok_or(CoreError::TokenOutOfRange { id, vocab: self.vocab_size }),
        }
    }

    /// Whether `id` is a special token (`<s>`, `<|endoftext|>`).
    pub fn is_special(&self, id: u32) -> bool {
        self.added.by_id(id).is_some_and(|t| t.special)
    }

    /// The ids put before and after a text when special tokens are added.
    pub fn special_ids(&self) -> (&[u32], &[u32]) {
        (&self.special_ids.before, &self.special_ids.after)
    }

    /// The id of a token spelled `token` (an added token or a vocabulary entry).
    pub fn token_id(&self, token: &str) -> Option<u32> {
        self.added.by_content(token).map(|t| t.id).or_else(|| self.model.id(token))
    }

    /// Every added token: (id, content, special).
    pub fn added_tokens(&self) -> impl Iterator<Item = (u32, &str, bool)> {
        self.added.iter().map(|t| (t.id, t.content.as_str(), t.special))
    }
}
