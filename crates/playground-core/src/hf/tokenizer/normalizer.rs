//! Normalizers: what `tokenizers` does to a text before splitting it. NFC (Qwen2), and the
//! pair that spells spaces as "▁" in SentencePiece-style tokenizers (Llama: `Prepend("▁")`
//! then `Replace(" ", "▁")`).

use super::json::{Component, Pattern};
use super::nfc::nfc;
use super::{unsupported, TOKENIZER_JSON};
use crate::error::CoreError;

#[derive(Clone, Debug, PartialEq)]
pub(super) enum Normalizer {
    /// Unicode canonical composition.
    Nfc,
    /// Puts the text after this one, unless the text is empty.
    Prepend(String),
    /// Replaces every occurrence of a string (never a regex).
    Replace {
        from: String,
        to: String,
    },
    Sequence(Vec<Normalizer>),
}

impl Normalizer {
    /// The normalizer `json` describes; `path` names it in errors (`normalizer`,
    /// `normalizer.normalizers[1]`).
    pub fn from_json(json: &Component, path: &str) -> Result<Normalizer, CoreError> {
        let field = |name: &str| format!("{path}.{name}");
        match json.kind.as_str() {
            "NFC" => Ok(Normalizer::Nfc),
            "Prepend" => Ok(Normalizer::Prepend(json.prepend.clone().ok_or_else(|| missing(&field("prepend")))?)),
            "Replace" => {
                let from = match &json.pattern {
                    Some(Pattern::String(from)) if !from.is_empty() => from.clone(),
                    Some(Pattern::String(_)) => {
                        return Err(unsupported(&field("pattern.String"), "\"\"", "an empty pattern matches nowhere"))
                    }
                    Some(Pattern::Regex(regex)) => {
                        return Err(unsupported(
                            &field("pattern.Regex"),
                            &format!("{regex:?}"),
                            "Replace with a string is supported, not a regex",
                        ))
                    }
                    None => return Err(missing(&field("pattern"))),
                };
                Ok(Normalizer::Replace { from, to: json.content.clone().ok_or_else(|| missing(&field("content")))? })
            }
            "Sequence" => {
                let list = json.normalizers.as_ref().ok_or_else(|| missing(&field("normalizers")))?;
                let items = list.iter().enumerate().map(|(i, n)| Normalizer::from_json(n, &format!("{path}.normalizers[{i}]")));
                Ok(Normalizer::Sequence(items.collect::<Result<_, _>>()?))
            }
            other => {
                Err(unsupported(&field("type"), &format!("{other:?}"), "the supported normalizers are NFC, Prepend, Replace and Sequence"))
            }
        }
    }

    /// `text` normalized.
    pub fn apply(&self, text: &str) -> String {
        match self {
            Normalizer::Nfc => nfc(text),
            Normalizer::Prepend(prefix) if !text.is_empty() => format!("{prefix}{text}"),
            Normalizer::Prepend(_) => String::new(),
            Normalizer::Replace { from, to } => text.replace(from.as_str(), to),
            Normalizer::Sequence(items) => items.iter().fold(text.to_string(), |text, n| n.apply(&text)),
        }
    }

    /// The character a `Replace(" ", c)` spells spaces with (Llama's "▁"), if this normalizer has one.
    pub fn space_replacement(&self) -> Option<char> {
        match self {
            Normalizer::Replace { from, to } if from == " " && to.chars().count() == 1 => to.chars().next(),
            Normalizer::Sequence(items) => items.iter().find_map(Normalizer::space_replacement),
            _ => None,
        }
    }
}

fn missing(field: &str) -> CoreError {
    CoreError::HfInvalid { file: TOKENIZER_JSON.into(), field: field.into(), reason: "missing".into() }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn llama_normalizer_spells_spaces_and_prepends_only_to_text() {
        let llama = Normalizer::Sequence(vec![Normalizer::Prepend("▁".into()), Normalizer::Replace { from: " ".into(), to: "▁".into() }]);
        assert_eq!(llama.apply("Hello world"), "▁Hello▁world");
        assert_eq!(llama.apply(""), "");
        assert_eq!(llama.space_replacement(), Some('▁'));
        assert_eq!(Normalizer::Nfc.apply("e\u{301}A\u{30a}"), "éÅ");
    }
}
