//! Reading GPT-2's tokenizer files: encoder.json (token spelled in the byte alphabet of
//! `byte_map.rs` → id) and vocab.bpe (a `#version` line, then one merge per line, "left
//! right", most important first).
//!
//! The files may come from anywhere (the user picks them), so everything is checked and
//! every problem is a typed error naming the token or line: ids must be exactly 0..V with
//! no token twice, every character must be one of the 256 byte symbols, all 256 bytes need
//! a token, every merge must name known tokens, and every token other than the bytes and
//! special `<|…|>` tokens must be made by some merge (a cut-short vocab.bpe otherwise loads
//! and silently gives other ids). Allocations are bounded by the files' own sizes.

use super::byte_map::{byte_to_char, decode_symbols};
use super::encoder::Bpe;
use crate::error::CoreError;
use serde::de::{Deserialize, Deserializer, MapAccess, Visitor};
use std::collections::HashMap;
use std::fmt;

impl Bpe {
    /// GPT-2's tokenizer from the contents of its `encoder.json` and `vocab.bpe`.
    pub fn from_gpt2_files(encoder_json: &str, vocab_bpe: &str) -> Result<Bpe, CoreError> {
        let Entries(entries) = serde_json::from_str(encoder_json).map_err(|err| CoreError::Gpt2Json { message: err.to_string() })?;
        let vocab = entries.len();

        // ids: a permutation of 0..V; names: id -> token as spelled in the file
        let mut ids: HashMap<&str, u32> = HashMap::with_capacity(vocab);
        let mut names: Vec<Option<&str>> = vec![None; vocab];
        for (token, id) in &entries {
            let index = usize::try_from(*id).ok().filter(|&i| i < vocab);
            let Some(index) = index else {
                return Err(CoreError::Gpt2IdOutOfRange { token: shorten(token), id: *id, vocab });
            };
            if ids.insert(token, index as u32).is_some() {
                return Err(CoreError::Gpt2DuplicateToken { token: shorten(token) });
            }
            if let Some(first) = names[index].replace(token) {
                return Err(CoreError::Gpt2DuplicateId { id: index as u32, first: shorten(first), second: shorten(token) });
            }
        }
        let names: Vec<&str> = names.into_iter().map(|name| name.expect("V distinct ids below V fill every slot")).collect();
        let mut tokens = Vec::with_capacity(vocab);
        for name in &names {
            let bytes = decode_symbols(name).map_err(|ch| CoreError::Gpt2UnknownSymbol { token: shorten(name), ch, code: ch as u32 })?;
            tokens.push(bytes);
        }

        let mut byte_ids = [0u32; 256];
        for (b, slot) in byte_ids.iter_mut().enumerate() {
            let symbol = byte_to_char(b as u8);
            *slot = *ids.get(symbol.encode_utf8(&mut [0; 4]) as &str).ok_or(CoreError::Gpt2MissingByte { byte: b as u8, symbol })?;
        }

        let (merges, ranks) = read_merges(vocab_bpe, &ids)?;
        check_every_token_is_made(&names, &merges)?;
        Ok(Bpe::from_checked_parts(tokens, byte_ids, merges, ranks))
    }
}

type Merges = (Vec<((u32, u32), u32)>, HashMap<(u32, u32), u32>);

/// The merges of vocab.bpe in file order, with ids from encoder.json, and pair -> rank.
fn read_merges(vocab_bpe: &str, ids: &HashMap<&str, u32>) -> Result<Merges, CoreError> {
    let mut merges = Vec::new();
    let mut ranks = HashMap::new();
    let mut lines_of_rank = Vec::new(); // for "repeats line …" messages
    for (index, raw) in vocab_bpe.split('\n').enumerate() {
        let line = index + 1;
        let text = raw.strip_suffix('\r').unwrap_or(raw);
        if text.is_empty() || (index == 0 && text.starts_with('#')) {
            continue; // the "#version: 0.2" header, and the newline that ends the file
        }
        let mut parts = text.split(' ');
        let (Some(left), Some(right), None) = (parts.next(), parts.next(), parts.next()) else {
            return Err(CoreError::Gpt2MergeLine {
                line,
                reason: format!("expected two tokens separated by one space, got {:?}", shorten(text)),
            });
        };
        let id = |token: &str| ids.get(token).copied().ok_or_else(|| CoreError::Gpt2MergeUnknownToken { line, token: shorten(token) });
        let pair = (id(left)?, id(right)?);
        let merged = id(&[left, right].concat())?;
        if let Some(first) = ranks.insert(pair, merges.len() as u32) {
            let first_line = lines_of_rank[first as usize];
            return Err(CoreError::Gpt2MergeLine { line, reason: format!("repeats the merge {:?} of line {first_line}", shorten(text)) });
        }
        merges.push((pair, merged));
        lines_of_rank.push(line);
    }
    Ok((merges, ranks))
}

/// Every token longer than one byte, other than `<|…|>` specials, must be some merge's result.
fn check_every_token_is_made(names: &[&str], merges: &[((u32, u32), u32)]) -> Result<(), CoreError> {
    let mut made = vec![false; names.len()];
    for &(_, merged) in merges {
        made[merged as usize] = true;
    }
    let special = |name: &str| name.len() > 4 && name.starts_with("<|") && name.ends_with("|>");
    let mut missing = names.iter().zip(&made).filter(|&(name, &made)| !made && name.chars().nth(1).is_some() && !special(name));
    match missing.next() {
        None => Ok(()),
        Some((example, _)) => Err(CoreError::Gpt2MissingMerges { count: 1 + missing.count(), example: shorten(example) }),
    }
}

/// A token or line as shown in a message: the first 40 characters, so that a hostile
/// megabyte-long token cannot flood the page.
fn shorten(text: &str) -> String {
    const SHOWN: usize = 40;
    match text.char_indices().nth(SHOWN) {
        Some((cut, _)) => format!("{}…", &text[..cut]),
        None => text.to_string(),
    }
}

/// encoder.json's entries in file order. Unlike a `HashMap`, this keeps a repeated key,
/// so that a token listed twice is an error instead of silently taking the last id.
struct Entries(Vec<(String, u64)>);

impl<'de> Deserialize<'de> for Entries {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct EntriesVisitor;
        impl<'de> Visitor<'de> for EntriesVisitor {
            type Value = Entries;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("an object mapping token strings to non-negative integer ids")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Entries, A::Error> {
                let mut entries = Vec::new();
                while let Some(entry) = map.next_entry::<String, u64>()? {
                    entries.push(entry);
                }
                Ok(Entries(entries))
            }
        }
        deserializer.deserialize_map(EntriesVisitor)
    }
}
