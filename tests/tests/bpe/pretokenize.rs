//! GPT-2's split, hand-written: pieces worked out from the pattern's rules, and pieces that
//! always join back into the text.

use playground_core::bpe::gpt2_pieces;
use playground_core::Rng;

fn pieces(text: &str) -> Vec<&str> {
    gpt2_pieces(text).collect()
}

#[test]
fn words_numbers_and_punctuation_take_one_leading_space() {
    assert_eq!(pieces("Hello world"), ["Hello", " world"]);
    assert_eq!(pieces("x = 1234567;"), ["x", " =", " 1234567", ";"]);
    assert_eq!(pieces("!!! ok?!"), ["!!!", " ok", "?!"]);
    assert_eq!(pieces("abc123def"), ["abc", "123", "def"]);
    assert_eq!(pieces(""), Vec::<&str>::new());
}

#[test]
fn whitespace_runs_leave_their_last_character_to_the_next_piece() {
    assert_eq!(pieces("  hi"), [" ", " hi"]); // \s+(?!\S) gives back one space, which joins "hi"
    assert_eq!(pieces("a\n\nb"), ["a", "\n", "\n", "b"]); // the given-back "\n" stands alone (rule \s+)
    assert_eq!(pieces("\t\tif"), ["\t", "\t", "if"]);
    assert_eq!(pieces("a\r\nb"), ["a", "\r", "\n", "b"]);
    assert_eq!(pieces("end  "), ["end", "  "]); // a run that ends the text is taken whole
    assert_eq!(pieces(" \t x"), [" \t", " x"]);
    assert_eq!(pieces("\n\n"), ["\n\n"]);
    assert_eq!(pieces(" "), [" "]);
}

#[test]
fn contractions_are_lowercase_suffixes_after_an_apostrophe() {
    assert_eq!(pieces("I'll've"), ["I", "'ll", "'ve"]);
    assert_eq!(pieces("she's we're they'd"), ["she", "'s", " we", "'re", " they", "'d"]);
    assert_eq!(pieces("'sam"), ["'s", "am"]); // the rule does not look past the suffix
    assert_eq!(pieces("DON'T"), ["DON", "'", "T"]); // uppercase is not a contraction
    assert_eq!(pieces("!'s"), ["!'", "s"]); // the punctuation run swallows the apostrophe first
    assert_eq!(pieces("it\u{2019}s"), ["it", "\u{2019}", "s"]); // a curly apostrophe is punctuation
}

#[test]
fn letters_are_general_category_letter_not_alphabetic() {
    // Devanagari vowel signs and virama are marks (Mc, Mn): they split words, as in tiktoken
    assert_eq!(pieces("हिन्दी"), ["ह", "ि", "न", "्", "द", "ी"]);
    assert_eq!(pieces("cafe\u{301}"), ["cafe", "\u{301}"]); // a combining accent is not a letter
    assert_eq!(pieces("café Ångström"), ["café", " Ångström"]);
    assert_eq!(pieces("Ⅻ½²"), ["Ⅻ½²"]); // letter numbers and other numbers are \p{N}
    assert_eq!(pieces("日本語のテキスト"), ["日本語のテキスト"]);
}

#[test]
fn emoji_sequences_are_one_punctuation_run() {
    assert_eq!(pieces("hi 👩‍💻👋🏽"), ["hi", " 👩‍💻👋🏽"]);
    assert_eq!(pieces("🇫🇷🇯🇵"), ["🇫🇷🇯🇵"]);
}

#[test]
fn nel_is_whitespace_and_the_bom_is_not() {
    // regex's \s is Unicode White_Space: U+0085 yes, U+FEFF no (JavaScript's \s is the reverse)
    assert_eq!(pieces("x\u{85}\u{85}y"), ["x", "\u{85}", "\u{85}", "y"]);
    assert_eq!(pieces("\u{feff}\u{feff}x"), ["\u{feff}\u{feff}", "x"]);
}

#[test]
fn pieces_join_back_into_the_text() {
    let alphabet: Vec<char> = "ab Z09 \t\n\r'sltd!?.,é\u{301}日ि½Ⅻ👋🏽\u{200d}\u{85}\u{a0}\u{3000}\u{feff}".chars().collect();
    let mut rng = Rng::new(8);
    for _ in 0..2000 {
        let len = rng.below(24);
        let text: String = (0..len).map(|_| alphabet[rng.below(alphabet.len())]).collect();
        let split = pieces(&text);
        assert!(split.iter().all(|p| !p.is_empty()), "{text:?} -> {split:?}");
        assert_eq!(split.concat(), text);
    }
}
