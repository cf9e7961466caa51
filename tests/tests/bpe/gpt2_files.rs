//! `Bpe::from_gpt2_files` on small hand-made files in GPT-2's format: a good pair loads and
//! encodes, and each kind of broken file gives its typed error, never a panic.

use playground_core::bpe::byte_map::{byte_to_char, char_to_byte};
use playground_core::{Bpe, CoreError, Rng};

/// encoder.json from (token, id) entries, kept in order and duplicates included.
fn encoder_json(entries: &[(String, i64)]) -> String {
    let body: Vec<String> = entries.iter().map(|(token, id)| format!("{}: {id}", serde_json::to_string(token).unwrap())).collect();
    format!("{{{}}}", body.join(", "))
}

/// The 256 byte tokens with id = byte, then " t", "he", " the" and `<|endoftext|>`.
fn entries() -> Vec<(String, i64)> {
    let mut entries: Vec<(String, i64)> = (0..=255u8).map(|b| (byte_to_char(b).to_string(), b as i64)).collect();
    for (i, token) in ["Ġt", "he", "Ġthe", "<|endoftext|>"].iter().enumerate() {
        entries.push((token.to_string(), 256 + i as i64));
    }
    entries
}

const MERGES: &str = "#version: 0.2\nĠ t\nh e\nĠt he\n";

#[test]
fn byte_alphabet_is_gpt2s() {
    assert_eq!(byte_to_char(b' '), 'Ġ');
    assert_eq!(byte_to_char(b'\n'), 'Ċ');
    assert_eq!(byte_to_char(b'A'), 'A');
    assert_eq!(byte_to_char(0xAD), 'Ń'); // the soft hyphen is the last shifted byte, U+0143
    let mut seen: Vec<char> = (0..=255u8).map(byte_to_char).collect();
    assert!((0..=255u8).all(|b| char_to_byte(byte_to_char(b)) == Some(b)));
    seen.sort_unstable();
    seen.dedup();
    assert_eq!(seen.len(), 256);
    assert_eq!(char_to_byte('\u{144}'), None);
    assert_eq!(char_to_byte(' '), None); // GPT-2's files never hold a real space
}

#[test]
fn good_files_load_encode_and_decode() {
    let bpe = Bpe::from_gpt2_files(&encoder_json(&entries()), MERGES).unwrap();
    assert_eq!(bpe.vocab_size(), 260);
    assert_eq!(bpe.encode(" the"), [258]);
    assert_eq!(bpe.encode("the then"), [116, 257, 258, 110]);
    assert_eq!(bpe.decode(&[259]).unwrap(), "<|endoftext|>"); // specials decode, but are not made by encode
    assert_eq!(bpe.token_bytes(256).unwrap(), b" t");
    // CRLF line ends and a missing final newline are accepted too
    assert_eq!(Bpe::from_gpt2_files(&encoder_json(&entries()), &MERGES.trim_end().replace('\n', "\r\n")).unwrap(), bpe);
}

#[test]
fn malformed_json_is_a_json_error() {
    let not_json = ["", "{", "[1, 2]", "{\"a\": -1}", "{\"a\": 1.5}", "{\"a\": \"1\"}", "{\"a\": 1} trailing", "null"];
    for text in not_json {
        let err = Bpe::from_gpt2_files(text, MERGES).unwrap_err();
        assert!(matches!(err, CoreError::Gpt2Json { .. }), "{text:?}: {err}");
    }
    let deep = "[".repeat(100_000); // recursion is bounded: an error, not a stack overflow
    assert!(matches!(Bpe::from_gpt2_files(&deep, MERGES), Err(CoreError::Gpt2Json { .. })));
}

#[test]
fn repeated_tokens_and_ids_are_errors() {
    let mut twice = entries();
    twice.push(("he".into(), 260));
    let err = Bpe::from_gpt2_files(&encoder_json(&twice), MERGES).unwrap_err();
    assert_eq!(err, CoreError::Gpt2DuplicateToken { token: "he".into() });

    let mut same_id = entries();
    same_id[257].1 = 256;
    let err = Bpe::from_gpt2_files(&encoder_json(&same_id), MERGES).unwrap_err();
    assert_eq!(err, CoreError::Gpt2DuplicateId { id: 256, first: "Ġt".into(), second: "he".into() });
}

