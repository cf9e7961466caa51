//! A generated sequence-to-sequence task for the encoder-decoder: reverse a string of letters.
//! Output k is source letter n−1−k, so a trained model's cross-attention is an anti-diagonal
//! alignment, which the page shows.
//!
//! Training uses teacher forcing: the decoder is fed BOS and then the *true* target shifted
//! right, and predicts the target at every position at once:
//! ```text
//! src     c a f e · · · ·        (the source, padded to T)
//! dec_in  ^ e f a c $ · ·        (BOS, the target shifted right; padding after)
//! targets e f a c $ × × ×        (the reversed source, EOS; × = IGNORE)
//! ```
//! At inference there is no true target: the decoder is fed its own previous outputs, one
//! step at a time (`CpuModel::greedy_decode`).

use crate::cpu::IGNORE;
use crate::data::LETTERS;
use crate::error::CoreError;
use crate::rng::Rng;
use crate::tokenizer::CharTokenizer;

/// Padding, beginning-of-sequence and end-of-sequence, as characters of the vocabulary.
pub const PAD_CHAR: char = '\n';
pub const BOS_CHAR: char = '^';
pub const EOS_CHAR: char = '$';

/// The task's name among the page's data choices and in a checkpoint's `data` metadata.
pub const TASK_NAME: &str = "reversal";

/// What the task teaches, for the page.
pub const LESSON: &str = "cafe → efac — each output letter is found in the source by cross-attention, so the alignment map is an anti-diagonal; in training the decoder is fed the true previous letters (teacher forcing), at inference its own.";

/// PAD, BOS, EOS and the letters.
pub fn tokenizer() -> CharTokenizer {
    let chars = [PAD_CHAR, BOS_CHAR, EOS_CHAR].into_iter().chain(LETTERS.chars()).collect();
    CharTokenizer::from_chars(chars).expect("distinct characters")
}

/// The target of a source: the source reversed.
pub fn target_of(source: &str) -> String {
    source.chars().rev().collect()
}

/// A random source of 1 to `t − 1` letters (the target's EOS needs the last position).
pub fn example(t: usize, rng: &mut Rng) -> String {
    let letters: Vec<char> = LETTERS.chars().collect();
    let n = 1 + rng.below((t - 1).max(1));
    (0..n).map(|_| letters[rng.below(letters.len())]).collect()
}

/// One example's rows, each `t` ids: the padded source, the decoder's input (BOS, the target
/// shifted right, padding) and the targets (the target, EOS, IGNORE after).
pub struct Seq2SeqRows {
    pub src: Vec<u32>,
    pub dec_in: Vec<u32>,
    pub targets: Vec<u32>,
}

/// The rows of (source, target); both must be made of the tokenizer's letters and the target
/// must leave room for EOS.
pub fn rows(tokenizer: &CharTokenizer, source: &str, target: &str, t: usize) -> Result<Seq2SeqRows, CoreError> {
    let (s, y) = (tokenizer.encode(source)?, tokenizer.encode(target)?);
    let [pad, bos, eos] = specials(tokenizer)?;
    if s.is_empty() {
        return Err(CoreError::EmptyText);
    }
    if s.len() > t {
        return Err(CoreError::TooLong { t: s.len(), block_size: t });
    }
    if y.len() + 1 > t {
        return Err(CoreError::TooLong { t: y.len() + 1, block_size: t });
    }
    let mut src = vec![pad; t - s.len()];
    src.extend(&s);
    let mut dec_in = vec![bos];
    dec_in.extend(&y);
    dec_in.resize(t, pad);
    let mut targets = y;
    targets.push(eos);
    targets.resize(t, IGNORE);
    Ok(Seq2SeqRows { src, dec_in, targets })
}

/// The ids of PAD, BOS and EOS in `tokenizer`.
pub fn specials(tokenizer: &CharTokenizer) -> Result<[u32; 3], CoreError> {
    let id = |ch: char| {
        tokenizer.encode(&ch.to_string()).map(|ids| ids[0]).map_err(|_| {
            CoreError::Data(format!(
                "an encoder-decoder's vocabulary needs {ch:?} (padding, BOS and EOS are {PAD_CHAR:?}, {BOS_CHAR:?}, {EOS_CHAR:?})"
            ))
        })
    };
    Ok([id(PAD_CHAR)?, id(BOS_CHAR)?, id(EOS_CHAR)?])
}

/// `b` fresh reversal examples, each row (B, T) flattened.
pub fn seq2seq_batch(b: usize, t: usize, rng: &mut Rng) -> Seq2SeqRows {
    batch_of(b, t, || example(t, rng))
}

/// One source in `HELD_OUT_EVERY`, chosen by a fixed hash of its letters, is held out.
const HELD_OUT_EVERY: u32 = 10;
/// The shortest context `split_batch` takes: its 1 to 3 letter strings hold 58 held-out ones.
pub const MIN_SPLIT_BLOCK: usize = 4;

/// Whether `source` is held out for validation: the page's runs never train on it.
pub fn held_out(source: &str) -> bool {
    // FNV-1a
    let h = source.bytes().fold(0x811c_9dc5u32, |h, byte| (h ^ u32::from(byte)).wrapping_mul(0x0100_0193));
    h % HELD_OUT_EVERY == 0
}

/// `b` fresh examples of one split: with `validation`, held-out sources only, else never one.
/// Needs t ≥ `MIN_SPLIT_BLOCK` (shorter contexts may have no held-out string to draw).
pub fn split_batch(b: usize, t: usize, rng: &mut Rng, validation: bool) -> Seq2SeqRows {
    debug_assert!(t >= MIN_SPLIT_BLOCK);
    batch_of(b, t, || loop {
        let s = example(t, rng);
        if held_out(&s) == validation {
            return s;
        }
    })
}

/// The rows of `b` sources drawn by `source`.
fn batch_of(b: usize, t: usize, mut source: impl FnMut() -> String) -> Seq2SeqRows {
    let tok = tokenizer();
    let mut batch = Seq2SeqRows { src: Vec::with_capacity(b * t), dec_in: Vec::with_capacity(b * t), targets: Vec::with_capacity(b * t) };
    for _ in 0..b {
        let s = source();
        let r = rows(&tok, &s, &target_of(&s), t).expect("examples fit the row and the alphabet");
        batch.src.extend(r.src);
        batch.dec_in.extend(r.dec_in);
        batch.targets.extend(r.targets);
    }
    batch
}

/// The text of decoder outputs, up to (not including) the first EOS.
pub fn until_eos(tokenizer: &CharTokenizer, outputs: &[u32]) -> Result<String, CoreError> {
    let [_, _, eos] = specials(tokenizer)?;
    let end = outputs.iter().position(|&id| id == eos).unwrap_or(outputs.len());
    tokenizer.decode(&outputs[..end])
}
