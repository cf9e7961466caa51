//! Training a byte-level BPE on the user's text, one merge per call (minbpe's
//! `RegexTokenizer.train`, made incremental so the page can show each merge as it happens).
//!
//! The text is cut into GPT-2's pieces, so merges never cross a piece boundary, and each
//! distinct piece is kept once with its count ("word" below). A merge step:
//! 1. picks the adjacent pair seen most often, counting overlaps as minbpe does ("aaa"
//!    holds the pair `a a` twice). Ties go to the smallest pair `(left, right)` by id, so a
//!    run is reproducible whatever the hash order;
//! 2. gives it the next id (256 + merges so far) and replaces it, left to right without
//!    overlaps, in every word that holds it ("aaa" becomes `[aa][a]`).
//!
//! Nothing is recounted: pair counts are updated around each replaced occurrence, an index
//! pair -> words lists where to look, and a max-heap of (count, pair) with stale entries
//! skipped finds the next pair. A step costs about the length of the words it touches.

use super::encoder::Bpe;
use super::pretokenize::gpt2_pieces;
use crate::error::CoreError;
use crate::order::sorted_unique;
use std::cmp::Reverse;
use std::collections::{BinaryHeap, HashMap};
use std::fmt;

/// One merge made by [`BpeTrainer::step`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Merge {
    /// The two token ids merged.
    pub pair: (u32, u32),
    /// The id of the new token, 256 + the number of merges before this one.
    pub new_id: u32,
    /// How often the pair occurred in the text when it was chosen (overlaps included).
    pub count: usize,
    /// The bytes of the new token.
    pub bytes: Vec<u8>,
}

/// Learns merges from a text until the vocabulary reaches `vocab_size` or no pair is left.
#[derive(Clone)]
pub struct BpeTrainer {
    vocab_size: usize,                               // the target
    tokens: Vec<Vec<u8>>,                            // id -> bytes: the 256 bytes, then one per merge
    merges: Vec<(u32, u32)>,                         // merge k made id 256 + k
    words: Vec<Vec<u32>>,                            // each distinct piece, as its current token ids
    counts: Vec<usize>,                              // how often each distinct piece occurs
    text: Vec<u32>,                                  // the text's pieces in order, as word indices
    pair_counts: HashMap<(u32, u32), usize>,         // adjacent pairs over all words, times counts; no zeros
    pair_words: HashMap<(u32, u32), Vec<u32>>,       // words a pair has occurred in; may list words it left
    queue: BinaryHeap<(usize, Reverse<(u32, u32)>)>, // (count, pair); stale when count differs
    token_count: usize,                              // tokens in the whole text as now segmented
}

impl BpeTrainer {
    /// Prepares training on `text` up to `vocab_size` tokens (at least the 256 bytes).
    pub fn new(text: &str, vocab_size: usize) -> Result<BpeTrainer, CoreError> {
        if vocab_size < 256 || u32::try_from(vocab_size).is_err() {
            let reason = "a byte-level BPE needs its 256 byte tokens, and ids are 32-bit".to_string();
            return Err(CoreError::Config { field: "vocab_size", value: vocab_size as u64, reason });
        }
        if text.is_empty() {
            return Err(CoreError::EmptyText);
        }
        let mut index: HashMap<&str, u32> = HashMap::new();
        let (mut words, mut counts, mut order) = (Vec::new(), Vec::new(), Vec::new());
        for piece in gpt2_pieces(text) {
            let w = *index.entry(piece).or_insert_with(|| {
                words.push(piece.bytes().map(u32::from).collect::<Vec<u32>>());
                counts.push(0);
                words.len() as u32 - 1
            });
            counts[w as usize] += 1;
            order.push(w);
        }

        let mut pair_counts: HashMap<(u32, u32), usize> = HashMap::new();
        let mut pair_words: HashMap<(u32, u32), Vec<u32>> = HashMap::new();
        for (w, word) in words.iter().enumerate() {
            for pair in word.windows(2).map(|p| (p[0], p[1])) {
                *pair_counts.entry(pair).or_default() += counts[w];
                let listed = pair_words.entry(pair).or_default();
                if listed.last() != Some(&(w as u32)) {
                    listed.push(w as u32);
                }
            }
        }
        let queue = pair_counts.iter().map(|(&pair, &count)| (count, Reverse(pair))).collect();
        Ok(BpeTrainer {
            vocab_size,
            tokens: (0..=255u8).map(|b| vec![b]).collect(),
            merges: Vec::new(),
            words,
            counts,
            text: order,
            pair_counts,
            pair_words,
            queue,
            token_count: text.len(),
        })
    }

