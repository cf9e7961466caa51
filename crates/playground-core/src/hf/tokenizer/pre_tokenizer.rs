//! Pre-tokenizers: how `tokenizers` cuts a normalized text into the pieces BPE merges
//! within. Each step takes every piece of the step before and cuts it again; empty pieces
//! are dropped.
//!
//! | type | does | used by |
//! |---|---|---|
//! | `ByteLevel` | GPT-2's split (if `use_regex`), then every byte spelled as one symbol (`Ġ` for the space) | GPT-2, SmolLM, Qwen2 |
//! | `Split` | a known pattern (`split_pattern.rs`), matches isolated | Qwen2, Llama 3 |
//! | `Digits` | numbers apart from the rest, one by one or in runs | SmolLM |
//! | `Metaspace` | spaces spelled "▁", one prepended at the start | Llama (transformers' non-legacy conversion) |

use super::json::{Component, Pattern};
use super::split_pattern::{SplitPattern, GPT2};
use super::{unsupported, TOKENIZER_JSON};
use crate::bpe::byte_map::encode_symbols;
use crate::bpe::unicode::{class_of, Class};
use crate::error::CoreError;

/// A piece of text on its way to the model.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(super) struct Piece {
    pub text: String,
    /// The piece starts where the input text starts (Metaspace's `first` scheme prepends
    /// only there).
    pub at_start: bool,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum PrependScheme {
    Always,
    First,
    Never,
}

#[derive(Clone, Debug, PartialEq)]
pub(super) enum PreTokenizer {
    ByteLevel { add_prefix_space: bool, use_regex: bool },
    Split(SplitPattern),
    Digits { individual: bool },
    Metaspace { replacement: char, prepend: PrependScheme, split: bool },
    Sequence(Vec<PreTokenizer>),
}

impl PreTokenizer {
    /// The pre-tokenizer `json` describes; `path` names it in errors.
    pub fn from_json(json: &Component, path: &str) -> Result<PreTokenizer, CoreError> {
        let field = |name: &str| format!("{path}.{name}");
        match json.kind.as_str() {
            "ByteLevel" => Ok(PreTokenizer::ByteLevel {
                add_prefix_space: json.add_prefix_space.unwrap_or(true),
                use_regex: json.use_regex.unwrap_or(true),
            }),
            "Split" => {
                let behavior = json.behavior.as_deref().unwrap_or("");
                if behavior != "Isolated" {
                    return Err(unsupported(&field("behavior"), &format!("{behavior:?}"), "Split is supported with the Isolated behavior"));
                }
                if json.invert == Some(true) {
                    return Err(unsupported(&field("invert"), "true", "Split is supported without invert"));
                }
                match &json.pattern {
                    Some(Pattern::Regex(regex)) => SplitPattern::recognize(regex).map(PreTokenizer::Split).ok_or_else(|| {
                        unsupported(
                            &field("pattern.Regex"),
                            &shorten(regex),
                            "the known patterns are GPT-2's, Qwen2's and cl100k's (Llama 3)",
                        )
                    }),
                    Some(Pattern::String(text)) => {
                        Err(unsupported(&field("pattern.String"), &format!("{text:?}"), "Split is supported with a known regex pattern"))
                    }
                    None => Err(CoreError::HfInvalid { file: TOKENIZER_JSON.into(), field: field("pattern"), reason: "missing".into() }),
                }
            }
            "Digits" => Ok(PreTokenizer::Digits { individual: json.individual_digits.unwrap_or(false) }),
            "Metaspace" => {
                let text = json.replacement.as_deref().unwrap_or("▁");
                let mut chars = text.chars();
                let (Some(replacement), None) = (chars.next(), chars.next()) else {
                    return Err(unsupported(&field("replacement"), &format!("{text:?}"), "the replacement is one character"));
                };
                let prepend = match (json.prepend_scheme.as_deref(), json.add_prefix_space) {
                    (Some("always"), _) | (None, Some(true) | None) => PrependScheme::Always,
                    (Some("first"), _) => PrependScheme::First,
                    (Some("never"), _) | (None, Some(false)) => PrependScheme::Never,
                    (Some(other), _) => {
                        return Err(unsupported(&field("prepend_scheme"), &format!("{other:?}"), "the schemes are always, first and never"))
                    }
                };
                Ok(PreTokenizer::Metaspace { replacement, prepend, split: json.split.unwrap_or(true) })
            }
            "Sequence" => {
                let list = json.pretokenizers.as_ref().ok_or_else(|| CoreError::HfInvalid {
                    file: TOKENIZER_JSON.into(),
                    field: field("pretokenizers"),
                    reason: "missing".into(),
                })?;
                let items = list.iter().enumerate().map(|(i, p)| PreTokenizer::from_json(p, &format!("{path}.pretokenizers[{i}]")));
                Ok(PreTokenizer::Sequence(items.collect::<Result<_, _>>()?))
            }
            other => Err(unsupported(
                &field("type"),
                &format!("{other:?}"),
                "the supported pre-tokenizers are ByteLevel, Split (known patterns), Digits, Metaspace and Sequence",
            )),
        }
    }

    /// Whether a step spells bytes as GPT-2's symbols: then every token is a byte string.
    pub fn is_byte_level(&self) -> bool {
        match self {
            PreTokenizer::ByteLevel { .. } => true,
            PreTokenizer::Sequence(items) => items.iter().any(PreTokenizer::is_byte_level),
            _ => false,
        }
    }

    /// The character a Metaspace step spells spaces with, if there is one.
    pub fn space_replacement(&self) -> Option<char> {
        match self {
            PreTokenizer::Metaspace { replacement, .. } => Some(*replacement),
            PreTokenizer::Sequence(items) => items.iter().find_map(PreTokenizer::space_replacement),
            _ => None,
        }
    }

