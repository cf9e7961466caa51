//! The character classes of GPT-2's split pattern, exactly as tiktoken's regex engine
//! (fancy-regex on the `regex` crate) defines them: `\p{L}` (General_Category Letter),
//! `\p{N}` (General_Category Number) and `\s` (the White_Space property).
//!
//! Why tables instead of `char` methods: `char::is_alphabetic` is the Alphabetic property,
//! which is wider than `\p{L}`. It adds letter numbers (Nl, e.g. `Ⅻ` U+216B) and the
//! Other_Alphabetic marks (e.g. the Devanagari vowel sign `ि` U+093F), so "हिन्दी" would split
//! differently from tiktoken. `char::is_numeric` and `char::is_whitespace` do match `\p{N}`
//! and `\s`, but on whatever Unicode version the compiler ships. The tables in
//! `unicode_tables.rs` are generated from regex-syntax (the `regex` crate's parser and
//! Unicode data; 0.8.12 carries Unicode 16.0.0), so all three classes follow the version tiktoken's engine uses, whichever
//! toolchain builds the wasm, at a cost of a few KB. The test `bpe::unicode_classes` checks
//! every code point against regex-syntax and rewrites the file on request.

use super::unicode_tables::{LETTER, NUMBER, SPACE};
use std::cmp::Ordering;

/// Which part of GPT-2's pattern a character can start: the classes partition all of Unicode.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Class {
    /// `\p{L}`
    Letter,
    /// `\p{N}`
    Number,
    /// `\s`
    Space,
    /// `[^\s\p{L}\p{N}]`: punctuation, symbols, emoji, marks, controls, …
    Other,
}

/// The class of `c`. ASCII is answered without a table look-up.
pub fn class_of(c: char) -> Class {
    if c.is_ascii() {
        return match c {
            'a'..='z' | 'A'..='Z' => Class::Letter,
            '0'..='9' => Class::Number,
            '\t'..='\r' | ' ' => Class::Space,
            _ => Class::Other,
        };
    }
    if in_ranges(LETTER, c) {
        Class::Letter
    } else if in_ranges(NUMBER, c) {
        Class::Number
    } else if in_ranges(SPACE, c) {
        Class::Space
    } else {
        Class::Other
    }
}

/// `ranges` are sorted, disjoint and inclusive.
fn in_ranges(ranges: &[(u32, u32)], c: char) -> bool {
    let c = c as u32;
    ranges
        .binary_search_by(|&(lo, hi)| {
            if hi < c {
                Ordering::Less
            } else if lo > c {
                Ordering::Greater
            } else {
                Ordering::Equal
            }
        })
        .is_ok()
}
