//! `Bpe` on minbpe-style merge lists: the merge order, round trips, lossless bytes.

use playground_core::bpe::gpt2_pieces;
use playground_core::{Bpe, BpeTrainer, CoreError, Rng};

/// Texts a tokenizer must give back unchanged.
pub const EDGE_CASES: [&str; 18] = [
    "",
    " ",
    "     ",
    "\n\n",
    "\t\tindented\t",
    "line one\r\nline two\r\n",
    "1234567 and 3.14159 and 1,000,000",
    "I'll've DON'T 'sup she's",
    "naïve café résumé Ångström cafe\u{301}",
    "日本語のテキスト、中文文本。한국어",
    "مرحبا بالعالم",
    "हिन्दी में",
    "👩‍💻 👨‍👩‍👧‍👦 👋🏽👍🏿",
    "flags 🇫🇷🇯🇵 🏳️‍🌈",
    "\u{0}\u{7f}\u{85}\u{feff}\u{200b}",
    "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
    "fn main() { println!(\"hi\"); }",
    "ends with spaces   ",
];

/// Applies the merges in order to each piece, every occurrence left to right: the definition
/// the heap-based encoder must agree with (and the way training segments text).
fn encode_by_definition(merges: &[((u32, u32), u32)], text: &str) -> Vec<u32> {
    let mut out = Vec::new();
    for piece in gpt2_pieces(text) {
        let mut ids: Vec<u32> = piece.bytes().map(u32::from).collect();
        for &(pair, merged) in merges {
            let mut i = 0;
            while i + 1 < ids.len() {
                if (ids[i], ids[i + 1]) == pair {
                    ids[i] = merged;
                    ids.remove(i + 1);
                }
                i += 1;
            }
        }
        out.extend(ids);
    }
    out
}

#[test]
fn equal_ranks_merge_leftmost_first() {
    let bpe = Bpe::from_merges(&[(b'a'.into(), b'a'.into())]).unwrap();
    assert_eq!(bpe.encode("aaa"), [256, 97]);
    assert_eq!(bpe.encode("aaaa"), [256, 256]);
}

#[test]
fn lower_rank_merges_first() {
    let (a, b, c) = (b'a' as u32, b'b' as u32, b'c' as u32);
    assert_eq!(Bpe::from_merges(&[(b, c), (a, b)]).unwrap().encode("abc"), [a, 256]);
    assert_eq!(Bpe::from_merges(&[(a, b), (b, c)]).unwrap().encode("abc"), [256, c]);
}

#[test]
fn encoder_agrees_with_merging_in_rank_order() {
    let alphabet: Vec<char> = "aab b\nc!é".chars().collect();
    let mut rng = Rng::new(3);
    let random_text = |rng: &mut Rng, len: usize| -> String { (0..len).map(|_| alphabet[rng.below(alphabet.len())]).collect() };
    let training = random_text(&mut rng, 3000);
    let mut trainer = BpeTrainer::new(&training, 400).unwrap();
    while trainer.step().is_some() {}
    let bpe = trainer.finish();
    assert!(bpe.merges().len() > 50, "only {} merges", bpe.merges().len());
    for len in [0, 1, 2, 7, 50, 400] {
        let text = random_text(&mut rng, len);
        assert_eq!(bpe.encode(&text), encode_by_definition(bpe.merges(), &text), "{text:?}");
    }
    let long_word = "ab".repeat(5000) + &"a".repeat(777); // one piece, many equal-rank ties
    assert_eq!(bpe.encode(&long_word), encode_by_definition(bpe.merges(), &long_word));
}

#[test]
fn edge_cases_round_trip_through_a_trained_tokenizer() {
    let mut trainer = BpeTrainer::new(&EDGE_CASES.concat(), 320).unwrap();
    while trainer.step().is_some() {}
    let bpe = trainer.finish();
    for text in EDGE_CASES {
        let ids = bpe.encode(text);
        assert_eq!(bpe.decode_bytes(&ids).unwrap(), text.as_bytes(), "{text:?}");
        assert_eq!(bpe.decode(&ids).unwrap(), text, "{text:?}");
    }
}

#[test]
fn decode_joins_bytes_before_replacing_invalid_utf8() {
    let bpe = Bpe::from_merges(&[]).unwrap();
    assert_eq!(bpe.vocab_size(), 256);
    let e_acute = bpe.encode("é");
    assert_eq!(e_acute, [0xC3, 0xA9]); // two byte tokens, neither valid UTF-8 alone
    assert_eq!(bpe.token_bytes(e_acute[0]).unwrap(), [0xC3]);
    assert_eq!(bpe.decode(&e_acute).unwrap(), "é");
    assert_eq!(bpe.decode_bytes(&[0xFF, 0x41, 0xC3]).unwrap(), [0xFF, 0x41, 0xC3]);
    assert_eq!(bpe.decode(&[0xFF, 0x41, 0xC3]).unwrap(), "\u{FFFD}A\u{FFFD}");
}

#[test]
fn ids_outside_the_vocabulary_are_errors() {
    let bpe = Bpe::from_merges(&[(104, 105)]).unwrap();
    assert_eq!(bpe.decode(&[104, 257]), Err(CoreError::TokenOutOfRange { id: 257, vocab: 257 }));
    assert_eq!(bpe.token_bytes(256).unwrap(), b"hi");
    assert!(bpe.token_bytes(u32::MAX).is_err());
}

#[test]
fn merge_lists_with_unmade_ids_or_repeated_pairs_are_refused() {
    let err = Bpe::from_merges(&[(97, 98), (256, 257)]).unwrap_err();
    assert!(matches!(err, CoreError::BpeMerge { rank: 1, .. }), "{err}");
    assert!(err.to_string().contains("id 257"), "{err}");
    let err = Bpe::from_merges(&[(97, 98), (97, 98)]).unwrap_err();
    assert!(matches!(err, CoreError::BpeMerge { rank: 1, .. }), "{err}");
}
