//! `Bpe`: a byte-level BPE vocabulary and its merges; text to ids and back.
//!
//! Encoding splits the text into GPT-2's pieces (`pretokenize.rs`), turns each piece into
//! its byte tokens and merges them (`merge.rs`). A merge's rank is its place in the merge
//! list (the line of vocab.bpe, or the training step). That is GPT-2's encoder.py and
//! minbpe; tiktoken ranks a pair by the id of the merged token instead, which for GPT-2's
//! files is the same order (merge line k makes token 256 + k), and the parity test against
//! tiktoken's port checks it. Ranking by merge also makes a trained tokenizer reproduce its
//! training-time segmentation exactly: the training applies merge k to all pieces after
//! merges 0..k, and so does the encoder.
//!
//! Special tokens such as GPT-2's `<|endoftext|>` are encoded as ordinary text (tiktoken's
//! `encode_ordinary`); they can still be decoded.

use super::merge::Merger;
use super::pretokenize::gpt2_pieces;
use crate::error::CoreError;
use std::collections::HashMap;
use std::fmt;

/// A byte-level BPE tokenizer: GPT-2's (see [`Bpe::from_gpt2_files`]) or one trained on the
/// user's text ([`super::BpeTrainer`]).
///
/// ```
/// use playground_core::BpeTrainer;
///
/// let mut trainer = BpeTrainer::new("low lower lowest", 260).unwrap();
/// while let Some(merge) = trainer.step() {
///     println!("{:?} -> {} ({:?}, seen {} times)", merge.pair, merge.new_id, merge.bytes, merge.count);
/// }
/// let bpe = trainer.finish();
/// let ids = bpe.encode("lowly");
/// assert_eq!(bpe.decode(&ids).unwrap(), "lowly");
/// ```
#[derive(Clone, PartialEq, Eq)]
pub struct Bpe {
    bytes: Vec<u8>,                  // every token's bytes, concatenated in id order
    ends: Vec<usize>,                // (V) token id -> end of its bytes; it starts where id - 1 ends
    byte_ids: [u32; 256],            // byte -> id of its one-byte token
    merges: Vec<((u32, u32), u32)>,  // rank -> (pair, merged id)
    ranks: HashMap<(u32, u32), u32>, // pair -> rank
}

impl Bpe {
    /// Assembles a tokenizer from parts its caller has checked: `tokens` in id order,
    /// `byte_ids` and merge ids below `tokens.len()`, `ranks` the inverse of `merges`.
    pub(super) fn from_checked_parts(
        tokens: impl IntoIterator<Item = Vec<u8>>,
        byte_ids: [u32; 256],
        merges: Vec<((u32, u32), u32)>,
        ranks: HashMap<(u32, u32), u32>,
    ) -> Bpe {
        let mut bytes = Vec::new();
        let mut ends = Vec::new();
        for token in tokens {
            bytes.extend_from_slice(&token);
            ends.push(bytes.len());
        }
        debug_assert!(byte_ids.iter().all(|&id| (id as usize) < ends.len()));
        debug_assert_eq!(merges.len(), ranks.len());
        Bpe { bytes, ends, byte_ids, merges, ranks }
    }

    /// A minbpe-style tokenizer: ids 0..256 are the bytes, and merge k makes id 256 + k from
    /// a pair of ids made before it. Refuses ids not yet made and repeated pairs.
    pub fn from_merges(pairs: &[(u32, u32)]) -> Result<Bpe, CoreError> {
        let mut tokens: Vec<Vec<u8>> = (0..=255u8).map(|b| vec![b]).collect();
        let mut merges = Vec::with_capacity(pairs.len());
        let mut ranks = HashMap::with_capacity(pairs.len());
        for (rank, &(a, b)) in pairs.iter().enumerate() {
            let made = tokens.len() as u32;
            if let Some(&id) = [a, b].iter().find(|&&id| id >= made) {
                return Err(CoreError::BpeMerge { rank, reason: format!("uses id {id}, but only ids below {made} exist before it") });
            }
            if let Some(first) = ranks.insert((a, b), rank as u32) {
                return Err(CoreError::BpeMerge { rank, reason: format!("repeats the pair ({a}, {b}) of merge {first}") });
            }
            let joined = [tokens[a as usize].as_slice(), tokens[b as usize].as_slice()].concat();
            tokens.push(joined);
            merges.push(((a, b), made));
        }
        let byte_ids = std::array::from_fn(|b| b as u32);
        Ok(Bpe::from_checked_parts(tokens, byte_ids, merges, ranks))
    }

    /// Number of tokens, special ones included.
    pub fn vocab_size(&self) -> usize {
        self.ends.len()
    }

    /// The merges in rank order: `((left, right), merged id)`.
    pub fn merges(&self) -> &[((u32, u32), u32)] {
        &self.merges
    }

    /// The bytes a token stands for (not always valid UTF-8 on its own: a token may hold
    /// part of a character).
    pub fn token_bytes(&self, id: u32) -> Result<&[u8], CoreError> {
        let i = id as usize;
        let end = *self.ends.get(i).ok_or(CoreError::TokenOutOfRange { id, vocab: self.ends.len() })?;
        let start = if i == 0 { 0 } else { self.ends[i - 1] };
        Ok(&self.bytes[start..end])
    }

    /// Token ids of `text`. Every text encodes: each byte has a token.
    pub fn encode(&self, text: &str) -> Vec<u32> {
        let mut out = Vec::with_capacity(text.len() / 3 + 1);
        // pieces repeat (" the"), so each distinct one is merged once: piece -> its ids in `out`
        let mut done: HashMap<&str, (usize, usize)> = HashMap::new();
        let mut merger = Merger::default();
        let mut ids = Vec::new();
        for piece in gpt2_pieces(text) {
            if let Some(&(start, len)) = done.get(piece) {
                out.extend_from_within(start..start + len);
                continue;
            }
            ids.clear();
            ids.extend(piece.bytes().map(|b| self.byte_ids[b as usize]));
            merger.merge(&mut ids, |a, b| self.rank(a, b));
            done.insert(piece, (out.len(), ids.len()));
            out.extend_from_slice(&ids);
        }
        out
    }

    /// The bytes of `ids`, joined: exactly the encoded text's bytes.
    pub fn decode_bytes(&self, ids: &[u32]) -> Result<Vec<u8>, CoreError> {
        let mut out = Vec::new();
        for &id in ids {
            out.extend_from_slice(self.token_bytes(id)?);
        }
        Ok(out)
    }

    /// The text of `ids`. Bytes are joined first, so a character split across tokens comes
    /// back whole; only bytes that are not UTF-8 once joined become U+FFFD.
    pub fn decode(&self, ids: &[u32]) -> Result<String, CoreError> {
        let bytes = self.decode_bytes(ids)?;
        Ok(match String::from_utf8(bytes) {
            Ok(text) => text,
            Err(err) => String::from_utf8_lossy(err.as_bytes()).into_owned(),
        })
    }

    /// Rank of the pair `a b` and the id it merges into, if it is a merge.
    fn rank(&self, a: u32, b: u32) -> Option<(u32, u32)> {
        let rank = *self.ranks.get(&(a, b))?;
        Some((rank, self.merges[rank as usize].1))
    }
}

/// Sizes only: the vocabulary itself is tens of thousands of entries.
impl fmt::Debug for Bpe {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Bpe").field("vocab_size", &self.vocab_size()).field("merges", &self.merges.len()).finish()
    }
}
