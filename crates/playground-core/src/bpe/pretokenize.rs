//! GPT-2's pre-tokenization, written out by hand: the split that tiktoken's pattern
//!
//! ```text
//! 's|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+
//! ```
//!
//! produces, without a regex engine (the `regex` crate has no lookahead). BPE merges never
//! cross the boundaries of these pieces. The alternatives are tried in order at each
//! position, as a backtracking engine does:
//!
//! 1. an apostrophe followed by `s t re ve m ll d` (lowercase only): `'s` even in `'sam`;
//! 2. to 4. an optional single space U+0020, then a maximal run of letters, of numbers, or of
//!    "other" characters (anything neither space, letter nor number, apostrophes included);
//! 5. `\s+(?!\S)`: a whitespace run that reaches the end of the text is taken whole; one
//!    followed by a non-space character gives back its last character, which then starts
//!    the next piece (as " word" when it is a space, or alone otherwise);
//! 6. `\s+`: only reached by a lone whitespace character before a non-space one.
//!
//! The pieces cover the text with no gaps, so joining them gives the text back.

use super::unicode::{class_of, Class};

/// The suffixes of rule 1, in the pattern's order (no two share a first letter).
const CONTRACTIONS: [&str; 7] = ["s", "t", "re", "ve", "m", "ll", "d"];

/// The pieces of `text`, in order, as slices of it.
pub fn gpt2_pieces(text: &str) -> Gpt2Pieces<'_> {
    Gpt2Pieces { rest: text }
}

/// Iterator returned by [`gpt2_pieces`].
#[derive(Clone, Debug)]
pub struct Gpt2Pieces<'a> {
    rest: &'a str,
}

impl<'a> Iterator for Gpt2Pieces<'a> {
    type Item = &'a str;

    fn next(&mut self) -> Option<&'a str> {
        let len = piece_len(self.rest)?;
        let (piece, rest) = self.rest.split_at(len);
        self.rest = rest;
        Some(piece)
    }
}

/// Length in bytes of the piece that starts `s`; `None` only for an empty `s`.
fn piece_len(s: &str) -> Option<usize> {
    let first = s.chars().next()?;

    // 1. contractions
    if let Some(after) = s.strip_prefix('\'') {
        if let Some(suffix) = CONTRACTIONS.iter().find(|suffix| after.starts_with(**suffix)) {
            return Some(1 + suffix.len());
        }
    }

    // 2.-4. ` ?` then a run of one class; the space is taken only if a run follows it
    let body = s.strip_prefix(' ').filter(|after| after.chars().next().is_some_and(|c| class_of(c) != Class::Space)).unwrap_or(s);
    let class = class_of(body.chars().next()?);
    if class != Class::Space {
        return Some(s.len() - body.len() + run_len(body, class));
    }

    // 5. and 6. whitespace: `first` is a space character here
    let run = run_len(s, Class::Space);
    if run == s.len() {
        return Some(run); // the run ends the text: nothing follows, so (?!\S) holds
    }
    let last = s[..run].chars().next_back().expect("a whitespace run holds at least `first`");
    if run > first.len_utf8() {
        Some(run - last.len_utf8()) // rule 5 backtracks one character
    } else {
        Some(run) // rule 6: a single whitespace character before a non-space one
    }
}

/// Bytes of the longest prefix of `s` whose characters are all of `class`.
fn run_len(s: &str, class: Class) -> usize {
    s.char_indices().find(|&(_, c)| class_of(c) != class).map_or(s.len(), |(i, _)| i)
}
