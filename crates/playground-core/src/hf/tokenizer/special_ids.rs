//! The special tokens put around an encoded text (Llama's `<s>` first): as
//! tokenizer_config.json's `add_bos_token` / `add_eos_token` say where it says (what
//! transformers' Llama tokenizer builds its post-processor from), else as tokenizer.json's
//! post-processor (`TemplateProcessing` for one sequence; `ByteLevel` adds nothing).

use super::json::{Component, TemplatePiece, TokenizerConfigFile};
use super::{unsupported, TOKENIZER_CONFIG_JSON, TOKENIZER_JSON};
use crate::error::CoreError;

/// Ids before and after the text's own.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(super) struct SpecialIds {
    pub before: Vec<u32>,
    pub after: Vec<u32>,
}

impl SpecialIds {
    /// From tokenizer.json's `post_processor`; `path` names it in errors.
    pub fn from_post_processor(json: &Component, path: &str) -> Result<SpecialIds, CoreError> {
        let field = |name: &str| format!("{path}.{name}");
        let invalid = |name: &str, reason: String| CoreError::HfInvalid { file: TOKENIZER_JSON.into(), field: field(name), reason };
        match json.kind.as_str() {
            "ByteLevel" => Ok(SpecialIds::default()),
            "TemplateProcessing" => {
                let single = json.single.as_ref().ok_or_else(|| invalid("single", "missing".into()))?;
                let mut ids = SpecialIds::default();
                let mut seen_sequence = false;
                for (i, piece) in single.iter().enumerate() {
                    match piece {
                        TemplatePiece::Sequence { id } if id == "A" && !seen_sequence => seen_sequence = true,
                        TemplatePiece::Sequence { id } => {
                            return Err(unsupported(&field(&format!("single[{i}].Sequence.id")), &format!("{id:?}"), "one sequence, A"))
                        }
                        TemplatePiece::SpecialToken { id } => {
                            let special = json.special_tokens.as_ref().and_then(|map| map.get(id));
                            let special = special.ok_or_else(|| invalid("special_tokens", format!("no entry for {id:?}")))?;
                            let list = if seen_sequence { &mut ids.after } else { &mut ids.before };
                            list.extend_from_slice(&special.ids);
                        }
                    }
                }
                if !seen_sequence {
                    return Err(invalid("single", "the template has no $A".into()));
                }
                Ok(ids)
            }
            "Sequence" => {
                let list = json.processors.as_ref().ok_or_else(|| invalid("processors", "missing".into()))?;
                let mut ids = SpecialIds::default();
                for (i, step) in list.iter().enumerate() {
                    let step = SpecialIds::from_post_processor(step, &format!("{path}.processors[{i}]"))?;
                    ids.before.splice(0..0, step.before);
                    ids.after.extend(step.after);
                }
                Ok(ids)
            }
            other => Err(unsupported(
                &field("type"),
                &format!("{other:?}"),
                "the supported post-processors are TemplateProcessing, ByteLevel and Sequence",
            )),
        }
    }

    /// tokenizer_config.json's choice, where it makes one: `add_bos_token` / `add_eos_token`
    /// replace the post-processor's tokens on their side. `id` looks up a token's id.
    pub fn with_config(self, config: &TokenizerConfigFile, id: impl Fn(&str) -> Option<u32>) -> Result<SpecialIds, CoreError> {
        let lookup = |flag: &str, name: &str, token: &Option<super::json::TokenName>| -> Result<Vec<u32>, CoreError> {
            let invalid = |reason: String| CoreError::HfInvalid { file: TOKENIZER_CONFIG_JSON.into(), field: flag.into(), reason };
            let content = token.as_ref().map(|t| t.content()).ok_or_else(|| invalid(format!("true, but there is no {name}")))?;
            Ok(vec![id(content).ok_or_else(|| invalid(format!("true, but {name} {content:?} is not a token")))?])
        };
        let before = match config.add_bos_token {
            Some(true) => lookup("add_bos_token", "bos_token", &config.bos_token)?,
            Some(false) => Vec::new(),
            None => self.before,
        };
        let after = match config.add_eos_token {
            Some(true) => lookup("add_eos_token", "eos_token", &config.eos_token)?,
            Some(false) => Vec::new(),
            None => self.after,
        };
        Ok(SpecialIds { before, after })
    }
}
