//! Tokenizers from tokenizer.json (playground_core::hf::HfTokenizer) against the `tokenizers`
//! package: tests/python/hf_fixtures.py trains a small tokenizer of every kind on generated
//! text and records the ids `tokenizers` gives ~1,550 varied texts (many scripts, emoji,
//! whitespace runs, digits, combining marks, odd code points, special tokens in the text),
//! with and without the special tokens around them, and the decoded texts. Every id and
//! every decoded text must be equal. Also: refusals name the field and value, and token
//! chips get the bytes each token holds.

use playground_core::hf::tokenizer::legible;
use playground_core::hf::HfTokenizer;
use playground_core::CoreError;
use playground_tests::hf_fixtures;
use serde_json::Value;
use std::path::Path;

const KINDS: [&str; 7] = ["gpt2", "smollm", "qwen2", "llama", "llama_metaspace", "llama3", "llama_eos"];

fn load(dir: &Path, kind: &str) -> HfTokenizer {
    let read = |file: &str| std::fs::read_to_string(dir.join(kind).join(file)).unwrap_or_else(|e| panic!("{kind}/{file}: {e}"));
    HfTokenizer::from_json(&read("tokenizer.json"), Some(&read("tokenizer_config.json"))).unwrap_or_else(|e| panic!("{kind}: {e}"))
}

fn ids(value: &Value) -> Vec<u32> {
    value.as_array().expect("an array of ids").iter().map(|id| id.as_u64().expect("an id") as u32).collect()
}

