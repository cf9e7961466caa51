//! The fuzz targets: every parser of outside data, driven with arbitrary bytes. Each must
//! return a value or a typed error — never panic, abort, or allocate a size the input chose.
//!
//! Two drivers include this file: the libFuzzer binaries in fuzz/fuzz_targets/ (coverage
//! guided, `make fuzz`) and tests/tests/fuzz_replay.rs (the committed corpus plus seeded
//! random mutations, in `make test`).

use playground_core::arch::Architecture;
use playground_core::checkpoint::{optimizer_from_bytes, Checkpoint};
use playground_core::train::TrainConfig;
use playground_core::{Bpe, BpeTrainer, CharTokenizer, DeviceLimits, ModelConfig, TraceKey};

/// Names of the targets, as the corpus folders and libFuzzer binaries are called.
pub const TARGETS: [&str; 4] = ["checkpoint", "gpt2_files", "config_json", "text"];

/// Runs the target called `name` on `data`.
pub fn run(name: &str, data: &[u8]) {
    match name {
        "checkpoint" => checkpoint(data),
        "gpt2_files" => gpt2_files(data),
        "config_json" => config_json(data),
        "text" => text(data),
        other => panic!("no fuzz target {other}"),
    }
}

/// A checkpoint or optimizer-state file (safetensors: header, offsets, dtypes, metadata).
pub fn checkpoint(data: &[u8]) {
    if let Ok(ck) = Checkpoint::from_bytes(data) {
        // what loads writes back to bytes that load to the same checkpoint
        let again = Checkpoint::from_bytes(&ck.to_bytes().expect("a loaded checkpoint serializes")).expect("reloads");
        assert_eq!(again, ck);
    }
    let _ = optimizer_from_bytes(data, 64);
}

/// GPT-2's encoder.json and vocab.bpe, split at the first zero byte.
pub fn gpt2_files(data: &[u8]) {
    let cut = data.iter().position(|&b| b == 0).unwrap_or(data.len());
    let encoder = String::from_utf8_lossy(&data[..cut]);
    let merges = String::from_utf8_lossy(data.get(cut + 1..).unwrap_or(&[]));
    if let Ok(bpe) = Bpe::from_gpt2_files(&encoder, &merges) {
        let ids = bpe.encode("the quick brown 🦀 jumps");
        let _ = bpe.decode(&ids);
    }
}

/// A model or training config as JSON (checkpoint headers, the page's settings).
pub fn config_json(data: &[u8]) {
    if let Ok(cfg) = serde_json::from_slice::<ModelConfig>(data) {
        if cfg.validate().is_ok() {
            let _ = cfg.check_device(16, &DeviceLimits::WEBGPU_DEFAULT, false);
            let _ = cfg.param_count();
        }
    }
    if let Ok(train) = serde_json::from_slice::<TrainConfig>(data) {
        if train.validate().is_ok() {
            let _ = train.lr_at(u32::MAX);
        }
    }
}

/// Text a user types or uploads: char tokenizer, BPE training, trace keys.
pub fn text(data: &[u8]) {
    let text = String::from_utf8_lossy(data);
    if let Ok(tok) = CharTokenizer::from_text(&text) {
        let ids = tok.encode(&text).expect("every character of the text is in its vocabulary");
        assert_eq!(tok.decode(&ids).expect("ids from encode decode"), text);
        let _ = tok.encode_lossy("any other text ✓");
    }
    if let Ok(mut trainer) = BpeTrainer::new(&text, 266) {
        while trainer.step().is_some() {}
        let bpe = trainer.finish();
        assert_eq!(bpe.decode_bytes(&bpe.encode(&text)).expect("ids from encode decode"), text.as_bytes());
    }
    let cfg = ModelConfig { vocab_size: 10, block_size: 8, n_layer: 2, n_head: 2, n_embd: 8, ..ModelConfig::default() };
    let _ = TraceKey::parse(&text, &Architecture::new(&cfg));
}
