//! Character-level tokenizer (nanoGPT's shakespeare_char): one token per Unicode scalar
//! value, ids in code-point order of the characters seen in a text.

use crate::error::CoreError;
use crate::order::sorted_unique;
use serde::{Deserialize, Serialize};
use std::collections::HashMap;

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "Vec<char>", into = "Vec<char>")]
pub struct CharTokenizer {
    chars: Vec<char>, // id -> char, sorted, unique
    #[serde(skip)]
    index: HashMap<char, u32>,
}

/// Result of encoding text that may hold characters outside the vocabulary: the known ones
/// become ids, the unknown ones are reported by position (in characters) and dropped.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Encoded {
    pub ids: Vec<u32>,
    pub unknown: Vec<(usize, char)>,
}

impl CharTokenizer {
    /// The vocabulary is every distinct character of `text`.
    pub fn from_text(text: &str) -> Result<Self, CoreError> {
        let chars: Vec<char> = text.chars().collect();
        Self::from_chars(sorted_unique(&chars))
    }

    /// A vocabulary given as its characters, id order; must be non-empty and unique.
    pub fn from_chars(chars: Vec<char>) -> Result<Self, CoreError> {
        if chars.is_empty() {
            return Err(CoreError::EmptyText);
        }
        let mut index = HashMap::with_capacity(chars.len());
        for (i, &ch) in chars.iter().enumerate() {
            if index.insert(ch, i as u32).is_some() {
                return Err(CoreError::Config { field: "vocabulary", value: ch as u64, reason: format!("character {ch:?} appears twice") });
            }
        }
        Ok(CharTokenizer { chars, index })
    }

    pub fn vocab_size(&self) -> usize {
        self.chars.len()
    }

    pub fn chars(&self) -> &[char] {
        &self.chars
    }

    /// Encodes every character; the first one outside the vocabulary is an error.
    pub fn encode(&self, text: &str) -> Result<Vec<u32>, CoreError> {
        text.chars()
            .enumerate()
            .map(|(position, ch)| self.index.get(&ch).copied().ok_or(CoreError::UnknownChar { ch, code: ch as u32, position }))
            .collect()
    }

    /// Encodes what it can and reports what it cannot (for text a user types).
    pub fn encode_lossy(&self, text: &str) -> Encoded {
        let mut out = Encoded { ids: Vec::new(), unknown: Vec::new() };
        for (position, ch) in text.chars().enumerate() {
            match self.index.get(&ch) {
                Some(&id) => out.ids.push(id),
                None => out.unknown.push((position, ch)),
            }
        }
        out
    }

    pub fn decode(&self, ids: &[u32]) -> Result<String, CoreError> {
        ids.iter().map(|&id| self.token(id)).collect()
    }

    pub fn token(&self, id: u32) -> Result<char, CoreError> {
        self.chars.get(id as usize).copied().ok_or(CoreError::TokenOutOfRange { id, vocab: self.chars.len() })
    }
}

impl TryFrom<Vec<char>> for CharTokenizer {
    type Error = CoreError;
    fn try_from(chars: Vec<char>) -> Result<Self, CoreError> {
        Self::from_chars(chars)
    }
}

impl From<CharTokenizer> for Vec<char> {
    fn from(t: CharTokenizer) -> Vec<char> {
        t.chars
    }
}
