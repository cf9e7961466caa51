//! `BpeTrainer`: the worked example, agreement with recounting from scratch, the encoder
//! reproducing the training segmentation, limits, and speed.

use playground_core::bpe::gpt2_pieces;
use playground_core::{BpeTrainer, CoreError, Merge, Rng};
use std::collections::HashMap;
use std::time::Instant;

fn merge(pair: (u32, u32), new_id: u32, count: usize, bytes: &[u8]) -> Merge {
    Merge { pair, new_id, count, bytes: bytes.to_vec() }
}

/// Pseudo-English made by code (no corpus ships with the project): words of 1 to 4
/// syllables, some capitalised, numbers and punctuation, lines of ~12 words.
fn generated_text(bytes: usize, seed: u64) -> String {
    const SYLLABLES: [&str; 24] = [
        "the", "an", "ing", "er", "tion", "re", "in", "on", "at", "es", "or", "ti", "al", "de", "ma", "ko", "lu", "sen", "pra", "vo", "st",
        "qu", "ex", "ly",
    ];
    const PUNCT: [&str; 6] = [",", ".", "!", "?", ";", " -"];
    let mut rng = Rng::new(seed);
    let mut text = String::with_capacity(bytes + 64);
    let mut words_on_line = 0;
    while text.len() < bytes {
        if rng.below(15) == 0 {
            text += &rng.below(2030).to_string();
        } else {
            let word: String = (0..1 + rng.below(4)).map(|_| SYLLABLES[rng.below(SYLLABLES.len())]).collect();
            text += &if rng.below(8) == 0 { word[..1].to_uppercase() + &word[1..] } else { word };
        }
        if rng.below(7) == 0 {
            text += PUNCT[rng.below(PUNCT.len())];
        }
        words_on_line += 1;
        text += if words_on_line % 12 == 0 { "\n" } else { " " };
    }
    text
}

#[test]
fn first_merges_of_aaabdaaabac_follow_the_worked_example() {
    let mut trainer = BpeTrainer::new("aaabdaaabac", 260).unwrap();
    let (a, b, c) = (97, 98, 99);
    // "aaa" holds the pair (a, a) twice: 4 in all, merged into 2 tokens "aa"
    assert_eq!(trainer.step(), Some(merge((a, a), 256, 4, b"aa")));
    // (aa, a) and (a, b) both occur twice now; the tie goes to the smaller pair
    assert_eq!(trainer.step(), Some(merge((a, b), 257, 2, b"ab")));
    assert_eq!(trainer.step(), Some(merge((256, 257), 258, 2, b"aaab")));
    assert_eq!(trainer.ids(), [258, 100, 258, a, c]); // "XdXac", as in the worked example
    assert_eq!(trainer.step(), Some(merge((a, c), 259, 1, b"ac"))); // four pairs seen once: smallest
    assert_eq!(trainer.step(), None, "vocab_size 260 reached");
    assert_eq!(trainer.token_count(), 4);
}

#[test]
fn training_stops_when_every_piece_is_one_token() {
    let mut trainer = BpeTrainer::new("ab ab", 1000).unwrap();
    let merges: Vec<Merge> = std::iter::from_fn(|| trainer.step()).collect();
    // pieces "ab" and " ab": (a, b) twice, then (" ", ab) once
    assert_eq!(merges, [merge((97, 98), 256, 2, b"ab"), merge((32, 256), 257, 1, b" ab")]);
    assert_eq!(trainer.current_vocab_size(), 258);
    assert_eq!(trainer.target_vocab_size(), 1000);
}

#[test]
fn merges_never_cross_piece_boundaries() {
    let mut trainer = BpeTrainer::new("a a a a. b! b! b!", 1000).unwrap();
    while let Some(merge) = trainer.step() {
        let text = String::from_utf8(merge.bytes).unwrap();
        assert_eq!(gpt2_pieces(&text).count(), 1, "merge {text:?} spans two pieces");
    }
}

