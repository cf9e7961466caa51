//! The split patterns of `Split` pre-tokenizers, recognized by their exact text and written
//! out by hand (the `regex` crate has no lookahead, and a regex engine would grow the wasm):
//!
//! | pattern | used by | pieces |
//! |---|---|---|
//! | [`GPT2`] | GPT-2 (also ByteLevel's own split) | `bpe::gpt2_pieces` |
//! | [`QWEN2`] | Qwen2, Qwen2.5 | [`cl100k_pieces`] with numbers one digit at a time |
//! | [`CL100K`] | Llama 3, cl100k-style tokenizers | [`cl100k_pieces`] with numbers of up to 3 digits |
//!
//! `tokenizers` runs these through Oniguruma; its `\p{L}`, `\p{N}` and `\s` are the same sets
//! as `bpe::unicode`'s tables on every code point (tests/python/test_hf_tokenizers.py checks).
//!
//! [`cl100k_pieces`] follows the alternatives of
//! `(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,n}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+`
//! in order at each position, as a backtracking engine does:
//!
//! 1. an apostrophe and `s t re ve m ll d` in any case (`ſ`, which folds to `s`, included);
//! 2. a letter run, with one character before it that is neither `\r`, `\n`, a letter nor a
//!    number (so " word", "(word", "\tword" are one piece);
//! 3. 1 to n numbers;
//! 4. an optional space, a run of "other" characters (neither space, letter nor number),
//!    then any `\r` and `\n` after it;
//! 5. whitespace up to and including the last `\r` or `\n` of the whitespace run;
//! 6. a whitespace run without `\r` or `\n`: whole at the end of the text, else without its
//!    last character (which then starts the next piece);
//! 7. a single whitespace character before a non-space.

use crate::bpe::unicode::{class_of, Class};

/// GPT-2's pattern (tiktoken's `r50k_base`, `tokenizers`' ByteLevel).
pub(super) const GPT2: &str = r"'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+";
/// Qwen2's pattern.
pub(super) const QWEN2: &str =
    r"(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+";
/// tiktoken's `cl100k_base` pattern, which Llama 3 uses.
pub(super) const CL100K: &str =
    r"(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+";

/// The split a pattern's text stands for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum SplitPattern {
    Gpt2,
    /// cl100k's shape; numbers are runs of at most this many.
    Cl100k {
        max_digits: usize,
    },
}

impl SplitPattern {
    /// The split written out for `pattern`, if it is one of the known ones.
    pub fn recognize(pattern: &str) -> Option<SplitPattern> {
        match pattern {
            GPT2 => Some(SplitPattern::Gpt2),
            QWEN2 => Some(SplitPattern::Cl100k { max_digits: 1 }),
            CL100K => Some(SplitPattern::Cl100k { max_digits: 3 }),
            _ => None,
        }
    }

    /// Byte lengths of the pieces of `text`, in order; they cover it with no gaps.
    pub fn piece_lengths(self, text: &str) -> Vec<usize> {
        match self {
            SplitPattern::Gpt2 => crate::bpe::gpt2_pieces(text).map(str::len).collect(),
            SplitPattern::Cl100k { max_digits } => {
                let mut lengths = Vec::new();
                let mut rest = text;
                while !rest.is_empty() {
                    let len = cl100k_piece_len(rest, max_digits);
                    lengths.push(len);
                    rest = &rest[len..];
                }
                lengths
            }
        }
    }
}

/// The contraction suffixes of alternative 1, in the pattern's order.
const CONTRACTIONS: [&str; 7] = ["s", "t", "re", "ve", "m", "ll", "d"];

fn is_newline(c: char) -> bool {
    c == '\r' || c == '\n'
}