    /// The pieces of `pieces`, cut by this pre-tokenizer.
    pub fn apply(&self, pieces: Vec<Piece>) -> Vec<Piece> {
        match self {
            PreTokenizer::Sequence(items) => items.iter().fold(pieces, |pieces, step| step.apply(pieces)),
            _ => pieces.into_iter().flat_map(|piece| self.cut(piece)).collect(),
        }
    }

    /// One piece, cut by a step that is not a Sequence.
    fn cut(&self, piece: Piece) -> Vec<Piece> {
        match self {
            PreTokenizer::ByteLevel { add_prefix_space, use_regex } => {
                let text = if *add_prefix_space && !piece.text.starts_with(' ') { format!(" {}", piece.text) } else { piece.text };
                let lengths = if *use_regex {
                    SplitPattern::recognize(GPT2).expect("GPT-2's pattern").piece_lengths(&text)
                } else {
                    vec![text.len()]
                };
                let mut pieces = cut_by_lengths(&text, piece.at_start, lengths);
                for p in &mut pieces {
                    p.text = encode_symbols(p.text.as_bytes());
                }
                pieces
            }
            PreTokenizer::Split(pattern) => cut_by_lengths(&piece.text, piece.at_start, pattern.piece_lengths(&piece.text)),
            PreTokenizer::Digits { individual } => {
                let is_number = |c: char| class_of(c) == Class::Number;
                let lengths = char_matches(&piece.text, is_number)
                    .into_iter()
                    .fold(Vec::<(usize, bool)>::new(), |mut acc, (len, matched)| {
                        // Isolated: every number alone; Contiguous: a run of numbers together
                        match acc.last_mut() {
                            Some((last, true)) if matched && !*individual => *last += len,
                            _ => acc.push((len, matched)),
                        }
                        acc
                    })
                    .into_iter()
                    .map(|(len, _)| len)
                    .collect();
                cut_by_lengths(&piece.text, piece.at_start, lengths)
            }
            PreTokenizer::Metaspace { replacement, prepend, split } => {
                let mut text = piece.text.replace(' ', replacement.encode_utf8(&mut [0; 4]));
                let wanted = match prepend {
                    PrependScheme::Always => true,
                    PrependScheme::First => piece.at_start,
                    PrependScheme::Never => false,
                };
                if wanted && !text.starts_with(*replacement) {
                    text.insert(0, *replacement);
                }
                if !*split {
                    return vec![Piece { text, at_start: piece.at_start }];
                }
                // MergedWithNext: a replacement starts a piece unless a replacement is just before it
                let mut lengths: Vec<usize> = Vec::new();
                let mut previous_matched = false;
                for (len, matched) in char_matches(&text, |c| c == *replacement) {
                    match lengths.last_mut() {
                        Some(last) if !matched || previous_matched => *last += len,
                        _ => lengths.push(len),
                    }
                    previous_matched = matched;
                }
                cut_by_lengths(&text, piece.at_start, lengths)
            }
            PreTokenizer::Sequence(_) => self.apply(vec![piece]),
        }
    }
}

/// `text` as `tokenizers` sees a character pattern: every matching character alone, the
/// characters between matches together; (byte length, matched) in order.
fn char_matches(text: &str, matches: impl Fn(char) -> bool) -> Vec<(usize, bool)> {
    let mut out: Vec<(usize, bool)> = Vec::new();
    for c in text.chars() {
        let matched = matches(c);
        match out.last_mut() {
            Some((len, false)) if !matched => *len += c.len_utf8(),
            _ => out.push((c.len_utf8(), matched)),
        }
    }
    out
}

/// `text` cut into pieces of these byte lengths; only the first can be at the start.
fn cut_by_lengths(text: &str, at_start: bool, lengths: Vec<usize>) -> Vec<Piece> {
    let mut pieces = Vec::with_capacity(lengths.len());
    let mut offset = 0;
    for len in lengths {
        if len > 0 {
            pieces.push(Piece { text: text[offset..offset + len].to_string(), at_start: at_start && offset == 0 });
        }
        offset += len;
    }
    pieces
}

/// A pattern as quoted in a message: at most 80 characters.
fn shorten(text: &str) -> String {
    match text.char_indices().nth(80) {
        Some((cut, _)) => format!("{:?}…", &text[..cut]),
        None => format!("{text:?}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn texts(step: &PreTokenizer, text: &str, at_start: bool) -> Vec<String> {
        step.apply(vec![Piece { text: text.into(), at_start }]).into_iter().map(|p| p.text).collect()
    }

    #[test]
    fn metaspace_merges_a_space_with_what_follows() {
        let split = PreTokenizer::Metaspace { replacement: '▁', prepend: PrependScheme::First, split: true };
        assert_eq!(texts(&split, "Hello  world", true), ["▁Hello", "▁▁world"]);
        assert_eq!(texts(&split, "Hello world", false), ["Hello", "▁world"]);
        let whole = PreTokenizer::Metaspace { replacement: '▁', prepend: PrependScheme::Always, split: false };
        assert_eq!(texts(&whole, " a b", false), ["▁a▁b"]);
    }

    #[test]
    fn digits_then_byte_level_as_smollm() {
        let smollm = PreTokenizer::Sequence(vec![
            PreTokenizer::Digits { individual: true },
            PreTokenizer::ByteLevel { add_prefix_space: false, use_regex: true },
        ]);
        assert_eq!(texts(&smollm, "ab 12 c", true), ["ab", "Ġ", "1", "2", "Ġc"]);
        assert_eq!(texts(&PreTokenizer::Digits { individual: false }, "a12b3", true), ["a", "12", "b", "3"]);
    }
}
