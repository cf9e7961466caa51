//! The shapes of `tokenizer.json` and `tokenizer_config.json` as serde reads them. Every
//! normalizer, pre-tokenizer, post-processor and decoder is read as one [`Component`]: its
//! `type` and the options any supported type has, so that an unsupported type is refused by
//! the code that knows the field's path (`pre_tokenizer.pretokenizers[1].type`) rather than
//! by serde. Typed fields, not `serde_json::Value`, whose code the wasm would carry for this.

use serde::de::{Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde::Deserialize;
use std::collections::HashMap;
use std::fmt;

#[derive(Deserialize)]
pub(super) struct TokenizerFile {
    #[serde(default)]
    pub added_tokens: Vec<AddedTokenJson>,
    pub normalizer: Option<Component>,
    pub pre_tokenizer: Option<Component>,
    pub post_processor: Option<Component>,
    pub decoder: Option<Component>,
    pub model: ModelJson,
}

#[derive(Deserialize)]
pub(super) struct AddedTokenJson {
    pub id: u32,
    pub content: String,
    #[serde(default)]
    pub single_word: bool,
    #[serde(default)]
    pub lstrip: bool,
    #[serde(default)]
    pub rstrip: bool,
    #[serde(default = "yes")]
    pub normalized: bool,
    #[serde(default)]
    pub special: bool,
}

fn yes() -> bool {
    true
}

/// A normalizer, pre-tokenizer, post-processor or decoder: `type` and the options of the
/// supported types (the others' options are skipped).
#[derive(Deserialize)]
pub(super) struct Component {
    #[serde(rename = "type")]
    pub kind: String,
    // Sequence, under the name each of the four kinds gives its list
    pub normalizers: Option<Vec<Component>>,
    pub pretokenizers: Option<Vec<Component>>,
    pub processors: Option<Vec<Component>>,
    pub decoders: Option<Vec<Component>>,
    // Replace, Split
    pub pattern: Option<Pattern>,
    // Replace (the replacement), Strip (the character stripped)
    pub content: Option<String>,
    // Prepend
    pub prepend: Option<String>,
    // ByteLevel; Metaspace in files written before prepend_scheme existed
    pub add_prefix_space: Option<bool>,
    pub use_regex: Option<bool>,
    // Metaspace
    pub replacement: Option<String>,
    pub prepend_scheme: Option<String>,
    pub split: Option<bool>,
    // Split
    pub behavior: Option<String>,
    pub invert: Option<bool>,
    // Digits
    pub individual_digits: Option<bool>,
    // Strip
    pub start: Option<usize>,
    pub stop: Option<usize>,
    // TemplateProcessing
    pub single: Option<Vec<TemplatePiece>>,
    pub special_tokens: Option<HashMap<String, TemplateSpecial>>,
}

/// `{"String": " "}` or `{"Regex": "..."}`.
#[derive(Deserialize)]
pub(super) enum Pattern {
    String(String),
    Regex(String),
}

/// One item of a TemplateProcessing's `single` list.
#[derive(Deserialize)]
pub(super) enum TemplatePiece {
    SpecialToken { id: String },
    Sequence { id: String },
}

#[derive(Deserialize)]
pub(super) struct TemplateSpecial {
    pub ids: Vec<u32>,
}

#[derive(Deserialize)]
pub(super) struct ModelJson {
    #[serde(rename = "type")]
    pub kind: Option<String>,
    pub vocab: Option<Vocab>,
    pub merges: Option<Vec<MergePair>>,
    pub unk_token: Option<String>,
    pub continuing_subword_prefix: Option<String>,
    pub end_of_word_suffix: Option<String>,
    pub fuse_unk: Option<bool>,
    pub byte_fallback: Option<bool>,
    pub ignore_merges: Option<bool>,
    pub dropout: Option<f64>,
}

/// A BPE vocabulary (an object of token -> id) in file order, repeated tokens kept so they
/// can be refused; a Unigram vocabulary (an array) is skipped, so the model's `type` can be
/// named in the refusal.
pub(super) enum Vocab {
    Entries(Vec<(String, u32)>),
    NotAnObject,
}

impl<'de> Deserialize<'de> for Vocab {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct VocabVisitor;
        impl<'de> Visitor<'de> for VocabVisitor {
            type Value = Vocab;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("an object of token -> id")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Vocab, A::Error> {
                let mut entries = Vec::with_capacity(map.size_hint().unwrap_or(0));
                while let Some(entry) = map.next_entry::<String, u32>()? {
                    entries.push(entry);
                }
                Ok(Vocab::Entries(entries))
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Vocab, A::Error> {
                while seq.next_element::<IgnoredAny>()?.is_some() {}
                Ok(Vocab::NotAnObject)
            }
        }
        deserializer.deserialize_any(VocabVisitor)
    }
}

/// A merge as `"left right"` (files before tokenizers 0.20) or `["left", "right"]`.
pub(super) enum MergePair {
    Pair(String, String),
    /// A string without exactly one space: kept so the error can quote it.
    Malformed(String),
}

impl<'de> Deserialize<'de> for MergePair {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct MergeVisitor;
        impl<'de> Visitor<'de> for MergeVisitor {
            type Value = MergePair;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a merge: \"left right\" or [\"left\", \"right\"]")
            }
            fn visit_str<E: serde::de::Error>(self, line: &str) -> Result<MergePair, E> {
                let mut parts = line.split(' ');
                Ok(match (parts.next(), parts.next(), parts.next()) {
                    (Some(left), Some(right), None) => MergePair::Pair(left.into(), right.into()),
                    _ => MergePair::Malformed(line.into()),
                })
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<MergePair, A::Error> {
                let missing = || serde::de::Error::custom("a merge pair needs two tokens");
                let left: String = seq.next_element()?.ok_or_else(missing)?;
                let right: String = seq.next_element()?.ok_or_else(missing)?;
                if seq.next_element::<IgnoredAny>()?.is_some() {
                    return Err(serde::de::Error::custom("a merge pair has exactly two tokens"));
                }
                Ok(MergePair::Pair(left, right))
            }
        }
        deserializer.deserialize_any(MergeVisitor)
    }
}

/// The fields of `tokenizer_config.json` that decide the special tokens added around a text.
#[derive(Deserialize)]
pub(super) struct TokenizerConfigFile {
    pub add_bos_token: Option<bool>,
    pub add_eos_token: Option<bool>,
    pub bos_token: Option<TokenName>,
    pub eos_token: Option<TokenName>,
}

/// A special token in tokenizer_config.json: its text, or an AddedToken object holding it.
#[derive(Deserialize)]
#[serde(untagged)]
pub(super) enum TokenName {
    Text(String),
    Object { content: String },
}

impl TokenName {
    pub fn content(&self) -> &str {
        match self {
            TokenName::Text(text) | TokenName::Object { content: text } => text,
        }
    }
}
