//! Hostile files and values: each is refused with a typed error that says why, before any
//! allocation sized by the input. `PLAYGROUND_WRITE_FUZZ_CORPUS=1` also writes every case into
//! fuzz/corpus/ (committed), the seeds of the fuzzers.

use playground_core::checkpoint::{optimizer_to_bytes, Checkpoint};
use playground_core::train::OptimizerState;
use playground_core::{CharTokenizer, CoreError, CpuModel, ModelConfig};
use serde_json::{json, Value};
use std::path::Path;

/// A small valid checkpoint and its bytes.
fn valid() -> (Checkpoint, Vec<u8>) {
    let tokenizer = CharTokenizer::from_text("abc ").unwrap();
    let config = ModelConfig { vocab_size: 4, block_size: 4, n_layer: 1, n_head: 1, n_embd: 4, ..ModelConfig::default() };
    let ck = Checkpoint { config, tokenizer, params: CpuModel::new(config, 1).unwrap().params, metadata: Default::default() };
    let bytes = ck.to_bytes().unwrap();
    (ck, bytes)
}

/// (header JSON, data) of safetensors bytes.
fn split(bytes: &[u8]) -> (Value, Vec<u8>) {
    let n = u64::from_le_bytes(bytes[..8].try_into().unwrap()) as usize;
    (serde_json::from_slice(&bytes[8..8 + n]).unwrap(), bytes[8 + n..].to_vec())
}

/// Safetensors bytes from a header and data, without any validation.
fn join(header: &str, data: &[u8]) -> Vec<u8> {
    let mut out = (header.len() as u64).to_le_bytes().to_vec();
    out.extend_from_slice(header.as_bytes());
    out.extend_from_slice(data);
    out
}

/// The valid file with its header edited by `edit`.
fn edited(edit: impl FnOnce(&mut Value, &mut Vec<u8>)) -> Vec<u8> {
    let (mut header, mut data) = split(&valid().1);
    edit(&mut header, &mut data);
    join(&header.to_string(), &data)
}

fn set_meta(h: &mut Value, key: &str, value: &str) {
    h["__metadata__"][key] = json!(value);
}

