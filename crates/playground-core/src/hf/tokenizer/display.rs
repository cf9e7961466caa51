//! What a token chip shows. A byte-level token is a byte string that need not be text on its
//! own: `Ġthe` is " the", and 中 (E4 B8 AD) may be split as `ä¸` + `Ń`. So each token
//! says which bytes it holds ([`HfTokenizer::token_bytes`]), and consecutive tokens are
//! grouped until their bytes spell whole characters ([`HfTokenizer::token_groups`]), so that
//! a chip can show 中 over the two tokens that hold it. [`legible`] writes bytes for a chip:
//! text with its spaces and control characters made visible, raw bytes in hex.

use super::decoder::fallback_byte;
use super::{HfTokenizer, Spelling};
use crate::bpe::byte_map::decode_symbols;
use crate::error::CoreError;
use serde::Serialize;

/// Tokens `first..first + len` of a sequence, whose bytes together are `text`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct TokenGroup {
    pub first: usize,
    pub len: usize,
    /// What the group's bytes spell (U+FFFD where they are not UTF-8).
    pub text: String,
    /// Whether the bytes are whole characters (false only where the sequence ends inside
    /// one, or where the bytes are not UTF-8 at all).
    pub complete: bool,
}

/// Longest run of tokens joined while waiting for a character to complete: a UTF-8
/// character has at most 4 bytes, so 4 tokens always get there if they ever do.
const MAX_GROUP: usize = 4;

impl HfTokenizer {
    /// The bytes of text `id` stands for: GPT-2's byte symbols decoded, "▁" as the space,
    /// `<0x..>` as its byte (with byte fallback), an added token as its content.
    pub fn token_bytes(&self, id: u32) -> Result<Vec<u8>, CoreError> {
        let token = self.token(id)?;
        if self.added.by_id(id).is_some() {
            return Ok(token.as_bytes().to_vec());
        }
        Ok(match self.spelling {
            Spelling::ByteLevel => decode_symbols(token).unwrap_or_else(|_| token.as_bytes().to_vec()),
            Spelling::Text { space } => match fallback_byte(token).filter(|_| self.model.has_byte_fallback()) {
                Some(byte) => vec![byte],
                None => match space {
                    Some(space) => token.replace(space, " ").into_bytes(),
                    None => token.as_bytes().to_vec(),
                },
            },
        })
    }

    /// `ids` grouped into runs whose bytes spell whole characters (see [`group_bytes`]).
    pub fn token_groups(&self, ids: &[u32]) -> Result<Vec<TokenGroup>, CoreError> {
        let bytes: Vec<Vec<u8>> = ids.iter().map(|&id| self.token_bytes(id)).collect::<Result<_, _>>()?;
        Ok(group_bytes(&bytes))
    }
}

/// Consecutive tokens' bytes grouped into runs that spell whole characters: one token alone
/// where it does, else it and the next ones until the character ends (at most 4 tokens). Any
/// byte-level tokenizer's tokens group this way (GPT-2's own BPE as well as a `tokenizer.json`).
pub fn group_bytes(bytes: &[Vec<u8>]) -> Vec<TokenGroup> {
    let mut groups = Vec::new();
    let mut first = 0;
    while first < bytes.len() {
        let mut joined = Vec::new();
        let mut len = 0;
        let complete = loop {
            joined.extend_from_slice(&bytes[first + len]);
            len += 1;
            match std::str::from_utf8(&joined) {
                Ok(_) => break true,
                // error_len None: the bytes end inside a character that later bytes may finish
                Err(err) if err.error_len().is_none() && len < MAX_GROUP && first + len < bytes.len() => continue,
                Err(_) => break false,
            }
        };
        groups.push(TokenGroup { first, len, text: String::from_utf8_lossy(&joined).into_owned(), complete });
        first += len;
    }
    groups
}

/// Bytes as a chip shows them: valid UTF-8 as text with the space as `␣`, newline `↵`, tab
/// `⇥` and other control characters as `\u{..}`; anything else as hex bytes (`E4 B8`).
pub fn legible(bytes: &[u8]) -> String {
    match std::str::from_utf8(bytes) {
        Ok(text) => text
            .chars()
            .map(|c| match c {
                ' ' => "␣".to_string(),
                '\n' => "↵".to_string(),
                '\t' => "⇥".to_string(),
                c if c.is_control() => format!("\\u{{{:x}}}", c as u32),
                c => c.to_string(),
            })
            .collect(),
        Err(_) => bytes.iter().map(|b| format!("{b:02X}")).collect::<Vec<_>>().join(" "),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn legible_shows_spaces_controls_and_raw_bytes() {
        assert_eq!(legible(b" the\n"), "␣the↵");
        assert_eq!(legible(b"\x00a"), "\\u{0}a");
        assert_eq!(legible(&[0xE4, 0xB8]), "E4 B8");
        assert_eq!(legible("中".as_bytes()), "中");
    }

    #[test]
    fn group_bytes_joins_the_pieces_of_a_character() {
        // 中 = E4 B8 AD split over two tokens, then " a", then a lone continuation byte
        let bytes = [vec![0xE4, 0xB8], vec![0xAD], b" a".to_vec(), vec![0x80]];
        let groups = group_bytes(&bytes);
        let spans: Vec<_> = groups.iter().map(|g| (g.first, g.len, g.text.as_str(), g.complete)).collect();
        assert_eq!(spans, [(0, 2, "中", true), (2, 1, " a", true), (3, 1, "\u{fffd}", false)]);
    }
}