#[test]
fn vocab_size_below_256_and_empty_text_are_errors() {
    assert!(matches!(BpeTrainer::new("abc", 255), Err(CoreError::Config { field: "vocab_size", value: 255, .. })));
    assert!(matches!(BpeTrainer::new("", 300), Err(CoreError::EmptyText)));
    let mut bytes_only = BpeTrainer::new("abc", 256).unwrap();
    assert_eq!(bytes_only.step(), None);
    assert_eq!(bytes_only.finish().vocab_size(), 256);
}

/// minbpe's loop, recounting every pair at every step (ties to the smallest pair).
struct Recount {
    pieces: Vec<Vec<u32>>,
    next_id: u32,
}

impl Recount {
    fn step(&mut self) -> Option<((u32, u32), usize)> {
        let mut counts: HashMap<(u32, u32), usize> = HashMap::new();
        for piece in &self.pieces {
            for w in piece.windows(2) {
                *counts.entry((w[0], w[1])).or_default() += 1;
            }
        }
        let (&pair, &count) = counts.iter().max_by(|x, y| x.1.cmp(y.1).then(y.0.cmp(x.0)))?;
        for piece in &mut self.pieces {
            let mut i = 0;
            while i + 1 < piece.len() {
                if (piece[i], piece[i + 1]) == pair {
                    piece[i] = self.next_id;
                    piece.remove(i + 1);
                }
                i += 1;
            }
        }
        self.next_id += 1;
        Some((pair, count))
    }
}

#[test]
fn incremental_counts_equal_recounting_every_step() {
    // runs of one letter and of two alternating ones are where overlap bookkeeping breaks
    let text = generated_text(3000, 1) + " aaaaaaa aaaa abababab bababa aaabaaab xxxyxxxy éééé 1111 👋👋👋";
    let mut trainer = BpeTrainer::new(&text, 256 + 300).unwrap();
    let mut reference = Recount { pieces: gpt2_pieces(&text).map(|p| p.bytes().map(u32::from).collect()).collect(), next_id: 256 };
    for step in 0..300 {
        let got = trainer.step().map(|m| (m.pair, m.count));
        assert!(got.is_some(), "the text has pairs left after {step} merges");
        assert_eq!(got, reference.step(), "merge {step}");
        assert_eq!(trainer.ids(), reference.pieces.concat(), "segmentation after merge {step}");
    }
    assert_eq!(trainer.step(), None, "vocab_size reached");
}

#[test]
fn encoder_reproduces_the_training_segmentation() {
    let text = generated_text(20_000, 2) + "\n\n  tabs\tand 👩‍💻 emoji, 日本語, naïve café\r\n";
    let mut trainer = BpeTrainer::new(&text, 256 + 500).unwrap();
    while trainer.step().is_some() {}
    let ids = trainer.ids();
    assert_eq!(ids.len(), trainer.token_count());
    let bpe = trainer.finish();
    assert_eq!(bpe.encode(&text), ids);
    assert_eq!(bpe.decode(&ids).unwrap(), text);
}

#[test]
fn thousand_merges_on_100_kb_take_well_under_a_second() {
    let text = generated_text(100_000, 3);
    let start = Instant::now();
    let mut trainer = BpeTrainer::new(&text, 256 + 1000).unwrap();
    let prepared = start.elapsed();
    let merges = std::iter::from_fn(|| trainer.step()).count();
    let trained = start.elapsed();
    let bpe = trainer.finish();
    let encode_start = Instant::now();
    let ids = bpe.encode(&text);
    let encoded = encode_start.elapsed();
    println!(
        "BPE training on {} bytes: setup {:.1} ms, {merges} merges {:.1} ms in all; encode {:.1} ms ({} bytes -> {} tokens)",
        text.len(),
        prepared.as_secs_f64() * 1e3,
        trained.as_secs_f64() * 1e3,
        encoded.as_secs_f64() * 1e3,
        text.len(),
        ids.len()
    );
    assert_eq!(merges, 1000);
    // generous: an unoptimised test build on a shared core; a recount-every-step trainer takes far longer
    assert!(trained.as_secs_f64() < 2.0, "training took {trained:?}");
}
