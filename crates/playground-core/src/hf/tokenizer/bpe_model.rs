//! The `BPE` model of tokenizer.json: a vocabulary of symbol strings and a ranked merge list,
//! applied to each piece one character (symbol) at a time, as `tokenizers`' `BPE::merge_word`:
//!
//! - every character is looked up in the vocabulary; a missing one becomes its bytes'
//!   `<0x..>` tokens (`byte_fallback`), else the unknown token (consecutive ones fused into
//!   one with `fuse_unk`), else it is dropped;
//! - then the merge loop of `bpe::merge` (lowest rank first, leftmost on ties);
//! - with `ignore_merges`, a piece that is itself in the vocabulary is that one token.
//!
//! Byte-level tokenizers (GPT-2, Qwen2) see pieces already spelled in the 256 byte symbols;
//! SentencePiece-style ones (Llama) see characters, with "▁" for the space.

use super::json::{MergePair, ModelJson, Vocab};
use super::{unsupported, TOKENIZER_JSON};
use crate::bpe::merge::Merger;
use crate::error::CoreError;
use std::collections::HashMap;

#[derive(Clone, Debug)]
pub(super) struct BpeModel {
    ids: HashMap<String, u32>,
    /// (V) id -> token as spelled in the file; `None` for an id the model does not use.
    tokens: Vec<Option<String>>,
    merges: HashMap<(u32, u32), (u32, u32)>, // pair -> (rank, merged id)
    unk: Option<u32>,
    fuse_unk: bool,
    byte_fallback: Option<[u32; 256]>, // byte -> id of its <0x..> token
    ignore_merges: bool,
}

fn invalid(field: impl Into<String>, reason: impl Into<String>) -> CoreError {
    CoreError::HfInvalid { file: TOKENIZER_JSON.into(), field: field.into(), reason: reason.into() }
}

impl BpeModel {
    /// The model in `json`, checked: ids unique, merges naming tokens of the vocabulary.
    pub fn from_json(json: ModelJson) -> Result<BpeModel, CoreError> {
        let kind = json.kind.as_deref().unwrap_or("BPE");
        if kind != "BPE" {
            return Err(unsupported("model.type", &format!("{kind:?}"), "the playground reads BPE tokenizers (GPT-2, Llama, Qwen2)"));
        }
        let entries = match json.vocab {
            Some(Vocab::Entries(entries)) => entries,
            Some(Vocab::NotAnObject) => return Err(invalid("model.vocab", "a BPE vocabulary is an object of token -> id")),
            None => return Err(invalid("model.vocab", "missing")),
        };
        if let Some(prefix) = json.continuing_subword_prefix {
            return Err(unsupported(
                "model.continuing_subword_prefix",
                &format!("{prefix:?}"),
                "decoder-only language models do not use it",
            ));
        }
        if let Some(suffix) = json.end_of_word_suffix {
            return Err(unsupported("model.end_of_word_suffix", &format!("{suffix:?}"), "decoder-only language models do not use it"));
        }
        if let Some(dropout) = json.dropout.filter(|&p| p != 0.0) {
            return Err(unsupported("model.dropout", &dropout.to_string(), "BPE dropout is for training; encoding here is deterministic"));
        }

        let vocab = entries.iter().map(|&(_, id)| id as usize + 1).max().unwrap_or(0);
        if vocab > crate::config::MAX_VOCAB {
            return Err(invalid(
                "model.vocab",
                format!("an id of {} is beyond the {} tokens the playground supports", vocab - 1, crate::config::MAX_VOCAB),
            ));
        }
        let mut ids = HashMap::with_capacity(entries.len());
        let mut tokens: Vec<Option<String>> = vec![None; vocab];
        for (token, id) in entries {
            if let Some(first) = &tokens[id as usize] {
                return Err(invalid("model.vocab", format!("the id {id} is given to both {first:?} and {token:?}")));
            }
            if ids.insert(token.clone(), id).is_some() {
                return Err(invalid("model.vocab", format!("the token {token:?} is listed twice")));
            }
            tokens[id as usize] = Some(token);
        }

        // tokenizers: a pair listed twice keeps its last rank
        let mut merges = HashMap::new();
        for (rank, pair) in json.merges.unwrap_or_default().into_iter().enumerate() {
            let field = || format!("model.merges[{rank}]");
            let (left, right) = match pair {
                MergePair::Pair(left, right) => (left, right),
                MergePair::Malformed(line) => return Err(invalid(field(), format!("{line:?} is not two tokens separated by one space"))),
            };
            let id = |token: &str| {
                ids.get(token).copied().ok_or_else(|| invalid(field(), format!("the token {token:?} is not in the vocabulary")))
            };
            let pair = (id(&left)?, id(&right)?);
            merges.insert(pair, (rank as u32, id(&format!("{left}{right}"))?));
        }

        let unk = match json.unk_token {
            Some(unk) => Some(*ids.get(&unk).ok_or_else(|| invalid("model.unk_token", format!("{unk:?} is not in the vocabulary")))?),
            None => None,
        };
        let byte_fallback = if json.byte_fallback == Some(true) {
            let mut table = [0u32; 256];
            for (b, slot) in table.iter_mut().enumerate() {
                let name = format!("<0x{b:02X}>");
                *slot = *ids.get(&name).ok_or_else(|| invalid("model.byte_fallback", format!("true, but the vocabulary has no {name}")))?;
            }
            Some(table)
        } else {
            None
        };
        Ok(BpeModel {
            ids,
            tokens,
            merges,
            unk,
            fuse_unk: json.fuse_unk == Some(true),
            byte_fallback,
            ignore_merges: json.ignore_merges == Some(true),
        })
    }

    /// One past the largest id.
    pub fn vocab_size(&self) -> usize {
        self.tokens.len()
    }

    pub fn id(&self, token: &str) -> Option<u32> {
        self.ids.get(token).copied()
    }

    pub fn token(&self, id: u32) -> Option<&str> {
        self.tokens.get(id as usize)?.as_deref()
    }

    /// Whether byte fallback is on: then `<0x..>` tokens stand for one byte.
    pub fn has_byte_fallback(&self) -> bool {
        self.byte_fallback.is_some()
    }

    /// Appends the ids of one piece to `out`.
    pub fn tokenize(&self, piece: &str, merger: &mut Merger, out: &mut Vec<u32>) {
        if self.ignore_merges {
            if let Some(&id) = self.ids.get(piece) {
                out.push(id);
                return;
            }
        }
        let start = out.len();
        let mut pending_unk = false; // an unknown token waits, to be fused with the next one
        let mut symbol = [0u8; 4];
        for c in piece.chars() {
            if let Some(&id) = self.ids.get(&*c.encode_utf8(&mut symbol)) {
                if std::mem::take(&mut pending_unk) {
                    out.push(self.unk.expect("pending only with an unknown token"));
                }
                out.push(id);
            } else if let Some(bytes) = &self.byte_fallback {
                // as tokenizers: the byte tokens go in without flushing a pending unknown
                out.extend(c.encode_utf8(&mut symbol).bytes().map(|b| bytes[b as usize]));
            } else if let Some(unk) = self.unk {
                if pending_unk && !self.fuse_unk {
                    out.push(unk);
                }
                pending_unk = true;
            }
        }
        if pending_unk {
            out.push(self.unk.expect("pending only with an unknown token"));
        }
        let mut ids = out.split_off(start);
        merger.merge(&mut ids, |a, b| self.merges.get(&(a, b)).copied());
        out.extend_from_slice(&ids);
    }
}
