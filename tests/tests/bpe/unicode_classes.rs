//! The pre-tokenizer's character classes against regex-syntax, the parser and Unicode
//! tables of the `regex` crate that tiktoken's fancy-regex is built on.
//!
//! To regenerate crates/playground-core/src/bpe/unicode_tables.rs after a regex-syntax update:
//! `PLAYGROUND_WRITE_UNICODE_TABLES=1 cargo test -p playground-tests --test all unicode_classes`

use playground_core::bpe::unicode::{class_of, Class};
use regex_syntax::hir::{Class as HirClass, HirKind};
use std::fmt::Write;
use std::path::Path;

/// The inclusive code point ranges regex-syntax gives `pattern` (a single Unicode class).
fn ranges(pattern: &str) -> Vec<(u32, u32)> {
    let hir = regex_syntax::parse(pattern).expect("a valid class");
    match hir.kind() {
        HirKind::Class(HirClass::Unicode(class)) => class.ranges().iter().map(|r| (r.start() as u32, r.end() as u32)).collect(),
        other => panic!("{pattern} parsed to {other:?}, not a Unicode class"),
    }
}

/// `ranges` are sorted and disjoint, as regex-syntax keeps them.
fn contains(ranges: &[(u32, u32)], c: char) -> bool {
    let after = ranges.partition_point(|&(lo, _)| lo <= c as u32); // ranges starting at or before c
    after > 0 && c as u32 <= ranges[after - 1].1
}

#[test]
fn classes_equal_regex_syntax_on_every_code_point() {
    let (letter, number, space) = (ranges(r"\p{L}"), ranges(r"\p{N}"), ranges(r"\s"));
    if std::env::var_os("PLAYGROUND_WRITE_UNICODE_TABLES").is_some() {
        write_tables(&letter, &number, &space);
        return;
    }
    let mut wrong = Vec::new();
    for c in (0..=char::MAX as u32).filter_map(char::from_u32) {
        let want = if contains(&letter, c) {
            Class::Letter
        } else if contains(&number, c) {
            Class::Number
        } else if contains(&space, c) {
            Class::Space
        } else {
            Class::Other
        };
        if class_of(c) != want {
            wrong.push((c, class_of(c), want));
        }
        if wrong.len() > 10 {
            break;
        }
    }
    assert!(
        wrong.is_empty(),
        "class_of differs from regex-syntax at {wrong:?}\nHINT: PLAYGROUND_WRITE_UNICODE_TABLES=1 cargo test -p playground-tests --test all unicode_classes"
    );
}

/// Why the tables exist: std's Alphabetic is wider than \p{L}.
#[test]
fn std_is_alphabetic_is_wider_than_letter() {
    let vowel_sign_i = '\u{093F}'; // Devanagari ि, a spacing mark (Mc) with Other_Alphabetic
    let roman_twelve = '\u{216B}'; // Ⅻ, a letter number (Nl)
    assert!(vowel_sign_i.is_alphabetic() && class_of(vowel_sign_i) == Class::Other);
    assert!(roman_twelve.is_alphabetic() && class_of(roman_twelve) == Class::Number);
    assert_eq!(class_of('\u{0085}'), Class::Space, "NEL is White_Space (JavaScript's \\s leaves it out)");
    assert_eq!(class_of('\u{FEFF}'), Class::Other, "the BOM is not White_Space (JavaScript's \\s includes it)");
}

fn write_tables(letter: &[(u32, u32)], number: &[(u32, u32)], space: &[(u32, u32)]) {
    let lock = std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("../Cargo.lock")).expect("Cargo.lock");
    let version = lock.split("name = \"regex-syntax\"\nversion = \"").nth(1).and_then(|rest| rest.split('"').next()).unwrap_or("?");
    let mut out = String::new();
    writeln!(out, "//! GENERATED from regex-syntax {version}; do not edit. The classes of GPT-2's split pattern as").unwrap();
    writeln!(out, "//! inclusive code point ranges. Regenerate with").unwrap();
    writeln!(out, "//! `PLAYGROUND_WRITE_UNICODE_TABLES=1 cargo test -p playground-tests --test all unicode_classes`.").unwrap();
    for (name, doc, table) in [("LETTER", r"`\p{L}`", letter), ("NUMBER", r"`\p{N}`", number), ("SPACE", r"`\s`", space)] {
        writeln!(out, "\n/// {doc}, {} ranges.\n#[rustfmt::skip]\npub(super) const {name}: &[(u32, u32)] = &[", table.len()).unwrap();
        for row in table.chunks(6) {
            let cells: Vec<String> = row.iter().map(|(lo, hi)| format!("(0x{lo:04X}, 0x{hi:04X})")).collect();
            writeln!(out, "    {},", cells.join(", ")).unwrap();
        }
        writeln!(out, "];").unwrap();
    }
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../crates/playground-core/src/bpe/unicode_tables.rs");
    std::fs::write(&path, out).expect("write unicode_tables.rs");
    println!("wrote {}", path.display());
}
