//! The native half of `make bench`: the same WGSL kernels as the browser, through wgpu on the
//! first high-performance adapter (a real GPU on Vulkan, or Mesa's lavapipe on the CPU).
//!
//! For each model config of `tools/bench/configs.json` it times, on the model's own shapes:
//! every matmul forward and backward (GFLOP/s), attention forward and backward (GFLOP/s of
//! the causal half), LayerNorm and GELU forward and one AdamW update (GB/s), then a whole
//! training step (ms). It also watches the process's memory over a long run of small steps.
//! Results go to a JSON file that `tools/bench/torch_bench.py` reads for the same shapes and
//! `tools/bench/report.py` turns into the table.
//!
//!   cargo run --profile test -p playground-tools --bin bench -- [--configs FILE] [--out FILE]
//!       [--only tiny,small] [--memory-steps N] [--budget SECONDS] [--quick | --smoke]
//!
//! `--quick` (for the baby GPT on a CPU adapter, where one step takes minutes): at least one
//! repetition instead of three, so a kernel or training step slower than its budget is timed
//! once, the training step without a warm-up step; 2000 memory steps. `--smoke`:
//! the `tiny` config only, a few milliseconds per kernel and 20 memory steps (the check of
//! `make test` that the benchmark runs and writes its JSON).
//!
//! Timing: with `TIMESTAMP_QUERY` (most GPUs, and lavapipe) the GPU's own timestamps at the
//! start and end of one compute pass that repeats the kernel; otherwise wall clock around
//! submit and wait. Every measurement is preceded by a warm-up launch (drivers may compile
//! lazily). Training steps are timed by wall clock, the way an application sees them.

use playground_core::cpu::layernorm::LN_EPS;
use playground_core::cpu::Activation;
use playground_core::train::TrainConfig;
use playground_core::{CpuModel, ModelConfig, ParamLayout, Rng};
use playground_gpu::kernels::{adamw, attention, gelu, layernorm, matmul, Write};
use playground_gpu::{GpuContext, GpuTensor, GpuTrainer, SharedGpu};
use playground_tools::timer::Timer;
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};
use std::time::Instant;

#[derive(Clone, Debug, Deserialize, Serialize)]
struct BenchConfig {
    name: String,
    n_layer: usize,
    n_head: usize,
    n_embd: usize,
    block_size: usize,
    /// Sequences per step.
    batch_size: usize,
}

#[derive(Debug, Deserialize)]
struct MemoryConfig {
    n_layer: usize,
    n_head: usize,
    n_embd: usize,
    block_size: usize,
    batch_size: usize,
    steps: u32,
}

#[derive(Debug, Deserialize)]
struct Configs {
    vocab_size: usize,
    configs: Vec<BenchConfig>,
    memory: MemoryConfig,
}

struct Args {
    configs: String,
    out: String,
    only: Option<Vec<String>>,
    memory_steps: Option<u32>,
    /// Seconds of measurement per kernel (the repetitions follow from it); a training step
    /// gets ten times as much.
    budget: f64,
    /// Fewest repetitions of a kernel, and of a training step that fits its budget.
    min_reps: u32,
}

fn parse_args() -> Result<Args, String> {
    let mut args = Args {
        configs: "tools/bench/configs.json".into(),
        out: "bench-results/native.json".into(),
        only: None,
        memory_steps: None,
        budget: 0.3,
        min_reps: 3,
    };
    let mut it = std::env::args().skip(1);
    while let Some(a) = it.next() {
        let mut value = || it.next().ok_or(format!("{a} needs a value"));
        let number = |v: String| v.parse::<f64>().ok().filter(|x| x.is_finite() && *x >= 0.0).ok_or(format!("{a}: not a number: {v}"));
        match a.as_str() {
            "--configs" => args.configs = value()?,
            "--out" => args.out = value()?,
            "--only" => args.only = Some(value()?.split(',').map(String::from).collect()),
            "--memory-steps" => args.memory_steps = Some(number(value()?)? as u32),
            "--budget" => args.budget = number(value()?)?,
            "--quick" => (args.min_reps, args.memory_steps) = (1, Some(2000)),
            "--smoke" => (args.only, args.budget, args.min_reps, args.memory_steps) = (Some(vec!["tiny".into()]), 0.002, 1, Some(20)),
            other => return Err(format!("unknown argument {other}; see the header of tools/src/bin/bench.rs")),
        }
    }
    Ok(args)
}