#[test]
fn ids_at_or_past_the_vocabulary_size_are_errors() {
    let mut far = entries();
    far[258].1 = 4_000_000_000; // would be a 16 GB table if ids sized allocations
    let err = Bpe::from_gpt2_files(&encoder_json(&far), MERGES).unwrap_err();
    assert_eq!(err, CoreError::Gpt2IdOutOfRange { token: "Ġthe".into(), id: 4_000_000_000, vocab: 260 });
    assert!(err.to_string().contains("below 260"), "{err}");
}

#[test]
fn tokens_outside_the_byte_alphabet_are_errors() {
    let mut spaced = entries();
    spaced[256].0 = " t".into(); // a real space where GPT-2 writes Ġ
    let err = Bpe::from_gpt2_files(&encoder_json(&spaced), MERGES).unwrap_err();
    assert_eq!(err, CoreError::Gpt2UnknownSymbol { token: " t".into(), ch: ' ', code: 0x20 });
}

#[test]
fn a_missing_byte_token_is_an_error() {
    let mut no_nul: Vec<(String, i64)> = entries().into_iter().skip(1).collect();
    for entry in &mut no_nul {
        entry.1 -= 1;
    }
    let err = Bpe::from_gpt2_files(&encoder_json(&no_nul), MERGES).unwrap_err();
    assert_eq!(err, CoreError::Gpt2MissingByte { byte: 0, symbol: 'Ā' });
}

#[test]
fn malformed_or_repeated_merge_lines_are_errors() {
    let json = encoder_json(&entries());
    for (merges, line) in
        [("#version: 0.2\nĠ t x\n", 2), ("#version: 0.2\nĠt\n", 2), ("#version: 0.2\nĠ  t\n", 2), ("Ġ t\nh e\nĠ t\nĠt he\n", 3)]
    {
        let err = Bpe::from_gpt2_files(&json, merges).unwrap_err();
        assert!(matches!(err, CoreError::Gpt2MergeLine { line: l, .. } if l == line), "{merges:?}: {err}");
    }
}

#[test]
fn merges_of_unknown_tokens_are_errors() {
    let json = encoder_json(&entries());
    let err = Bpe::from_gpt2_files(&json, "#version: 0.2\nĠ t\nh e\nĠt he\nq z\n").unwrap_err();
    assert_eq!(err, CoreError::Gpt2MergeUnknownToken { line: 5, token: "qz".into() });
    let err = Bpe::from_gpt2_files(&json, "#version: 0.2\nĠ t\nh e\nĠt he\nĠthe Ġ\n").unwrap_err();
    assert_eq!(err, CoreError::Gpt2MergeUnknownToken { line: 5, token: "ĠtheĠ".into() });
}

#[test]
fn a_cut_short_merge_file_is_an_error() {
    let err = Bpe::from_gpt2_files(&encoder_json(&entries()), "#version: 0.2\nĠ t\n").unwrap_err();
    assert_eq!(err, CoreError::Gpt2MissingMerges { count: 2, example: "he".into() });
}

#[test]
fn long_hostile_tokens_are_shortened_in_messages() {
    let mut long = entries();
    long[256].0 = "x".repeat(1_000_000) + " ";
    let err = Bpe::from_gpt2_files(&encoder_json(&long), MERGES).unwrap_err();
    assert!(err.to_string().len() < 300, "{} bytes of message", err.to_string().len());
}

#[test]
fn mangled_files_give_errors_not_panics() {
    let (json, merges) = (encoder_json(&entries()), MERGES.to_string());
    let mut rng = Rng::new(5);
    let (mut loaded, mut refused) = (0, 0);
    for _ in 0..400 {
        let (mut json, mut merges): (Vec<char>, Vec<char>) = (json.chars().collect(), merges.chars().collect());
        for _ in 0..1 + rng.below(3) {
            let file = if rng.below(2) == 0 { &mut json } else { &mut merges };
            if file.is_empty() {
                continue;
            }
            let at = rng.below(file.len());
            match rng.below(3) {
                0 => file.truncate(at),
                1 => file[at] = ['"', '{', '1', 'Ġ', ' ', '\n', 'ÿ', '\u{0}'][rng.below(8)],
                _ => {
                    file.remove(at);
                }
            }
        }
        let (json, merges): (String, String) = (json.into_iter().collect(), merges.into_iter().collect());
        match Bpe::from_gpt2_files(&json, &merges) {
            Ok(bpe) => {
                loaded += 1;
                assert_eq!(bpe.decode(&bpe.encode("the then")).unwrap(), "the then");
            }
            Err(_) => refused += 1,
        }
    }
    println!("mangled GPT-2 files: {loaded} loaded, {refused} refused");
    assert!(refused > 200, "most mangled files are refused: {refused}");
}
