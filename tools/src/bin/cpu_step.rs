//! The whole CPU training step, fast ops against reference ops, on one config of
//! `tools/bench/configs.json` (the same executor runs both): alternating the two, so that the
//! machine's load falls on both alike. tools/bench/torch_step.py times PyTorch's step on the
//! same model and batch.
//!
//!   cargo run --profile test -p playground-tools --bin cpu_step -- [--config baby] [--batch 4] [--rounds 2] [--out FILE]
//!       [--engines reference,fast]
//!
//! `--engines fast` times the fast engine alone (for profiling it, or for comparing two builds
//! of it without the reference's much longer steps in between).
//! Each round times one step of each (after one warm-up step each, outside the rounds) on
//! random tokens; prints ms per step and tokens per second (the median over the rounds, and
//! the fastest round, which a loaded machine disturbs least), and writes them to `--out`
//! (bench-results/cpu_step.json).

use playground_core::model::CpuKernels;
use playground_core::train::{CpuTrainer, TrainConfig};
use playground_core::{fast, CpuModel, ModelConfig, Rng};
use serde_json::{json, Value};
use std::time::Instant;

fn arg(args: &[String], name: &str) -> Option<String> {
    args.iter().position(|a| a == name).and_then(|i| args.get(i + 1).cloned())
}

fn median(mut xs: Vec<f64>) -> f64 {
    xs.sort_by(f64::total_cmp);
    xs[xs.len() / 2]
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let name = arg(&args, "--config").unwrap_or_else(|| "baby".into());
    let rounds: usize = arg(&args, "--rounds").map_or(2, |r| r.parse().expect("--rounds: a number"));
    let configs: Value =
        serde_json::from_str(&std::fs::read_to_string("tools/bench/configs.json").expect("tools/bench/configs.json")).unwrap();
    let m = configs["configs"].as_array().unwrap().iter().find(|c| c["name"] == name.as_str()).expect("a config of configs.json");
    let field = |k: &str| m[k].as_u64().unwrap() as usize;
    let b: usize = arg(&args, "--batch").map_or(field("batch_size"), |x| x.parse().expect("--batch: a number"));
    let config = ModelConfig {
        vocab_size: configs["vocab_size"].as_u64().unwrap() as usize,
        block_size: field("block_size"),
        n_layer: field("n_layer"),
        n_head: field("n_head"),
        n_embd: field("n_embd"),
        ..ModelConfig::default()
    };
    let t = config.block_size;
    let train = TrainConfig { batch_size: b, ..TrainConfig::default() };
    let trainer = |kernels| CpuTrainer::new(CpuModel::new(config, 1).unwrap().with_kernels(kernels), train).unwrap();
    let wanted = arg(&args, "--engines").unwrap_or_else(|| "reference,fast".into());
    let mut engines: Vec<(&str, CpuTrainer)> = [("reference", CpuKernels::Reference), ("fast", CpuKernels::Fast)]
        .into_iter()
        .filter(|(label, _)| wanted.split(',').any(|w| w == *label))
        .map(|(label, kernels)| (label, trainer(kernels)))
        .collect();
    assert!(!engines.is_empty(), "--engines: reference, fast or both");
    let mut rng = Rng::new(7);
    let mut batch = || -> (Vec<u32>, Vec<u32>) {
        let x: Vec<u32> = (0..b * t).map(|_| rng.below(config.vocab_size) as u32).collect();
        let y = x.iter().map(|&id| (id + 1) % config.vocab_size as u32).collect();
        (x, y)
    };
    let step = |tr: &mut CpuTrainer, (x, y): &(Vec<u32>, Vec<u32>)| {
        let start = Instant::now();
        tr.step(&[x], y, b, t).expect("a finite step");
        start.elapsed().as_secs_f64() * 1e3
    };
    let warm = batch();
    engines.iter_mut().for_each(|(_, tr)| {
        step(tr, &warm);
    });
    let mut ms = vec![vec![]; engines.len()];
    for round in 0..rounds {
        let data = batch();
        for (i, (label, tr)) in engines.iter_mut().enumerate() {
            ms[i].push(step(tr, &data));
            eprintln!("round {round}: {label} {:.1} ms", ms[i].last().unwrap());
        }
    }
    let rows: Vec<Value> = engines
        .iter()
        .zip(ms)
        .map(|((label, _), ms)| {
            let (med, min) = (median(ms.clone()), ms.iter().copied().fold(f64::INFINITY, f64::min));
            let tokens_per_s = |ms: f64| (b * t) as f64 / (ms / 1e3);
            println!(
                "{name} B{b} T{t}, {label} ({} threads): median {med:.1} ms a step, {:.0} tokens/s; fastest {min:.1} ms, {:.0} tokens/s",
                fast::par::threads(),
                tokens_per_s(med),
                tokens_per_s(min)
            );
            json!({ "engine": label, "ms": ms, "median_ms": med, "fastest_ms": min, "tokens_per_s": tokens_per_s(med) })
        })
        .collect();
    let out = json!({ "config": name, "batch": b, "block_size": t, "threads": fast::par::threads(), "engines": rows });
    let path = arg(&args, "--out").unwrap_or_else(|| "bench-results/cpu_step.json".into());
    if let Some(dir) = std::path::Path::new(&path).parent() {
        std::fs::create_dir_all(dir).unwrap();
    }
    std::fs::write(&path, serde_json::to_string_pretty(&out).unwrap()).unwrap();
}