fn random(gpu: &GpuContext, rng: &mut Rng, n: usize, std: f32) -> GpuTensor {
    GpuTensor::from_slice(gpu, "bench data", &rng.normal_vec(n, std))
}

/// The linear layers of one block and the tied head: (name, K = in features, N = out features, bias).
fn linears(cfg: &ModelConfig) -> [(&'static str, usize, usize, bool); 5] {
    let (c, f, v) = (cfg.n_embd, cfg.ffn_width(), cfg.vocab_size);
    [("qkv", c, 3 * c, true), ("attproj", c, c, true), ("fc", c, f, true), ("fcproj", f, c, true), ("lm_head", c, v, false)]
}

fn kernels(timer: &Timer, name: &str, cfg: &ModelConfig, b: usize, (budget, min_reps): (f64, u32), out: &mut Vec<Value>) {
    let gpu = &*timer.gpu;
    let mut rng = Rng::new(1);
    let (t, c, nh) = (cfg.block_size, cfg.n_embd, cfg.n_head);
    let m = b * t;
    let mut record = |op: &str, layer: &str, shape: Value, ms: f64, reps: u32, flop: Option<f64>, bytes: Option<f64>| {
        let rate = flop.map(|f| f / ms / 1e6).or(bytes.map(|by| by / ms / 1e6));
        let unit = if flop.is_some() { "GFLOP/s" } else { "GB/s" };
        println!("  {name:<6} {op:<24} {layer:<8} {:>10.3} ms {:>9.2} {unit}  ({reps} reps)", ms, rate.unwrap_or(0.0));
        out.push(json!({ "config": name, "op": op, "layer": layer, "shape": shape, "ms": ms, "reps": reps,
            "flop": flop, "bytes": bytes, "rate": rate, "unit": unit }));
    };

    for (layer, k, n, has_bias) in linears(cfg) {
        let (inp, w, bias) = (random(gpu, &mut rng, m * k, 1.0), random(gpu, &mut rng, n * k, 0.02), random(gpu, &mut rng, n, 0.02));
        let (y, dy) = (GpuTensor::zeros(gpu, "y", m * n), random(gpu, &mut rng, m * n, 1.0));
        let (dx, dw) = (GpuTensor::zeros(gpu, "dx", m * k), GpuTensor::zeros(gpu, "dw", n * k));
        let (mu, ku, nu) = (m as u32, k as u32, n as u32);
        let flop = 2.0 * m as f64 * k as f64 * n as f64;
        let shape = json!({ "m": m, "k": k, "n": n, "bias": has_bias });
        let fwd = matmul::matmul_forward(gpu, &y, &inp, &w, has_bias.then_some(&bias), mu, ku, nu);
        let (ms, reps) = timer.time(&fwd.iter().collect::<Vec<_>>(), budget, min_reps);
        record("matmul_forward", layer, shape.clone(), ms, reps, Some(flop), None);
        if layer == "fc" {
            // the FFN's first matmul with its GELU: fused into the epilogue, and as two passes
            let (h, pre) = (GpuTensor::zeros(gpu, "h", m * n), GpuTensor::zeros(gpu, "pre", m * n));
            let fused = matmul::matmul_forward_act(gpu, Activation::Gelu, &h, &pre, &inp, &w, Some(&bias), mu, ku, nu);
            let (ms, reps) = timer.time(&fused.iter().collect::<Vec<_>>(), budget, min_reps);
            record("matmul_forward_gelu", layer, shape.clone(), ms, reps, Some(flop), None);
            let act = gelu::gelu_forward(gpu, &h, &y, (m * n) as u32);
            let (ms, reps) = timer.time(&fwd.iter().chain([&act]).collect::<Vec<_>>(), budget, min_reps);
            record("matmul_forward+gelu_forward", layer, shape.clone(), ms, reps, Some(flop), None);
        }
        let bin = matmul::matmul_backward_input(gpu, &dx, &dy, &w, None, mu, ku, nu, Write::Add);
        let (ms, reps) = timer.time(&bin.iter().collect::<Vec<_>>(), budget, min_reps);
        record("matmul_backward_input", layer, shape.clone(), ms, reps, Some(flop), None);
        let db = GpuTensor::zeros(gpu, "db", n);
        let bw = matmul::matmul_backward_weight(gpu, &dw, has_bias.then_some(&db), &dy, &inp, mu, ku, nu);
        let (ms, reps) = timer.time(&bw.iter().collect::<Vec<_>>(), budget, min_reps);
        record("matmul_backward_weight", layer, shape, ms, reps, Some(flop), None);
    }

    // attention on (B, T, 3C): FLOPs of the causal half, QKᵀ and PV forward (2·B·T(T+1)·C),
    // twice that backward (dV, dP, dQ, dK); recomputation inside the kernels is not counted
    let qkv = random(gpu, &mut rng, m * 3 * c, 1.0);
    let (att_out, lse) = (GpuTensor::zeros(gpu, "atty", m * c), GpuTensor::zeros(gpu, "lse", b * nh * t));
    let (dqkv, delta, dout) =
        (GpuTensor::zeros(gpu, "dqkv", m * 3 * c), GpuTensor::zeros(gpu, "delta", b * nh * t), random(gpu, &mut rng, m * c, 1.0));
    let (bu, tu, cu, nhu) = (b as u32, t as u32, c as u32, nh as u32);
    let shape = json!({ "b": b, "t": t, "c": c, "nh": nh });
    let fwd_flop = 2.0 * b as f64 * t as f64 * (t + 1) as f64 * c as f64;
    let fwd = attention::attention_forward(gpu, &att_out, &lse, None, &qkv, bu, tu, cu, nhu, nhu, true);
    let (ms, reps) = timer.time(&[&fwd], budget, min_reps);
    record("attention_forward", "attn", shape.clone(), ms, reps, Some(fwd_flop), None);
    // the backward needs the forward's out and lse
    timer.pass_ms(&[&fwd], 1);
    let bwd = attention::attention_backward(gpu, &dqkv, &delta, &dout, &qkv, &att_out, &lse, bu, tu, cu, nhu, nhu, true);
    let (ms, reps) = timer.time(&bwd.iter().collect::<Vec<_>>(), budget, min_reps);
    record("attention_backward", "attn", shape, ms, reps, Some(2.0 * fwd_flop), None);

    // memory-bound ops: bytes that must move (read inputs once, write outputs once)
    let x = random(gpu, &mut rng, m * c, 1.0);
    let (lw, lb) = (random(gpu, &mut rng, c, 1.0), random(gpu, &mut rng, c, 1.0));
    let (ln_out, mean, rstd) = (GpuTensor::zeros(gpu, "ln", m * c), GpuTensor::zeros(gpu, "mean", m), GpuTensor::zeros(gpu, "rstd", m));
    let op = layernorm::layernorm_forward(gpu, &ln_out, &mean, &rstd, &x, &lw, &lb, m as u32, c as u32, LN_EPS);
    let (ms, reps) = timer.time(&[&op], budget, min_reps);
    let bytes = 4.0 * (2.0 * (m * c) as f64 + 2.0 * m as f64 + 2.0 * c as f64);
    record("layernorm_forward", "ln", json!({ "rows": m, "c": c }), ms, reps, None, Some(bytes));

    let f = m * cfg.ffn_width();
    let (gin, gout) = (random(gpu, &mut rng, f, 1.0), GpuTensor::zeros(gpu, "gelu", f));
    let op = gelu::gelu_forward(gpu, &gout, &gin, f as u32);
    let (ms, reps) = timer.time(&[&op], budget, min_reps);
    record("gelu_forward", "fc", json!({ "n": f }), ms, reps, None, Some(8.0 * f as f64));

    let n = ParamLayout::new(cfg).padded_len();
    let (p, mo, v, g) =
        (random(gpu, &mut rng, n, 0.02), GpuTensor::zeros(gpu, "m", n), GpuTensor::zeros(gpu, "v", n), random(gpu, &mut rng, n, 0.01));
    let scale = GpuTensor::from_slice(gpu, "scale", &[1.0f32]);
    let hp = TrainConfig::default().adamw(0, true);
    let ops = adamw::adamw_update(gpu, &p, &mo, &v, &g, &scale, &hp, n as u32);
    let (ms, reps) = timer.time(&ops.iter().collect::<Vec<_>>(), budget, min_reps);
    // params, m, v read and written; grads read
    record("adamw_update", "all", json!({ "n": n }), ms, reps, None, Some(28.0 * n as f64));
}

fn tokens(rng: &mut Rng, n: usize, v: usize) -> Vec<u32> {
    (0..n).map(|_| rng.below(v) as u32).collect()
}

/// ms per training step (forward, backward, clipping, AdamW: one submission), by wall clock:
/// one step (after a warm-up step unless `min_reps` is 1), and if it took less than `budget`
/// seconds, the mean over back-to-back steps (2 to 50) for about `budget`.
/// Returns (ms, steps timed, warm-up steps).
fn train_step(gpu: &SharedGpu, cfg: ModelConfig, b: usize, (budget, min_reps): (f64, u32)) -> (f64, u32, u32) {
    let params = CpuModel::new(cfg, 1).expect("valid config").params;
    let mut trainer =
        pollster::block_on(GpuTrainer::new(gpu.clone(), cfg, &params, TrainConfig { batch_size: b, ..TrainConfig::default() }))
            .expect("trainer");
    let mut rng = Rng::new(2);
    let n = b * cfg.block_size;
    let (x, y) = (tokens(&mut rng, n, cfg.vocab_size), tokens(&mut rng, n, cfg.vocab_size));
    let wait = || gpu.device.poll(wgpu::PollType::wait_indefinitely()).expect("poll");
    let warmup = u32::from(min_reps > 1);
    for _ in 0..warmup {
        trainer.submit_step(&[&x], &y).expect("step");
    }
    wait();
    let start = Instant::now();
    trainer.submit_step(&[&x], &y).expect("step");
    wait();
    let one = start.elapsed().as_secs_f64();
    let (ms, steps) = if one >= budget {
        (one * 1e3, 1)
    } else {
        let steps = ((budget / one) as u32).clamp(2, 50);
        let start = Instant::now();
        for _ in 0..steps {
            trainer.submit_step(&[&x], &y).expect("step");
        }
        wait();
        (start.elapsed().as_secs_f64() * 1e3 / steps as f64, steps)
    };
    let stats = pollster::block_on(trainer.read_stats()).expect("stats");
    let last = stats.last().expect("a step");
    assert!(last.loss.is_finite(), "the benchmark's training diverged: loss {}", last.loss);
    (ms, steps, warmup)
}

fn rss_mb() -> f64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    let kb: f64 = status
        .lines()
        .find(|l| l.starts_with("VmRSS:"))
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|v| v.parse().ok())
        .unwrap_or(0.0);
    kb / 1024.0
}

