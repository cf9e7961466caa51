//! Times every kernel of one training step on the native GPU (wall clock over repeated
//! launches), to find the ops that dominate a step; or, with `--cost`, estimates each dispatch
//! of the step on another GPU with the cost model (tools/src/cost/), recording the step as
//! that GPU would (its grid and tile choices) without running it.
//!   cargo run --release -p playground-tools --bin profile_step -- [L C NH T B V]
//!   cargo run --release -p playground-tools --bin profile_step -- --cost h100|m2|intel-igpu [--json FILE] [L C NH T B V]

use playground_core::train::TrainConfig;
use playground_core::{CpuModel, ModelConfig};
use playground_gpu::device::DeviceFacts;
use playground_gpu::{GpuContext, GpuTrainer, SharedGpu};
use playground_tools::cost::{estimate_step, table, DRAM_EFFICIENCY, ISSUE_EFFICIENCY};
use serde_json::json;
use std::collections::BTreeMap;
use std::time::Instant;

struct Args {
    cost: Option<DeviceFacts>,
    json: Option<String>,
    sizes: [usize; 6],
}

fn parse_args() -> Result<Args, String> {
    let mut args = Args { cost: None, json: None, sizes: [2, 32, 2, 16, 16, 10] };
    let mut sizes = vec![];
    let mut it = std::env::args().skip(1);
    while let Some(a) = it.next() {
        match a.as_str() {
            "--cost" => {
                let key = it.next().ok_or("--cost needs a GPU: h100, m2, intel-igpu, generic")?;
                args.cost = Some(DeviceFacts::preset(&key).ok_or(format!("--cost: no facts for {key:?}; h100, m2, intel-igpu, generic"))?);
            }
            "--json" => args.json = Some(it.next().ok_or("--json needs a file")?),
            n => sizes.push(n.parse::<usize>().map_err(|_| format!("{n}: sizes are numbers (L C NH T B V)"))?),
        }
    }
    if !sizes.is_empty() {
        args.sizes = sizes.try_into().map_err(|_| "six sizes: L C NH T B V".to_string())?;
    }
    Ok(args)
}

fn main() {
    let args = parse_args().unwrap_or_else(|e| {
        eprintln!("profile_step: {e}");
        std::process::exit(2)
    });
    let [l, c, nh, t, b, v] = args.sizes;
    let config = ModelConfig { vocab_size: v, block_size: t, n_layer: l, n_head: nh, n_embd: c, ..ModelConfig::default() };
    let mut context = pollster::block_on(GpuContext::new()).expect("a GPU adapter");
    if let Some(facts) = args.cost {
        context = context.with_device_facts(facts);
    }
    let gpu = SharedGpu::new(context);
    println!("adapter: {}, {:?}; L{l} C{c} NH{nh} T{t} B{b} V{v}", gpu.adapter_name(), gpu.device.features());
    let params = CpuModel::new(config, 1).expect("valid config").params;
    let trainer =
        pollster::block_on(GpuTrainer::new(gpu.clone(), config, &params, TrainConfig { batch_size: b, ..TrainConfig::default() }))
            .expect("trainer");
    match args.cost {
        Some(facts) => cost(&facts, &trainer, args.json.as_deref(), args.sizes),
        None => time(&gpu, &trainer),
    }
}

/// Prints (and with `json`, writes) the cost model's estimate of every dispatch of the step.
fn cost(facts: &DeviceFacts, trainer: &GpuTrainer, json: Option<&str>, sizes: [usize; 6]) {
    let (plan, tail) = trainer.recorded();
    let rows = estimate_step(facts, plan, &tail);
    print!("{}", table(facts, &rows));
    println!("facts: {}", facts.sources);
    if let Some(path) = json {
        let total_us: f64 = rows.iter().map(|r| r.us).sum();
        let [l, c, nh, t, b, v] = sizes;
        let out = json!({
            "kind": "cost-model estimate (not a measurement)",
            "device": { "key": facts.key, "name": facts.name, "compute_units": facts.compute_units, "fma_lanes": facts.fma_lanes,
                "clock_ghz": facts.clock_ghz, "dram_gb_s": facts.dram_gb_s, "dispatch_us": facts.dispatch_us, "sources": facts.sources },
            "calibration": { "issue_efficiency": ISSUE_EFFICIENCY, "dram_efficiency": DRAM_EFFICIENCY },
            "config": { "n_layer": l, "n_embd": c, "n_head": nh, "block_size": t, "batch_size": b, "vocab_size": v },
            "total_us": total_us,
            "dispatches": rows,
        });
        std::fs::write(path, serde_json::to_string_pretty(&out).expect("json")).unwrap_or_else(|e| panic!("{path}: {e}"));
        println!("wrote {path}");
    }
}

/// Times each launch of the step, repeated, by wall clock.
fn time(gpu: &SharedGpu, trainer: &GpuTrainer) {
    const REPS: u32 = 20;
    // warm-up: the first launch of a pipeline can include driver work (lavapipe compiles
    // shader variants lazily), which is not part of a step
    let mut encoder = gpu.device.create_command_encoder(&Default::default());
    gpu.encode(&mut encoder, trainer.step_ops());
    gpu.queue.submit([encoder.finish()]);
    gpu.device.poll(wgpu::PollType::wait_indefinitely()).expect("poll");
    let mut per_kernel: BTreeMap<&'static str, (f64, u32)> = BTreeMap::new();
    let mut total = 0.0;
    for op in trainer.step_ops() {
        let mut encoder = gpu.device.create_command_encoder(&Default::default());
        gpu.encode(&mut encoder, std::iter::repeat_n(op, REPS as usize));
        let start = Instant::now();
        gpu.queue.submit([encoder.finish()]);
        gpu.device.poll(wgpu::PollType::wait_indefinitely()).expect("poll");
        let ms = start.elapsed().as_secs_f64() * 1e3 / REPS as f64;
        let e = per_kernel.entry(op.kernel.source().name).or_default();
        e.0 += ms;
        e.1 += 1;
        total += ms;
    }
    let mut rows: Vec<_> = per_kernel.into_iter().collect();
    rows.sort_by(|a, b| b.1 .0.total_cmp(&a.1 .0));
    println!("{:<28} {:>9} {:>6} {:>7}", "kernel", "ms/step", "calls", "share");
    for (name, (ms, calls)) in rows {
        println!("{name:<28} {ms:>9.3} {calls:>6} {:>6.1}%", 100.0 * ms / total);
    }
    println!("{:<28} {total:>9.3}", "total");
}