    /// Makes one merge, or returns `None` once the vocabulary is full or every piece is a
    /// single token.
    pub fn step(&mut self) -> Option<Merge> {
        if self.tokens.len() >= self.vocab_size {
            return None;
        }
        let (pair, count) = self.most_frequent_pair()?;
        let new_id = self.tokens.len() as u32;
        let bytes = [self.tokens[pair.0 as usize].as_slice(), self.tokens[pair.1 as usize].as_slice()].concat();

        let holders = sorted_unique(&self.pair_words.remove(&pair).unwrap_or_default());
        let mut touched = Vec::new(); // pairs whose count changed: re-queued once at the end
        let Self { words, counts, pair_counts, pair_words, token_count, .. } = self;
        for w in holders {
            let n = counts[w as usize];
            let merged = merge_word(&mut words[w as usize], pair, new_id, |changed, appeared| {
                let count = pair_counts.entry(changed).or_default();
                if appeared {
                    *count += n;
                    // a pair that appears contains the new id, so this word is not listed yet
                    let listed = pair_words.entry(changed).or_default();
                    if listed.last() != Some(&w) {
                        listed.push(w);
                    }
                } else {
                    debug_assert!(*count >= n, "a pair that disappears was counted");
                    *count -= n;
                    if *count == 0 {
                        pair_counts.remove(&changed);
                    }
                }
                touched.push(changed);
            });
            *token_count -= merged * n;
        }
        self.pair_counts.remove(&pair); // none left: every occurrence was replaced
        for changed in sorted_unique(&touched) {
            if let Some(&count) = self.pair_counts.get(&changed) {
                self.queue.push((count, Reverse(changed)));
            }
        }

        self.tokens.push(bytes.clone());
        self.merges.push(pair);
        Some(Merge { pair, new_id, count, bytes })
    }

    /// The tokenizer made of the merges so far.
    pub fn finish(self) -> Bpe {
        Bpe::from_merges(&self.merges).expect("each merge uses ids made before it, and a merged pair never occurs again")
    }

    /// Merges so far, in order: merge k made id 256 + k.
    pub fn merges(&self) -> &[(u32, u32)] {
        &self.merges
    }

    /// Tokens so far: 256 + merges.
    pub fn current_vocab_size(&self) -> usize {
        self.tokens.len()
    }

    /// The vocabulary size training stops at.
    pub fn target_vocab_size(&self) -> usize {
        self.vocab_size
    }

    /// How many tokens the training text is now, down from its length in bytes.
    pub fn token_count(&self) -> usize {
        self.token_count
    }

    /// The training text as the merges so far have segmented it.
    pub fn ids(&self) -> Vec<u32> {
        let mut out = Vec::with_capacity(self.token_count);
        for &w in &self.text {
            out.extend_from_slice(&self.words[w as usize]);
        }
        out
    }

    /// Highest count, ties to the smallest pair; entries whose count has changed are stale.
    fn most_frequent_pair(&mut self) -> Option<((u32, u32), usize)> {
        while let Some((count, Reverse(pair))) = self.queue.pop() {
            if self.pair_counts.get(&pair) == Some(&count) {
                return Some((pair, count));
            }
        }
        None
    }
}

/// Sizes only: the state holds every distinct piece of the text.
impl fmt::Debug for BpeTrainer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("BpeTrainer")
            .field("vocab_size", &self.tokens.len())
            .field("target_vocab_size", &self.vocab_size)
            .field("distinct_pieces", &self.words.len())
            .field("token_count", &self.token_count)
            .finish()
    }
}

/// Replaces each occurrence of `pair` in `word` by `new_id`, left to right without overlaps,
/// and returns how many it replaced. Around each occurrence it reports the neighbouring
/// pairs that disappear (`false`) and appear (`true`):
/// `x a b y` -> `x N y` loses `x a` and `b y`, gains `x N` and `N y`. `x` may be an `N` just
/// made ("a a a a" with pair `a a`), which keeps the bookkeeping exact. The occurrences of
/// `pair` itself are not reported: none is left afterwards.
fn merge_word(word: &mut Vec<u32>, pair: (u32, u32), new_id: u32, mut report: impl FnMut((u32, u32), bool)) -> usize {
    let (mut read, mut write, mut merged) = (0, 0, 0);
    while read < word.len() {
        if read + 1 < word.len() && (word[read], word[read + 1]) == pair {
            if write > 0 {
                let before = word[write - 1];
                report((before, pair.0), false);
                report((before, new_id), true);
            }
            if let Some(&after) = word.get(read + 2) {
                report((pair.1, after), false);
                report((new_id, after), true);
            }
            word[write] = new_id;
            read += 2;
            merged += 1;
        } else {
            word[write] = word[read];
            read += 1;
        }
        write += 1;
    }
    word.truncate(write);
    merged
}