/// Resident memory of this process while training `steps` steps (reading the statistics
/// every 100 steps, as the app does). On lavapipe GPU buffers are host memory, so this covers
/// them; on a discrete GPU it covers the driver's host side only.
fn memory(gpu: &SharedGpu, cfg: ModelConfig, b: usize, steps: u32) -> Value {
    let params = CpuModel::new(cfg, 1).expect("valid config").params;
    let train = TrainConfig { batch_size: b, max_steps: steps.max(1), ..TrainConfig::default() };
    let mut trainer = pollster::block_on(GpuTrainer::new(gpu.clone(), cfg, &params, train)).expect("trainer");
    let mut rng = Rng::new(3);
    let n = b * cfg.block_size;
    let mut samples = vec![];
    let start = Instant::now();
    for step in 0..steps {
        let (x, y) = (tokens(&mut rng, n, cfg.vocab_size), tokens(&mut rng, n, cfg.vocab_size));
        trainer.submit_step(&[&x], &y).expect("step");
        if (step + 1) % 100 == 0 {
            pollster::block_on(trainer.read_stats()).expect("stats");
        }
        if (step + 1) % (steps / 10).max(1) == 0 {
            samples.push(json!({ "step": step + 1, "rss_mb": rss_mb() }));
        }
    }
    let secs = start.elapsed().as_secs_f64();
    let first = samples.first().and_then(|s| s["rss_mb"].as_f64()).unwrap_or(0.0);
    let last = samples.last().and_then(|s| s["rss_mb"].as_f64()).unwrap_or(0.0);
    println!("  memory: {steps} steps in {secs:.1} s, RSS {first:.1} MB after the first tenth, {last:.1} MB at the end");
    json!({ "steps": steps, "seconds": secs, "samples": samples, "growth_mb": last - first,
        "config": { "n_layer": cfg.n_layer, "n_head": cfg.n_head, "n_embd": cfg.n_embd, "block_size": cfg.block_size, "vocab_size": cfg.vocab_size, "batch_size": b } })
}

