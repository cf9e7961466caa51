//! The forward of a SmolLM2-135M-shaped model over 64 tokens on the CPU executor, fast ops
//! against reference ops, alternating: 30 layers, C = 576, 9 heads over 3 key/value heads,
//! SwiGLU (hidden 1536), RMSNorm, RoPE, no biases, tied head, vocabulary 49,152; random
//! weights (nanoGPT's initialization).
//!
//!   cargo run --profile test -p playground-tools --bin cpu_forward -- [--rounds 2]
//!
//! Each round runs one forward on each (the logits only); prints every time and the medians.

use playground_core::architecture::{Ffn, LinearBias, Norm, Positions};
use playground_core::model::CpuKernels;
use playground_core::{fast, CpuModel, ModelConfig, Rng, TraceRequest};
use std::time::Instant;

const T: usize = 64;

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let rounds: usize = args.iter().position(|a| a == "--rounds").map_or(2, |i| args[i + 1].parse().expect("--rounds: a number"));
    let config = ModelConfig {
        vocab_size: 49_152,
        block_size: T,
        n_layer: 30,
        n_head: 9,
        n_kv_head: Some(3),
        n_embd: 576,
        norm: Norm::RmsNorm,
        positions: Positions::Rotary,
        ffn: Ffn::SwiGlu,
        linear_bias: LinearBias::None,
        ..ModelConfig::default()
    };
    let mut model = CpuModel::new(config, 1).expect("a valid config");
    let mut rng = Rng::new(3);
    let tokens: Vec<u32> = (0..T).map(|_| rng.below(config.vocab_size) as u32).collect();
    let logits = TraceRequest::keys(&["logits"]).unwrap();
    let mut ms = [vec![], vec![]];
    for round in 0..rounds {
        for (i, kernels) in [CpuKernels::Reference, CpuKernels::Fast].into_iter().enumerate() {
            model.kernels = kernels;
            let start = Instant::now();
            model.forward(&tokens, &logits).expect("a forward");
            ms[i].push(start.elapsed().as_secs_f64() * 1e3);
            eprintln!("round {round}: {kernels:?} {:.1} ms", ms[i].last().unwrap());
        }
    }
    for (label, mut ms) in ["reference", "fast"].into_iter().zip(ms) {
        ms.sort_by(f64::total_cmp);
        println!("SmolLM2-135M-shaped forward, T {T}, {label} ({} threads): median {:.1} ms", fast::par::threads(), ms[ms.len() / 2]);
    }
}
