//! Added tokens (`added_tokens` of tokenizer.json: `<|endoftext|>`, `<s>`, `<|im_start|>`,
//! ...): found in the text before anything else and never cut, as `tokenizers`'
//! `AddedVocabulary::extract_and_normalize`:
//!
//! 1. tokens with `normalized: false` are found in the raw text;
//! 2. every stretch between them is normalized on its own (so Llama's "▁" is prepended to
//!    each), and tokens with `normalized: true` are found in it, spelled as normalized.
//!
//! Matching is leftmost-longest without overlaps. A match of a `single_word` token inside a
//! word is ignored; `lstrip` / `rstrip` take the whitespace before / after the token with it.

use super::json::AddedTokenJson;
use super::normalizer::Normalizer;

#[derive(Clone, Debug, PartialEq, Eq)]
pub(super) struct AddedToken {
    pub id: u32,
    pub content: String,
    /// What is searched for: the content, normalized if the token says so.
    pattern: String,
    single_word: bool,
    lstrip: bool,
    rstrip: bool,
    normalized: bool,
    pub special: bool,
}

/// A stretch of the input: an added token, or normalized text for the pre-tokenizer.
#[derive(Debug, PartialEq, Eq)]
pub(super) enum Segment {
    Token(u32),
    /// `at_start`: the text begins where the input begins.
    Text {
        text: String,
        at_start: bool,
    },
}

#[derive(Clone, Debug, Default)]
pub(super) struct AddedTokens {
    tokens: Vec<AddedToken>,
}

impl AddedTokens {
    pub fn new(list: Vec<AddedTokenJson>, normalizer: Option<&Normalizer>) -> AddedTokens {
        let tokens = list
            .into_iter()
            .filter(|t| !t.content.is_empty()) // tokenizers ignores them
            .map(|t| AddedToken {
                pattern: match normalizer {
                    Some(n) if t.normalized => n.apply(&t.content),
                    _ => t.content.clone(),
                },
                id: t.id,
                content: t.content,
                single_word: t.single_word,
                lstrip: t.lstrip,
                rstrip: t.rstrip,
                normalized: t.normalized,
                special: t.special,
            })
            .collect();
        AddedTokens { tokens }
    }

    pub fn iter(&self) -> impl Iterator<Item = &AddedToken> {
        self.tokens.iter()
    }

    pub fn by_id(&self, id: u32) -> Option<&AddedToken> {
        self.tokens.iter().find(|t| t.id == id)
    }

    pub fn by_content(&self, content: &str) -> Option<&AddedToken> {
        self.tokens.iter().find(|t| t.content == content)
    }

    /// `text` as added tokens and normalized stretches between them.
    pub fn split(&self, text: &str, normalizer: Option<&Normalizer>) -> Vec<Segment> {
        let mut out = Vec::new();
        for (id, start, end) in self.find(text, false) {
            match id {
                Some(id) => out.push(Segment::Token(id)),
                None => {
                    let normalized = match normalizer {
                        Some(n) => n.apply(&text[start..end]),
                        None => text[start..end].to_string(),
                    };
                    for (id, s, e) in self.find(&normalized, true) {
                        match id {
                            Some(id) => out.push(Segment::Token(id)),
                            None => out.push(Segment::Text { text: normalized[s..e].to_string(), at_start: start == 0 && s == 0 }),
                        }
                    }
                }
            }
        }
        out
    }

    /// Cuts `text` at the matches of the tokens whose `normalized` equals `normalized`:
    /// (Some(id), start, end) for a token, (None, start, end) for the text between; no
    /// empty stretches.
    fn find(&self, text: &str, normalized: bool) -> Vec<(Option<u32>, usize, usize)> {
        let candidates: Vec<&AddedToken> = self.tokens.iter().filter(|t| t.normalized == normalized).collect();
        let mut out = Vec::new();
        let mut done = 0; // end of the last match taken
        let mut search = 0; // where the next match may start
        while search < text.len() {
            // leftmost match start, then the longest token there
            let found = text[search..].char_indices().find_map(|(offset, _)| {
                let at = search + offset;
                candidates.iter().filter(|t| text[at..].starts_with(t.pattern.as_str())).max_by_key(|t| t.pattern.len()).map(|t| (at, *t))
            });
            let Some((at, token)) = found else { break };
            let (mut start, mut end) = (at, at + token.pattern.len());
            search = end;
            if token.single_word {
                let word_before = text[..start].chars().next_back().is_some_and(is_word_char);
                let word_after = text[end..].chars().next().is_some_and(is_word_char);
                if word_before || word_after {
                    continue;
                }
            }
            if token.lstrip {
                let spaces = text[..start].len() - text[..start].trim_end_matches(char::is_whitespace).len();
                start = (start - spaces).max(done);
            }
            if token.rstrip {
                end += text[end..].len() - text[end..].trim_start_matches(char::is_whitespace).len();
                search = end;
            }
            if done < start {
                out.push((None, done, start));
            }
            out.push((Some(token.id), start, end));
            done = end;
        }
        if done < text.len() {
            out.push((None, done, text.len()));
        }
        out
    }
}

/// A word character for `single_word`: close to the `regex` crate's `\w` (letters, numbers,
/// `_`, the joiners), without the combining marks and other connector punctuation it adds.
fn is_word_char(c: char) -> bool {
    c.is_alphanumeric() || c == '_' || c == '\u{200c}' || c == '\u{200d}'
}