/// "2026-11-22T10:11:12Z" from the system clock (days to civil date: Howard Hinnant's algorithm).
fn utc_now() -> String {
    let secs = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_secs() as i64).unwrap_or(0);
    let (days, rem) = (secs.div_euclid(86400), secs.rem_euclid(86400));
    let z = days + 719468;
    let era = z.div_euclid(146097);
    let doe = z - era * 146097;
    let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    format!("{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}Z", rem / 3600, rem % 3600 / 60, rem % 60)
}

fn cpu_name() -> String {
    let info = std::fs::read_to_string("/proc/cpuinfo").unwrap_or_default();
    let name =
        info.lines().find(|l| l.starts_with("model name")).and_then(|l| l.split(':').nth(1)).unwrap_or("unknown CPU").trim().to_string();
    let cores = std::thread::available_parallelism().map(|n| n.get()).unwrap_or(1);
    format!("{name}, {cores} cores")
}

fn main() {
    let args = parse_args().unwrap_or_else(|e| {
        eprintln!("bench: {e}");
        std::process::exit(2)
    });
    let text = std::fs::read_to_string(&args.configs).unwrap_or_else(|e| panic!("{}: {e}", args.configs));
    let configs: Configs = serde_json::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", args.configs));
    let gpu = SharedGpu::new(
        pollster::block_on(GpuContext::with_optional_features(
            wgpu::Features::TIMESTAMP_QUERY | playground_gpu::context::OPTIONAL_FEATURES,
        ))
        .expect("a GPU adapter (on machines without a GPU: apt-get install mesa-vulkan-drivers)"),
    );
    let on_cpu = gpu.info.device_type == wgpu::DeviceType::Cpu;
    let timer = Timer::new(gpu.clone());
    println!(
        "adapter: {} [{:?}], driver {} {}; timing: {}",
        gpu.adapter_name(),
        gpu.info.device_type,
        gpu.info.driver,
        gpu.info.driver_info,
        timer.method()
    );

    let mut kernel_rows = vec![];
    let mut step_rows = vec![];
    for bc in &configs.configs {
        if args.only.as_ref().is_some_and(|only| !only.contains(&bc.name)) {
            continue;
        }
        let cfg = ModelConfig {
            vocab_size: configs.vocab_size,
            block_size: bc.block_size,
            n_layer: bc.n_layer,
            n_head: bc.n_head,
            n_embd: bc.n_embd,
            ..ModelConfig::default()
        };
        cfg.validate().unwrap_or_else(|e| panic!("config {}: {e}", bc.name));
        let b = bc.batch_size;
        println!("{}: L{} C{} NH{} T{} V{} B{b}", bc.name, cfg.n_layer, cfg.n_embd, cfg.n_head, cfg.block_size, cfg.vocab_size);
        kernels(&timer, &bc.name, &cfg, b, (args.budget, args.min_reps), &mut kernel_rows);
        let (ms, steps, warmup) = train_step(&gpu, cfg, b, (10.0 * args.budget, args.min_reps));
        let tokens_per_s = (b * cfg.block_size) as f64 / ms * 1e3;
        println!("  {:<6} training step {ms:>10.2} ms ({steps} steps timed), {tokens_per_s:.0} tokens/s", bc.name);
        step_rows.push(json!({ "config": bc.name, "model": { "n_layer": cfg.n_layer, "n_head": cfg.n_head, "n_embd": cfg.n_embd,
            "block_size": cfg.block_size, "vocab_size": cfg.vocab_size }, "batch_size": b, "ms": ms, "steps": steps, "warmup_steps": warmup, "tokens_per_s": tokens_per_s }));
    }
    let mc = &configs.memory;
    let mem_cfg = ModelConfig {
        vocab_size: configs.vocab_size,
        block_size: mc.block_size,
        n_layer: mc.n_layer,
        n_head: mc.n_head,
        n_embd: mc.n_embd,
        ..ModelConfig::default()
    };
    let mem = memory(&gpu, mem_cfg, mc.batch_size, args.memory_steps.unwrap_or(mc.steps));

    let result = json!({
        "kind": "native",
        "date": utc_now(),
        "command": std::env::args().collect::<Vec<_>>().join(" "),
        "machine": { "cpu": cpu_name(), "load_average_at_end": std::fs::read_to_string("/proc/loadavg").unwrap_or_default().trim() },
        "adapter": { "name": gpu.adapter_name(), "device_type": format!("{:?}", gpu.info.device_type), "backend": format!("{:?}", gpu.info.backend),
            "driver": gpu.info.driver, "driver_info": gpu.info.driver_info, "on_cpu": on_cpu },
        "timing": timer.method(),
        "kernels": kernel_rows,
        "steps": step_rows,
        "memory": mem,
    });
    if let Some(dir) = std::path::Path::new(&args.out).parent() {
        std::fs::create_dir_all(dir).expect("results folder");
    }
    std::fs::write(&args.out, serde_json::to_string_pretty(&result).expect("json")).expect("write results");
    println!("wrote {}", args.out);
}