#[test]
fn ids_and_decoded_texts_equal_the_tokenizers_package() {
    let Some(dir) = hf_fixtures() else { return };
    let cases: Value = serde_json::from_str(&std::fs::read_to_string(dir.join("tokenizer_cases.json")).unwrap()).unwrap();
    let mut failures = Vec::new();
    for kind in KINDS {
        let tok = load(&dir, kind);
        let list = cases[kind].as_array().unwrap_or_else(|| panic!("no cases for {kind}"));
        assert!(list.len() > 1000, "{kind}: {} cases", list.len());
        let (mut texts, mut equal_ids, mut all_ids, mut equal_decoded) = (0, 0, 0, 0);
        for case in list {
            let text = case["text"].as_str().unwrap();
            let (want, want_special) = (ids(&case["ids"]), ids(&case["ids_with_special"]));
            let (got, got_special) = (tok.encode(text, false), tok.encode(text, true));
            texts += 1;
            all_ids += want.len();
            if got == want && got_special == want_special {
                equal_ids += want.len();
            } else if failures.len() < 8 {
                failures.push(format!("{kind}: ids of {text:?}\n   got {got:?} / {got_special:?}\n  want {want:?} / {want_special:?}"));
            }
            let decoded = (tok.decode(&want_special, false).unwrap(), tok.decode(&want_special, true).unwrap());
            if decoded.0 == case["decoded"].as_str().unwrap() && decoded.1 == case["decoded_skip_special"].as_str().unwrap() {
                equal_decoded += 1;
            } else if failures.len() < 8 {
                failures.push(format!(
                    "{kind}: decoding {want_special:?}\n   got {decoded:?}\n  want {:?}",
                    (&case["decoded"], &case["decoded_skip_special"])
                ));
            }
        }
        println!(
            "{kind}: ids equal to tokenizers' on {equal_ids}/{all_ids} ids of {texts} texts; decoded texts equal {equal_decoded}/{texts}"
        );
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn token_bytes_spell_the_text_and_group_into_characters() {
    let Some(dir) = hf_fixtures() else { return };
    let text = "Hello 中文字 😀👨‍👩‍👧‍👦 𓀀ꙮ x"; // the last two are not in the training text: bytes
    for kind in ["gpt2", "qwen2", "llama"] {
        let tok = load(&dir, kind);
        let ids = tok.encode(text, false);
        let bytes: Vec<u8> = ids.iter().flat_map(|&id| tok.token_bytes(id).unwrap()).collect();
        let spelled = String::from_utf8(bytes).unwrap();
        // Llama's normalizer puts a space ("▁") before the text
        assert_eq!(spelled.strip_prefix(' ').filter(|_| kind == "llama").unwrap_or(&spelled), text, "{kind}");
        let groups = tok.token_groups(&ids).unwrap();
        assert!(groups.iter().all(|g| g.complete), "{kind}: {groups:?}");
        assert_eq!(groups.iter().map(|g| g.len).sum::<usize>(), ids.len());
        assert_eq!(groups.iter().map(|g| g.text.as_str()).collect::<String>(), spelled, "{kind}");
        // 𓀀 and ꙮ are held by several tokens each (their bytes, or byte fallback)
        let split = groups.iter().find(|g| g.len > 1).unwrap_or_else(|| panic!("{kind}: no character split over tokens: {groups:?}"));
        assert!(!split.text.is_ascii(), "{kind}: {split:?}");
    }
    let llama = load(&dir, "llama");
    assert_eq!(llama.token_bytes(llama.token_id("<0xE4>").unwrap()).unwrap(), [0xE4]);
    assert_eq!(llama.token_bytes(llama.token_id("<s>").unwrap()).unwrap(), b"<s>");
    assert!(llama.is_special(1) && llama.special_ids() == (&[1][..], &[][..]));
    let gpt2 = load(&dir, "gpt2");
    let space_word =
        (0..gpt2.vocab_size() as u32).find(|&id| gpt2.token(id).unwrap().starts_with("Ġ") && gpt2.token(id).unwrap().len() > 3);
    let space_word = space_word.expect("a token for a space and a word");
    let spelled = gpt2.token(space_word).unwrap().replace('Ġ', " ");
    assert_eq!(gpt2.token_bytes(space_word).unwrap(), spelled.as_bytes());
    assert_eq!(legible(spelled.as_bytes()), spelled.replace(' ', "␣"));
    assert_eq!(gpt2.encode(&spelled, false), [space_word]);
}

/// A minimal byte-level tokenizer.json, with `edit` applied to its JSON.
fn minimal(edit: impl FnOnce(&mut Value)) -> String {
    let mut json: Value = serde_json::from_str(
        r#"{"added_tokens": [{"id": 3, "content": "<|endoftext|>", "special": true, "normalized": false}],
            "normalizer": null,
            "pre_tokenizer": {"type": "ByteLevel", "add_prefix_space": false, "trim_offsets": true, "use_regex": true},
            "post_processor": null, "decoder": {"type": "ByteLevel"},
            "model": {"type": "BPE", "vocab": {"a": 0, "b": 1, "ab": 2}, "merges": [["a", "b"]]}}"#,
    )
    .unwrap();
    edit(&mut json);
    json.to_string()
}

fn refusal(edit: impl FnOnce(&mut Value)) -> CoreError {
    HfTokenizer::from_json(&minimal(edit), None).unwrap_err()
}

#[test]
fn what_it_cannot_read_is_refused_by_field_and_value() {
    let tok = HfTokenizer::from_json(&minimal(|_| {}), None).unwrap();
    assert_eq!(tok.encode("abba<|endoftext|>", false), [2, 1, 0, 3]);

    let err = refusal(|j| j["model"]["type"] = "Unigram".into());
    assert!(matches!(&err, CoreError::HfUnsupported { field, value, .. } if field == "model.type" && value == "\"Unigram\""), "{err}");
    let err = refusal(|j| {
        j["pre_tokenizer"] = serde_json::json!({"type": "Sequence", "pretokenizers": [{"type": "Digits"}, {"type": "Whitespace"}]})
    });
    assert_eq!(
        err.to_string().split(" is not supported").next().unwrap(),
        "tokenizer.json: pre_tokenizer.pretokenizers[1].type = \"Whitespace\""
    );
    let err = refusal(|j| {
        j["pre_tokenizer"] = serde_json::json!({"type": "Split", "pattern": {"Regex": "\\w+"}, "behavior": "Isolated", "invert": false})
    });
    assert!(err.to_string().contains("pre_tokenizer.pattern.Regex = \"\\\\w+\" is not supported"), "{err}");
    let err = refusal(|j| j["normalizer"] = serde_json::json!({"type": "NFKC"}));
    assert!(err.to_string().contains("normalizer.type = \"NFKC\" is not supported"), "{err}");
    let err = refusal(|j| j["decoder"] = serde_json::json!({"type": "WordPiece", "prefix": "##"}));
    assert!(err.to_string().contains("decoder.type = \"WordPiece\""), "{err}");
    let err = refusal(|j| j["post_processor"] = serde_json::json!({"type": "BertProcessing", "sep": ["[SEP]", 1], "cls": ["[CLS]", 0]}));
    assert!(err.to_string().contains("post_processor.type = \"BertProcessing\""), "{err}");
    let err = refusal(|j| j["model"]["merges"] = serde_json::json!(["a b", "b c"]));
    assert_eq!(err.to_string(), "tokenizer.json: model.merges[1]: the token \"c\" is not in the vocabulary");
    let err = refusal(|j| j["model"]["merges"] = serde_json::json!(["a  b"]));
    assert!(err.to_string().contains("model.merges[0]: \"a  b\" is not two tokens"), "{err}");
    let err = refusal(|j| j["model"]["vocab"]["c"] = 1.into());
    assert!(err.to_string().contains("the id 1 is given to both"), "{err}");
    let err = refusal(|j| j["added_tokens"][0]["id"] = 1.into());
    assert!(err.to_string().contains("added_tokens[0]: \"<|endoftext|>\" has the id 1 of the vocabulary's \"b\""), "{err}");
    let err = refusal(|j| j["model"]["byte_fallback"] = true.into());
    assert!(err.to_string().contains("model.byte_fallback: true, but the vocabulary has no <0x00>"), "{err}");
    let err = HfTokenizer::from_json("{\"model\": ", None).unwrap_err();
    assert!(matches!(err, CoreError::HfJson { .. }), "{err}");
    let config = r#"{"add_bos_token": true, "bos_token": "<s>"}"#;
    let err = HfTokenizer::from_json(&minimal(|_| {}), Some(config)).unwrap_err();
    assert_eq!(err.to_string(), "tokenizer_config.json: add_bos_token: true, but bos_token \"<s>\" is not a token");
}
