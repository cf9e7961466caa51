//! Masked-language-model batches (BERT): the encoder sees the whole window at once, so it
//! cannot be trained to predict the next token; instead 15% of the positions are chosen and
//! the model predicts their original tokens from both sides. Of the chosen positions 80% show
//! `[MASK]`, 10% a random token and 10% the original (so the model cannot rely on seeing
//! `[MASK]` to know where to predict). Every other position's target is `cpu::IGNORE`.

use crate::config::{Family, ModelConfig};
use crate::cpu::IGNORE;
use crate::data::batch;
use crate::data::classify::{self, classify_batch};
use crate::error::CoreError;
use crate::rng::Rng;
use crate::tokenizer::CharTokenizer;

/// The character that stands for `[MASK]` in an encoder's vocabulary; it is appended after
/// the data's characters, so the data's ids stay what they were. The page shows it as [MASK].
pub const MASK_CHAR: char = '\u{2588}'; // █

/// The share of positions chosen for prediction, and how a chosen one is shown (BERT's numbers).
pub const MASK_RATE: f32 = 0.15;
pub const SHOW_MASK: f32 = 0.8;
pub const SHOW_RANDOM: f32 = 0.1;

/// `tokenizer` with `[MASK]` appended as the last id (unchanged when it already ends with it).
pub fn with_mask(tokenizer: &CharTokenizer) -> Result<CharTokenizer, CoreError> {
    if mask_id(tokenizer).is_some() {
        return Ok(tokenizer.clone());
    }
    let mut chars = tokenizer.chars().to_vec();
    chars.push(MASK_CHAR);
    CharTokenizer::from_chars(chars)
        .map_err(|_| CoreError::Data(format!("the text already uses {MASK_CHAR:?}, the character that stands for [MASK]")))
}

/// The id of `[MASK]`: the last id, when it is the mask character.
pub fn mask_id(tokenizer: &CharTokenizer) -> Option<u32> {
    match tokenizer.chars().last() {
        Some(&MASK_CHAR) => Some(tokenizer.vocab_size() as u32 - 1),
        _ => None,
    }
}

/// `b` random windows of `t` tokens of `data` (ids below `mask`), masked as BERT does:
/// inputs (B, T) and targets (B, T), the original token at the chosen positions and IGNORE
/// elsewhere. Each row has at least one chosen position, so the loss is never empty.
pub fn mlm_batch(data: &[u32], b: usize, t: usize, mask: u32, rng: &mut Rng) -> (Vec<u32>, Vec<u32>) {
    debug_assert!(data.len() > t && mask > 0);
    let mut x = Vec::with_capacity(b * t);
    let mut y = Vec::with_capacity(b * t);
    for _ in 0..b {
        let start = rng.below(data.len() - t);
        let window = &data[start..start + t];
        let mut chosen: Vec<bool> = (0..t).map(|_| rng.next_f32() < MASK_RATE).collect();
        if !chosen.contains(&true) {
            chosen[rng.below(t)] = true;
        }
        for (&id, &pick) in window.iter().zip(&chosen) {
            if !pick {
                x.push(id);
                y.push(IGNORE);
                continue;
            }
            let r = rng.next_f32();
            x.push(if r < SHOW_MASK {
                mask
            } else if r < SHOW_MASK + SHOW_RANDOM {
                rng.below(mask as usize) as u32
            } else {
                id
            });
            y.push(id);
        }
    }
    (x, y)
}

/// A training batch for the model's objective: next-token windows for a decoder, masked
/// windows for an encoder (whose vocabulary must end with `[MASK]`), fresh labelled examples
/// of "balanced brackets?" for an encoder with a [CLS] classifier (`data` is not used then).
pub fn training_batch(
    cfg: &ModelConfig,
    tokenizer: &CharTokenizer,
    data: &[u32],
    b: usize,
    rng: &mut Rng,
) -> Result<(Vec<u32>, Vec<u32>), CoreError> {
    match (cfg.family, cfg.n_classes) {
        (Family::Encoder, 0) => {
            let mask = check_mask(tokenizer)?;
            Ok(mlm_batch(data, b, cfg.block_size, mask, rng))
        }
        (Family::Encoder, _) => {
            check_classifier(cfg, tokenizer)?;
            Ok(classify_batch(b, cfg.block_size, rng))
        }
        _ => Ok(batch(data, b, cfg.block_size, rng)),
    }
}

/// A classifier model must use the classification task's vocabulary and its two classes.
pub fn check_classifier(cfg: &ModelConfig, tokenizer: &CharTokenizer) -> Result<(), CoreError> {
    if *tokenizer != classify::tokenizer() || cfg.n_classes != classify::CLASSES.len() {
        return Err(CoreError::Data(format!(
            "the [CLS] classifier trains on \"balanced brackets?\": its vocabulary is {:?} and it has {} classes",
            classify::tokenizer().chars().iter().collect::<String>(),
            classify::CLASSES.len()
        )));
    }
    Ok(())
}

/// The mask id, or an error saying that an encoder's vocabulary needs one.
pub fn check_mask(tokenizer: &CharTokenizer) -> Result<u32, CoreError> {
    mask_id(tokenizer).ok_or_else(|| {
        CoreError::Data(format!(
            "an encoder is trained by masking tokens, so its vocabulary must end with the [MASK] character {MASK_CHAR:?}"
        ))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn masks_about_fifteen_percent_as_bert_does() {
        let data: Vec<u32> = (0..10_000).map(|i| (i % 7) as u32).collect();
        let (b, t, mask) = (64, 50, 7);
        let (x, y) = mlm_batch(&data, b, t, mask, &mut Rng::new(1));
        let chosen: Vec<usize> = (0..b * t).filter(|&i| y[i] != IGNORE).collect();
        let rate = chosen.len() as f32 / (b * t) as f32;
        assert!((rate - 0.15).abs() < 0.02, "chosen rate {rate}");
        let masked = chosen.iter().filter(|&&i| x[i] == mask).count() as f32 / chosen.len() as f32;
        assert!((masked - 0.8).abs() < 0.05, "shown as [MASK]: {masked}");
        // unchosen positions are the data as it was; every input id is a real one or [MASK]
        for i in 0..b * t {
            assert!(x[i] <= mask);
            if y[i] == IGNORE {
                assert_ne!(x[i], mask);
            }
        }
        for row in y.chunks(t) {
            assert!(row.iter().any(|&id| id != IGNORE), "a row without targets");
        }
    }

    #[test]
    fn the_mask_is_appended_and_found() {
        let tok = CharTokenizer::from_text("abc").unwrap();
        let with = with_mask(&tok).unwrap();
        assert_eq!(with.encode("abc").unwrap(), vec![0, 1, 2]);
        assert_eq!(mask_id(&with), Some(3));
        assert_eq!(with_mask(&with).unwrap(), with);
        assert!(check_mask(&tok).is_err());
        // a text that already uses the mask character elsewhere
        let clash = CharTokenizer::from_chars(vec![MASK_CHAR, 'a']).unwrap();
        assert!(with_mask(&clash).unwrap_err().to_string().contains("[MASK]"));
    }
}
