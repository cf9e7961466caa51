//! Decoders: token strings back to text, as `tokenizers`' `decode_chain` (each step maps the
//! list of token strings to a new list; the result is their concatenation).
//!
//! | type | does | used by |
//! |---|---|---|
//! | `ByteLevel` | symbols back to bytes, all tokens joined, invalid UTF-8 as U+FFFD | GPT-2, SmolLM, Qwen2 |
//! | `Replace` | a string replaced in every token ("▁" by " ") | Llama |
//! | `ByteFallback` | runs of `<0x..>` tokens joined into the text their bytes spell (one U+FFFD per byte if they spell none) | Llama |
//! | `Fuse` | all tokens joined into one | Llama |
//! | `Strip` | up to `start` / `stop` copies of a character cut from each token's ends | Llama (the space Prepend added) |
//! | `Metaspace` | "▁" to " ", the first token's dropped if a space was prepended | Metaspace tokenizers |

use super::json::{Component, Pattern};
use super::pre_tokenizer::PrependScheme;
use super::{unsupported, TOKENIZER_JSON};
use crate::bpe::byte_map::char_to_byte;
use crate::error::CoreError;

#[derive(Clone, Debug, PartialEq)]
pub(super) enum Decoder {
    ByteLevel,
    Replace { from: String, to: String },
    ByteFallback,
    Fuse,
    Strip { content: char, start: usize, stop: usize },
    Metaspace { replacement: char, prepend: PrependScheme },
    Sequence(Vec<Decoder>),
}

impl Decoder {
    /// The decoder `json` describes; `path` names it in errors.
    pub fn from_json(json: &Component, path: &str) -> Result<Decoder, CoreError> {
        let field = |name: &str| format!("{path}.{name}");
        let missing = |name: &str| CoreError::HfInvalid { file: TOKENIZER_JSON.into(), field: field(name), reason: "missing".into() };
        let one_char = |name: &str, text: &str| {
            let mut chars = text.chars();
            match (chars.next(), chars.next()) {
                (Some(c), None) => Ok(c),
                _ => Err(unsupported(&field(name), &format!("{text:?}"), "this is one character")),
            }
        };
        match json.kind.as_str() {
            "ByteLevel" => Ok(Decoder::ByteLevel),
            "Replace" => match &json.pattern {
                Some(Pattern::String(from)) if !from.is_empty() => {
                    Ok(Decoder::Replace { from: from.clone(), to: json.content.clone().ok_or_else(|| missing("content"))? })
                }
                Some(Pattern::String(_)) => Err(unsupported(&field("pattern.String"), "\"\"", "an empty pattern matches nowhere")),
                Some(Pattern::Regex(regex)) => {
                    Err(unsupported(&field("pattern.Regex"), &format!("{regex:?}"), "Replace with a string is supported, not a regex"))
                }
                None => Err(missing("pattern")),
            },
            "ByteFallback" => Ok(Decoder::ByteFallback),
            "Fuse" => Ok(Decoder::Fuse),
            "Strip" => Ok(Decoder::Strip {
                content: one_char("content", json.content.as_deref().ok_or_else(|| missing("content"))?)?,
                start: json.start.unwrap_or(0),
                stop: json.stop.unwrap_or(0),
            }),
            "Metaspace" => {
                let replacement = one_char("replacement", json.replacement.as_deref().unwrap_or("▁"))?;
                let prepend = match (json.prepend_scheme.as_deref(), json.add_prefix_space) {
                    (Some("never"), _) | (None, Some(false)) => PrependScheme::Never,
                    (Some("first"), _) => PrependScheme::First,
                    _ => PrependScheme::Always,
                };
                Ok(Decoder::Metaspace { replacement, prepend })
            }
            "Sequence" => {
                let list = json.decoders.as_ref().ok_or_else(|| missing("decoders"))?;
                let items = list.iter().enumerate().map(|(i, d)| Decoder::from_json(d, &format!("{path}.decoders[{i}]")));
                Ok(Decoder::Sequence(items.collect::<Result<_, _>>()?))
            }
            other => Err(unsupported(
                &field("type"),
                &format!("{other:?}"),
                "the supported decoders are ByteLevel, Replace, ByteFallback, Fuse, Strip, Metaspace and Sequence",
            )),
        }
    }

    /// The token strings after this step.
    pub fn decode_chain(&self, tokens: Vec<String>) -> Vec<String> {
        match self {
            Decoder::ByteLevel => {
                let mut bytes = Vec::new();
                for token in &tokens {
                    // a token outside the byte alphabet (an added token with a space) is taken as it is
                    match token.chars().map(char_to_byte).collect::<Option<Vec<u8>>>() {
                        Some(decoded) => bytes.extend(decoded),
                        None => bytes.extend_from_slice(token.as_bytes()),
                    }
                }
                vec![String::from_utf8_lossy(&bytes).into_owned()]
            }
            Decoder::Replace { from, to } => tokens.into_iter().map(|t| t.replace(from.as_str(), to)).collect(),
            Decoder::ByteFallback => {
                let mut out = Vec::with_capacity(tokens.len());
                let mut bytes = Vec::new();
                for token in tokens {
                    match fallback_byte(&token) {
                        Some(b) => bytes.push(b),
                        None => {
                            flush_bytes(&mut bytes, &mut out);
                            out.push(token);
                        }
                    }
                }
                flush_bytes(&mut bytes, &mut out);
                out
            }
            Decoder::Fuse => vec![tokens.concat()],
            Decoder::Strip { content, start, stop } => tokens
                .into_iter()
                .map(|token| {
                    let chars: Vec<char> = token.chars().collect();
                    let cut_start = chars.iter().take(*start).take_while(|&&c| c == *content).count();
                    let cut_stop = chars[cut_start..].iter().rev().take(*stop).take_while(|&&c| c == *content).count();
                    chars[cut_start..chars.len() - cut_stop].iter().collect()
                })
                .collect(),
            Decoder::Metaspace { replacement, prepend } => tokens
                .into_iter()
                .enumerate()
                .map(|(i, token)| {
                    token
                        .chars()
                        .filter_map(|c| match c {
                            c if c == *replacement && i == 0 && *prepend != PrependScheme::Never => None,
                            c if c == *replacement => Some(' '),
                            c => Some(c),
                        })
                        .collect()
                })
                .collect(),
            Decoder::Sequence(steps) => steps.iter().fold(tokens, |tokens, step| step.decode_chain(tokens)),
        }
    }
}

/// The byte a `<0xAB>` token stands for.
pub(super) fn fallback_byte(token: &str) -> Option<u8> {
    let hex = token.strip_prefix("<0x")?.strip_suffix('>')?;
    if hex.len() != 2 {
        return None;
    }
    u8::from_str_radix(hex, 16).ok()
}

/// The pending fallback bytes as one token of text, or one U+FFFD per byte if they are not
/// UTF-8.
fn flush_bytes(bytes: &mut Vec<u8>, out: &mut Vec<String>) {
    if bytes.is_empty() {
        return;
    }
    match String::from_utf8(std::mem::take(bytes)) {
        Ok(text) => out.push(text),
        Err(err) => out.extend(std::iter::repeat_n("\u{FFFD}".to_string(), err.as_bytes().len())),
    }
}
