//! Loads a playground checkpoint (safetensors) and prints, as one JSON line, the logits of the
//! given token ids on the CPU reference and on the GPU:
//! `{"t": T, "vocab_size": V, "cpu": [T·V floats], "gpu": [T·V floats]}`. The Llama parity test
//! (tests/python/test_llama_parity.py) compares them with `transformers`' LlamaForCausalLM.
//!   cargo run -p playground-tools --bin checkpoint_logits -- FILE ID...

use playground_core::checkpoint::Checkpoint;
use playground_core::{CpuModel, TraceRequest};
use playground_gpu::{GpuContext, GpuModel, SharedGpu};

fn main() {
    let mut args = std::env::args().skip(1);
    let path = args.next().expect("usage: checkpoint_logits FILE ID...");
    let ids: Vec<u32> = args.map(|a| a.parse().expect("token ids are integers")).collect();
    let ck = match Checkpoint::from_bytes(&std::fs::read(&path).expect("read the checkpoint")) {
        Ok(ck) => ck,
        Err(e) => {
            eprintln!("{e}");
            std::process::exit(2);
        }
    };
    let request = TraceRequest::keys(&["logits"]).expect("a key");
    let cpu = CpuModel::from_params(ck.config, ck.params.clone()).expect("params fit").forward(&ids, &request).expect("cpu forward");
    let gpu_ctx = SharedGpu::new(pollster::block_on(GpuContext::new()).expect("a GPU adapter (lavapipe in tests)"));
    let mut gpu_model = pollster::block_on(GpuModel::new(gpu_ctx, ck.config, &ck.params, 1)).expect("gpu model");
    let gpu = pollster::block_on(gpu_model.forward(&ids, &request)).expect("gpu forward");
    let out = serde_json::json!({
        "t": ids.len(),
        "vocab_size": ck.config.vocab_size,
        "cpu": cpu.trace[0].data,
        "gpu": gpu.trace[0].data,
    });
    println!("{out}");
}