/// Length in bytes of the piece that starts the non-empty `s`.
fn cl100k_piece_len(s: &str, max_digits: usize) -> usize {
    let mut chars = s.chars();
    let first = chars.next().expect("the caller passes a non-empty text");
    let second = chars.next();
    let class = class_of(first);

    // 1. contractions, case-insensitive
    if first == '\'' {
        if let Some(len) = contraction_len(&s[1..]) {
            return 1 + len;
        }
    }
    // 2. an optional non-letter, non-number, non-newline character, then letters
    if class == Class::Letter {
        return run_len(s, Class::Letter);
    }
    if class != Class::Number && !is_newline(first) && second.is_some_and(|c| class_of(c) == Class::Letter) {
        let after = &s[first.len_utf8()..];
        return first.len_utf8() + run_len(after, Class::Letter);
    }
    // 3. 1 to max_digits numbers
    if class == Class::Number {
        return s.char_indices().take_while(|&(_, c)| class_of(c) == Class::Number).take(max_digits).map(|(_, c)| c.len_utf8()).sum();
    }
    // 4. an optional space, other characters, then newlines
    let body = if first == ' ' && second.is_some_and(|c| class_of(c) == Class::Other) { &s[1..] } else { s };
    if body.chars().next().is_some_and(|c| class_of(c) == Class::Other) {
        let others = run_len(body, Class::Other);
        let newlines = body[others..].chars().take_while(|&c| is_newline(c)).count(); // \r and \n are one byte each
        return s.len() - body.len() + others + newlines;
    }
    // 5.-7. whitespace: `first` is a space character here
    let run = run_len(s, Class::Space);
    if let Some(last_newline) = s[..run].rfind(is_newline) {
        return last_newline + 1;
    }
    if run == s.len() {
        return run;
    }
    let last = s[..run].chars().next_back().expect("the run holds `first`");
    if run > first.len_utf8() {
        run - last.len_utf8()
    } else {
        run
    }
}

/// Length of the contraction suffix (after the apostrophe) that starts `s`, if any.
fn contraction_len(s: &str) -> Option<usize> {
    CONTRACTIONS.iter().find_map(|suffix| {
        let mut len = 0;
        let mut chars = s.chars();
        for want in suffix.chars() {
            let c = chars.next()?;
            if !folds_to(c, want) {
                return None;
            }
            len += c.len_utf8();
        }
        Some(len)
    })
}

/// Whether `c` matches the lowercase ASCII letter `want` case-insensitively (simple case
/// folding: `S` and `ſ` U+017F fold to `s`; no other character folds to these letters).
fn folds_to(c: char, want: char) -> bool {
    c.to_ascii_lowercase() == want || (want == 's' && c == 'ſ')
}

/// Bytes of the longest prefix of `s` whose characters are all of `class`.
fn run_len(s: &str, class: Class) -> usize {
    s.char_indices().find(|&(_, c)| class_of(c) != class).map_or(s.len(), |(i, _)| i)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pieces(pattern: SplitPattern, text: &str) -> Vec<&str> {
        let mut rest = text;
        pattern
            .piece_lengths(text)
            .into_iter()
            .map(|len| {
                let (piece, after) = rest.split_at(len);
                rest = after;
                piece
            })
            .collect()
    }

    #[test]
    fn qwen2_split_by_hand() {
        let qwen = SplitPattern::recognize(QWEN2).unwrap();
        assert_eq!(pieces(qwen, "I'M here  now 123!!\n\n  x"), ["I", "'M", " here", " ", " now", " ", "1", "2", "3", "!!\n\n", " ", " x"]);
        assert_eq!(pieces(qwen, "(word \tword\n word"), ["(word", " ", "\tword", "\n", " word"]);
        assert_eq!(pieces(qwen, "it'ſam 'x"), ["it", "'ſ", "am", " '", "x"]); // ſ folds to s
        let llama3 = SplitPattern::recognize(CL100K).unwrap();
        assert_eq!(pieces(llama3, "1234567 x  \n"), ["123", "456", "7", " x", "  \n"]);
        assert_eq!(SplitPattern::recognize(r"\s+"), None);
    }
}
