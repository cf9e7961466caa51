//! Imports a Hugging Face GPT-2 (DIR/model.safetensors and DIR/config.json) and prints, as
//! one JSON line, the logits of the given token ids on the CPU reference and on the GPU:
//! `{"t": T, "vocab_size": V, "cpu": [T·V floats], "gpu": [T·V floats]}`. The
//! `transformers` parity test (tests/python/test_gpt2_import.py) compares them with
//! `GPT2LMHeadModel`'s.
//!   cargo run -p playground-tools --bin gpt2_logits -- DIR ID...

use playground_core::gpt2_import::import_hf_gpt2;
use playground_core::{CpuModel, TraceRequest};
use playground_gpu::{GpuContext, GpuModel, SharedGpu};
use std::path::Path;

fn main() {
    let mut args = std::env::args().skip(1);
    let dir = args.next().expect("usage: gpt2_logits DIR ID...");
    let ids: Vec<u32> = args.map(|a| a.parse().expect("token ids are integers")).collect();
    let weights = std::fs::read(Path::new(&dir).join("model.safetensors")).expect("read model.safetensors");
    let config_json = std::fs::read_to_string(Path::new(&dir).join("config.json")).ok();
    let gpt2 = match import_hf_gpt2(&weights, config_json.as_deref()) {
        Ok(g) => g,
        Err(e) => {
            eprintln!("{e}");
            std::process::exit(2);
        }
    };
    let request = TraceRequest::keys(&["logits"]).expect("a key");
    let cpu = CpuModel::from_params(gpt2.config, gpt2.params.clone()).expect("params fit").forward(&ids, &request).expect("cpu forward");
    let gpu_ctx = SharedGpu::new(pollster::block_on(GpuContext::new()).expect("a GPU adapter (lavapipe in tests)"));
    let mut gpu_model = pollster::block_on(GpuModel::new(gpu_ctx, gpt2.config, &gpt2.params, 1)).expect("gpu model");
    let gpu = pollster::block_on(gpu_model.forward(&ids, &request)).expect("gpu forward");
    let out = serde_json::json!({
        "t": ids.len(),
        "vocab_size": gpt2.config.vocab_size,
        "cpu": cpu.trace[0].data,
        "gpu": gpu.trace[0].data,
    });
    println!("{out}");
}
