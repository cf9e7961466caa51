//! A generated classification task for the encoder's [CLS] classifier: "is this bracket
//! string balanced?". Half the examples are balanced; the other half are balanced strings with
//! one closing bracket turned into an opening one, so more brackets open than close. Attention
//! from [CLS] gathers how many of each it sees, and the classifier reads the count.
//!
//! Why not swap any bracket for any other: then an unbalanced string is as likely to have one
//! opening bracket too many as one too few, so no count the attention could gather moves with
//! the label, only its size does. From the small initial weights the gradient then has nothing
//! to follow: a 2-layer model of width 32 stays at chance for about 1,500 steps (measured: loss
//! 0.69 at step 1,300, 62% of fresh examples right at step 3,000), while on this task it is
//! right on every one of 256 fresh examples after 200 steps.
//!
//! A row is `[CLS]`, the string, then newlines up to T tokens; its label is 1 (balanced) or 0.
//! The targets put the label at position 0 (the [CLS] position) and IGNORE everywhere else,
//! so the classifier's loss goes through the same masked cross-entropy as masked-LM.

use crate::cpu::IGNORE;
use crate::data::{brackets, Dataset};
use crate::error::CoreError;
use crate::rng::Rng;
use crate::tokenizer::CharTokenizer;

/// The task's name where the page and the engine pick data by name.
pub const TASK_NAME: &str = "balanced";

/// Rows of examples the task's dataset holds: the batches are generated fresh, so the dataset
/// only has to hold a block of tokens in each split (and shows what the task looks like).
const DATASET_ROWS: usize = 400;

/// The character that stands for `[CLS]`; the page shows it as [CLS].
pub const CLS_CHAR: char = '\u{25B6}'; // ▶

/// The classes of the task, by label.
pub const CLASSES: [&str; 2] = ["unbalanced", "balanced"];

/// What the task teaches, for the page.
pub const LESSON: &str = "▶([]( → unbalanced — the classifier reads only the [CLS] position, so attention must carry to it how many brackets open and how many close.";

/// Characters of the task: [CLS], the brackets and the newline that pads each row.
pub fn tokenizer() -> CharTokenizer {
    CharTokenizer::from_chars(vec!['\n', '(', ')', '[', ']', '{', '}', CLS_CHAR]).expect("distinct characters")
}

/// One example that fits `t` tokens with its [CLS]: the bracket string and its label.
pub fn example(t: usize, rng: &mut Rng) -> (String, u32) {
    let most = ((t - 1) / 2).clamp(1, 6);
    let pairs = 1 + rng.below(most);
    let s = brackets(rng, pairs, 0);
    if rng.below(2) == 1 {
        return (s, 1);
    }
    let mut chars: Vec<char> = s.chars().collect();
    let closing: Vec<usize> = (0..chars.len()).filter(|&i| matches!(chars[i], ')' | ']' | '}')).collect();
    chars[closing[rng.below(closing.len())]] = ['(', '[', '{'][rng.below(3)];
    (chars.into_iter().collect(), 0)
}

/// Whether every closing bracket matches the most recent unclosed opening one.
pub fn balanced(s: &str) -> bool {
    let mut stack = Vec::new();
    for ch in s.chars() {
        match ch {
            '(' | '[' | '{' => stack.push(ch),
            _ => {
                if !matches!((stack.pop(), ch), (Some('('), ')') | (Some('['), ']') | (Some('{'), '}')) {
                    return false;
                }
            }
        }
    }
    stack.is_empty()
}

/// The ids of one row: [CLS], the string, newlines up to `t`.
pub fn row(tokenizer: &CharTokenizer, s: &str, t: usize) -> Result<Vec<u32>, CoreError> {
    let mut ids = tokenizer.encode(&format!("{CLS_CHAR}{s}"))?;
    if ids.len() > t {
        return Err(CoreError::TooLong { t: ids.len(), block_size: t });
    }
    ids.resize(t, tokenizer.encode("\n")?[0]);
    Ok(ids)
}

/// The task as a dataset: examples one per line, each after its [CLS], in the task's vocabulary.
pub fn dataset(seed: u64) -> Result<Dataset, CoreError> {
    let mut rng = Rng::new(seed);
    let text: String = (0..DATASET_ROWS).map(|_| format!("{CLS_CHAR}{}\n", example(16, &mut rng).0)).collect();
    Dataset::from_text(&text, Some(tokenizer()))
}

/// The task's characters, as the page lists a task's alphabet.
pub fn alphabet() -> String {
    tokenizer().chars().iter().collect()
}

/// `b` fresh examples: inputs (B, T) and targets (B, T) with the label at position 0 and
/// IGNORE elsewhere.
pub fn classify_batch(b: usize, t: usize, rng: &mut Rng) -> (Vec<u32>, Vec<u32>) {
    let tok = tokenizer();
    let mut x = Vec::with_capacity(b * t);
    let mut y = vec![IGNORE; b * t];
    for r in 0..b {
        let (s, label) = example(t, rng);
        x.extend(row(&tok, &s, t).expect("examples fit the row and the alphabet"));
        y[r * t] = label;
    }
    (x, y)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labels_are_right_and_classes_even() {
        let mut rng = Rng::new(3);
        let mut ones = 0;
        for _ in 0..1000 {
            let (s, label) = example(16, &mut rng);
            assert_eq!(balanced(&s), label == 1, "{s}");
            assert!(s.chars().count() < 16);
            ones += label;
        }
        assert!((400..600).contains(&ones), "{ones} balanced of 1000");
        let (x, y) = classify_batch(3, 16, &mut rng);
        assert_eq!(x.len(), 48);
        assert!(x.chunks(16).all(|r| r[0] == 7), "every row starts with [CLS]");
        assert!(y.iter().enumerate().all(|(i, &l)| (i % 16 == 0) == (l != IGNORE)));
    }
}
