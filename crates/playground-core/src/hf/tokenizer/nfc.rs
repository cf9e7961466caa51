//! Unicode canonical composition (NFC, UAX #15) built on the canonical tables of
//! `unicode-normalization` alone. Its `nfc()` iterator picks canonical or compatibility
//! decomposition at run time, so the wasm carried the compatibility tables too, which NFC never
//! reads (about 57 KB raw, 26 KB gzipped: docs/PERFORMANCE.md, "wasm ≤ 300 KB"). The steps are
//! the standard's, as that crate does them: decompose canonically, put each run of combining
//! marks in canonical order, recompose each mark with the last starter it is not blocked from.

use unicode_normalization::char::{canonical_combining_class, compose, decompose_canonical};

/// `text` in Normalization Form C; the same text as `unicode_normalization`'s `nfc()`.
pub(super) fn nfc(text: &str) -> String {
    let mut chars = Vec::with_capacity(text.len());
    for c in text.chars() {
        decompose_canonical(c, |d| chars.push(d));
    }
    canonical_order(&mut chars);
    recompose(&chars)
}

/// Sorts each run of non-starters (combining class > 0) by class, keeping the order of equal
/// classes. Runs are a few marks long, so an insertion sort (no other sort instantiated).
fn canonical_order(chars: &mut [char]) {
    for i in 1..chars.len() {
        let class = canonical_combining_class(chars[i]);
        if class == 0 {
            continue;
        }
        let mut j = i;
        while j > 0 && canonical_combining_class(chars[j - 1]) > class {
            chars.swap(j - 1, j);
            j -= 1;
        }
    }
}

/// Canonical composition of a decomposed, canonically ordered text: a character joins the last
/// starter unless a character between them is a starter or has a class at least its own.
fn recompose(chars: &[char]) -> String {
    let mut out: Vec<char> = Vec::with_capacity(chars.len());
    // where the last starter is in `out`, and the class of the last character kept after it
    let mut starter: Option<usize> = None;
    let mut last_class: Option<u8> = None;
    for &c in chars {
        let class = canonical_combining_class(c);
        if let Some(s) = starter {
            let blocked = last_class.is_some_and(|last| last == 0 || last >= class);
            if !blocked {
                if let Some(composed) = compose(out[s], c) {
                    out[s] = composed;
                    continue;
                }
            }
        }
        if class == 0 {
            starter = Some(out.len());
            last_class = None;
        } else {
            last_class = Some(class);
        }
        out.push(c);
    }
    out.into_iter().collect()
}

#[cfg(test)]
mod tests {
    use super::nfc;
    use crate::rng::Rng;
    use unicode_normalization::UnicodeNormalization;

    fn reference(text: &str) -> String {
        text.nfc().collect()
    }

    #[test]
    fn every_character_alone_and_after_a_starter_matches_unicode_normalization() {
        let mut differ = 0;
        for c in (0..=0x10FFFFu32).filter_map(char::from_u32) {
            for text in [c.to_string(), format!("a{c}"), format!("{c}\u{301}"), format!("\u{1100}{c}")] {
                differ += usize::from(nfc(&text) != reference(&text));
            }
        }
        assert_eq!(differ, 0);
    }

    #[test]
    fn random_runs_of_marks_starters_and_hangul_match_unicode_normalization() {
        // characters that decompose, compose, reorder or block: Latin with accents, combining
        // marks of several classes, Hangul jamo and syllables, a few scripts' vowel signs
        let pool: Vec<char> = "aeiouAEOUnsczACSZ\u{C5}\u{E9}\u{1E63}\u{212B}\u{2126}\u{300}\u{301}\u{302}\u{303}\u{308}\u{30A}\u{323}\u{327}\u{328}\u{345}\u{31B}\u{35C}\u{1100}\u{1161}\u{11A8}\u{AC00}\u{AC01}\u{0915}\u{093C}\u{0958}\u{0B47}\u{0B3E}\u{0BC6}\u{0BBE}\u{0CBF}\u{0CD5}\u{05D0}\u{05B7}\u{FB2E}\u{1D15E}\u{1D165}"
            .chars()
            .collect();
        let mut rng = Rng::new(7);
        for _ in 0..20_000 {
            let len = 1 + rng.below(8);
            let text: String = (0..len).map(|_| pool[rng.below(pool.len())]).collect();
            assert_eq!(nfc(&text), reference(&text), "{:?}", text.chars().map(|c| c as u32).collect::<Vec<_>>());
        }
    }
}
