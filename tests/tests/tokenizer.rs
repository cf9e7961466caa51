//! Char tokenizer: round trips over edge cases, vocabulary order, clear errors.

use playground_core::{CharTokenizer, CoreError};

#[test]
fn round_trips_edge_cases() {
    let texts =
        ["a", "hello world", "naïve café — ünïcödé", "emoji 🦀 and ZWJ 👩‍💻 and flags 🇫🇷", "tabs\tand\nnewlines\r\n", "\u{0}\u{7f}\u{feff}"];
    for text in texts {
        let tok = CharTokenizer::from_text(text).unwrap();
        let ids = tok.encode(text).unwrap();
        assert_eq!(ids.len(), text.chars().count(), "{text:?}");
        assert_eq!(tok.decode(&ids).unwrap(), text, "{text:?}");
    }
}

#[test]
fn vocabulary_is_sorted_unique_code_points() {
    let tok = CharTokenizer::from_text("banana").unwrap();
    assert_eq!(tok.chars(), &['a', 'b', 'n']);
    assert_eq!(tok.encode("nab").unwrap(), vec![2, 0, 1]);
    assert_eq!(tok.vocab_size(), 3);
}

#[test]
fn empty_text_and_unknown_characters_are_errors() {
    assert_eq!(CharTokenizer::from_text(""), Err(CoreError::EmptyText));
    let tok = CharTokenizer::from_text("abc").unwrap();
    let err = tok.encode("abé").unwrap_err();
    assert_eq!(err, CoreError::UnknownChar { ch: 'é', code: 0xE9, position: 2 });
    assert!(err.to_string().contains("U+00E9"), "{err}");
    let lossy = tok.encode_lossy("a🦀c");
    assert_eq!(lossy.ids, vec![0, 2]);
    assert_eq!(lossy.unknown, vec![(1, '🦀')]);
    assert!(matches!(tok.decode(&[3]), Err(CoreError::TokenOutOfRange { id: 3, vocab: 3 })));
}

#[test]
fn duplicate_characters_in_a_given_vocabulary_are_refused() {
    assert!(CharTokenizer::from_chars(vec!['a', 'b', 'a']).is_err());
}