/// Every hostile checkpoint, its name and a phrase its error must contain.
fn hostile_checkpoints() -> Vec<(&'static str, Vec<u8>, &'static str)> {
    let (_, good) = valid();
    let mut cases = vec![
        ("empty", vec![], "not a valid safetensors file"),
        ("truncated-header-length", good[..5].to_vec(), "not a valid safetensors file"),
        ("truncated-data", good[..good.len() - 3].to_vec(), "not a valid safetensors file"),
        ("header-length-u64-max", u64::MAX.to_le_bytes().to_vec(), "not a valid safetensors file"),
        ("header-length-beyond-file", [1_000_000_000u64.to_le_bytes().as_slice(), b"{}"].concat(), "not a valid safetensors file"),
        ("header-not-utf8", [1u64.to_le_bytes().as_slice(), &[0xff]].concat(), "not a valid safetensors file"),
        ("deep-json", join(&("[".repeat(100_000) + &"]".repeat(100_000)), &[]), "not a valid safetensors file"),
        ("no-metadata", join("{}", &[]), "no \"format\""),
    ];
    cases.push(("foreign-format", edited(|h, _| set_meta(h, "format", "pytorch")), "expected \"transformer-playground\""));
    cases.push(("future-version", edited(|h, _| set_meta(h, "format_version", "99")), "version 99 is not supported"));
    cases.push(("config-not-json", edited(|h, _| set_meta(h, "config", "{n_layer")), "config in the header is not valid"));
    cases.push((
        "config-unknown-field",
        edited(|h, _| set_meta(h, "config", r#"{"vocab_size":4,"block_size":4,"n_layer":1,"n_head":1,"n_embd":4,"evil":1}"#)),
        "unknown field",
    ));
    cases.push((
        "config-zero-layers",
        edited(|h, _| set_meta(h, "config", r#"{"vocab_size":4,"block_size":4,"n_layer":0,"n_head":1,"n_embd":4}"#)),
        "n_layer = 0",
    ));
    cases.push((
        "config-huge",
        edited(|h, _| set_meta(h, "config", r#"{"vocab_size":200000,"block_size":4096,"n_layer":64,"n_head":64,"n_embd":8192}"#)),
        "parameters",
    ));
    // within every limit, but ~1.2 GB of weights declared by a file of a few kilobytes
    cases.push((
        "config-large-tiny-file",
        edited(|h, _| set_meta(h, "config", r#"{"vocab_size":4,"block_size":4096,"n_layer":24,"n_head":16,"n_embd":1024}"#)),
        "needs",
    ));
    cases.push(("vocab-mismatch", edited(|h, _| set_meta(h, "vocab", r#"["a","b"]"#)), "vocabulary has 2 characters"));
    cases.push(("vocab-duplicate", edited(|h, _| set_meta(h, "vocab", r#"["a","a","b","c"]"#)), "appears twice"));
    cases.push(("vocab-not-chars", edited(|h, _| set_meta(h, "vocab", r#"["ab","c","d","e"]"#)), "not a list of characters"));
    cases.push(("wrong-dtype", edited(|h, _| h["transformer.wpe.weight"]["dtype"] = json!("I32")), "dtype"));
    cases.push(("wrong-shape", edited(|h, _| h["transformer.wpe.weight"]["shape"] = json!([2, 8])), "shape"));
    cases.push((
        "offsets-out-of-range",
        edited(|h, _| h["transformer.wpe.weight"]["data_offsets"] = json!([0u64, 1u64 << 40])),
        "not a valid safetensors file",
    ));
    cases.push((
        "offsets-overlapping",
        edited(|h, _| {
            let first = h["lm_head.weight"]["data_offsets"].clone();
            h["transformer.ln_f.bias"]["data_offsets"] = first;
        }),
        "not a valid safetensors file",
    ));
    cases.push((
        "missing-tensor",
        edited(|h, d| {
            let off = h["transformer.wpe.weight"]["data_offsets"].clone();
            h.as_object_mut().unwrap().remove("transformer.wpe.weight");
            // rebuild offsets of the tensors after the removed one is safetensors' job: keep a hole
            h["padding.keep"] =
                json!({ "dtype": "U8", "shape": [off[1].as_u64().unwrap() - off[0].as_u64().unwrap()], "data_offsets": off });
            let _ = d;
        }),
        "unexpected tensor \"padding.keep\"",
    ));
    cases.push((
        "unexpected-tensor",
        edited(|h, d| {
            let end = d.len() as u64;
            d.extend_from_slice(&[0; 4]);
            h["transformer.h.7.attn.c_attn.weight"] = json!({ "dtype": "F32", "shape": [1], "data_offsets": [end, end + 4] });
        }),
        "unexpected tensor",
    ));
    cases.push((
        "nan-weight",
        edited(|h, d| {
            let at = h["transformer.wpe.weight"]["data_offsets"][0].as_u64().unwrap() as usize;
            d[at..at + 4].copy_from_slice(&f32::NAN.to_le_bytes());
        }),
        "holds NaN",
    ));
    cases.push((
        "untied-head",
        edited(|h, d| {
            let at = h["lm_head.weight"]["data_offsets"][0].as_u64().unwrap() as usize;
            d[at..at + 4].copy_from_slice(&123.0f32.to_le_bytes());
        }),
        "lm_head.weight differs",
    ));
    cases
}

#[test]
fn hostile_checkpoints_are_refused_with_a_reason() {
    let corpus = std::env::var("PLAYGROUND_WRITE_FUZZ_CORPUS").as_deref() == Ok("1");
    for (name, bytes, phrase) in hostile_checkpoints() {
        let err = Checkpoint::from_bytes(&bytes).expect_err(name);
        assert!(matches!(err, CoreError::Checkpoint(_) | CoreError::Config { .. } | CoreError::EmptyText), "{name}: {err:?}");
        assert!(err.to_string().contains(phrase), "{name}: {err}");
        if corpus {
            write_corpus("checkpoint", name, &bytes);
        }
    }
    if corpus {
        write_corpus("checkpoint", "valid", &valid().1);
        write_corpus(
            "checkpoint",
            "valid-optimizer",
            &optimizer_to_bytes(&OptimizerState { step: 3, m: vec![0.5; 64], v: vec![0.25; 64] }),
        );
    }
}

#[test]
fn the_valid_checkpoint_of_these_cases_loads() {
    let (ck, bytes) = valid();
    assert_eq!(Checkpoint::from_bytes(&bytes).unwrap(), ck);
}

fn write_corpus(target: &str, name: &str, bytes: &[u8]) {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../fuzz/corpus").join(target);
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join(name), bytes).unwrap();
}
