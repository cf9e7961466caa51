//! The fast CPU engine's ops (`playground_core::fast`) against the reference (`cpu`) on the
//! shapes of `tools/bench/configs.json` and of a SmolLM2-135M-shaped forward over 64 tokens,
//! on one thread and on every core, with the measured peak FLOP/s of those cores as the
//! ceiling each rate is a fraction of.
//!
//!   cargo run --profile test -p playground-tools --bin cpu_bench -- [--only tiny,small,smol] [--out FILE] [--budget SECONDS]
//!
//! Timing: one warm-up call, then as many calls as fit in the budget (at least 3), wall clock.
//! Rates: GFLOP/s for matmuls (2·M·K·N forward, twice that for the backward's input and
//! weight gradients) and attention (the causal half, as bench.rs counts it); GB/s for the
//! passes (inputs read and outputs written once). The peak is an FMA loop on registers
//! (AVX-512, else AVX2+FMA), one copy per thread: what the cores can do, not what memory feeds.

use playground_core::cpu::{self, AdamWParams, LN_EPS};
use playground_core::{fast, ModelConfig, ParamLayout, Rng};
use serde_json::{json, Value};
use std::time::Instant;

/// Per-thread multiply-add throughput in GFLOP/s, measured on registers.
fn peak_gflops_per_thread() -> Option<f64> {
    #[cfg(target_arch = "x86_64")]
    {
        use std::arch::x86_64::*;
        const ACC: usize = 12; // independent chains: enough to cover the FMA latency
        #[target_feature(enable = "avx512f")]
        unsafe fn avx512(iters: usize) -> f32 {
            let (a, b) = (_mm512_set1_ps(0.999_999), _mm512_set1_ps(1e-7));
            let mut acc = [_mm512_set1_ps(1.0); ACC];
            for _ in 0..iters {
                for x in acc.iter_mut() {
                    *x = _mm512_fmadd_ps(*x, a, b);
                }
            }
            acc.iter().map(|&x| _mm512_reduce_add_ps(x)).sum()
        }
        #[target_feature(enable = "avx2,fma")]
        unsafe fn avx2(iters: usize) -> f32 {
            let (a, b) = (_mm256_set1_ps(0.999_999), _mm256_set1_ps(1e-7));
            let mut acc = [_mm256_set1_ps(1.0); ACC];
            for _ in 0..iters {
                for x in acc.iter_mut() {
                    *x = _mm256_fmadd_ps(*x, a, b);
                }
            }
            let mut out = [0.0f32; 8];
            acc.iter().for_each(|&x| _mm256_storeu_ps(out.as_mut_ptr(), _mm256_add_ps(x, _mm256_loadu_ps(out.as_ptr()))));
            out.iter().sum()
        }
        let (lanes, run): (usize, unsafe fn(usize) -> f32) = if is_x86_feature_detected!("avx512f") {
            (16, avx512)
        } else if is_x86_feature_detected!("avx2") && is_x86_feature_detected!("fma") {
            (8, avx2)
        } else {
            return None;
        };
        let iters = 20_000_000;
        // SAFETY: the features each function enables were detected above.
        unsafe { std::hint::black_box(run(iters / 10)) };
        let start = Instant::now();
        unsafe { std::hint::black_box(run(iters)) };
        Some((iters * ACC * lanes * 2) as f64 / start.elapsed().as_secs_f64() / 1e9)
    }
    #[cfg(not(target_arch = "x86_64"))]
    None
}

/// ms per call of `f`: one warm-up call, then calls for about `budget` seconds (at least 3).
fn time(budget: f64, mut f: impl FnMut()) -> f64 {
    f();
    let start = Instant::now();
    f();
    let one = start.elapsed().as_secs_f64();
    let reps = ((budget / one.max(1e-9)) as usize).clamp(3, 1000);
    let start = Instant::now();
    for _ in 0..reps {
        f();
    }
    start.elapsed().as_secs_f64() * 1e3 / reps as f64
}

struct Shape {
    config: &'static str,
    /// B·T rows, channels, heads, FFN width, vocabulary, (B, T), layers
    m: usize,
    c: usize,
    nh: usize,
    f: usize,
    v: usize,
    bt: (usize, usize),
    layers: usize,
}

const SHAPES: [Shape; 3] = [
    Shape { config: "tiny", m: 16 * 64, c: 64, nh: 4, f: 256, v: 65, bt: (16, 64), layers: 2 },
    Shape { config: "small", m: 16 * 128, c: 128, nh: 4, f: 512, v: 65, bt: (16, 128), layers: 4 },
    // SmolLM2-135M over 64 tokens: C 576, 9 heads, FFN 1536 (SwiGLU: the fc matmul is 2·1536
    // wide), vocabulary 49152; attention with 9 key/value heads (no GQA in the reference)
    Shape { config: "smol", m: 64, c: 576, nh: 9, f: 1536, v: 49152, bt: (1, 64), layers: 30 },
];

/// One row of the table: an op timed by the reference (1 thread) and the fast engine.
struct Row<'a> {
    shape: &'a Shape,
    op: &'static str,
    layer: &'static str,
    work: f64,
    unit: &'static str,
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let arg = |name: &str| args.iter().position(|a| a == name).map(|i| args[i + 1].clone());
    let only: Option<Vec<String>> = arg("--only").map(|s| s.split(',').map(String::from).collect());
    let out_file = arg("--out").unwrap_or("bench-results/cpu.json".into());
    let budget: f64 = arg("--budget").map_or(0.3, |b| b.parse().expect("--budget SECONDS"));

    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    let pools: Vec<(usize, rayon::ThreadPool)> =
        [1, cores].iter().map(|&n| (n, rayon::ThreadPoolBuilder::new().num_threads(n).build().expect("thread pool"))).collect();
    let peak = peak_gflops_per_thread();
    // the same loop on every core at once
    let peak_all: Option<f64> = peak.and_then(|_| {
        std::thread::scope(|s| {
            let runs: Vec<_> = (0..cores).map(|_| s.spawn(peak_gflops_per_thread)).collect();
            runs.into_iter().map(|r| r.join().expect("peak thread")).sum()
        })
    });
    println!(
        "peak (FMA loop on registers): {:.1} GFLOP/s per thread, {:.1} on {cores} threads",
        peak.unwrap_or(0.0),
        peak_all.unwrap_or(0.0)
    );

    let mut rows_json: Vec<Value> = vec![];
    let mut rng = Rng::new(1);
    for s in SHAPES.iter().filter(|s| only.as_ref().is_none_or(|o| o.iter().any(|n| n == s.config))) {
        let (m, c, nh, v) = (s.m, s.c, s.nh, s.v);
        let fc = if s.config == "smol" { 2 * s.f } else { s.f };
        let linears: [(&'static str, usize, usize); 5] =
            [("qkv", c, 3 * c), ("attproj", c, c), ("fc", c, fc), ("fcproj", s.f, c), ("lm_head", c, v)];
        let mut report = |row: Row, reference: f64, fast: &[(usize, f64)]| {
            let rate = |ms: f64| row.work / ms / 1e6;
            let mut line = format!(
                "{:<6} {:<18} {:<8} ref {:>9.3} ms {:>7.2} {}",
                row.shape.config,
                row.op,
                row.layer,
                reference,
                rate(reference),
                row.unit
            );
            for &(n, ms) in fast {
                line += &format!(" | fast×{n} {ms:>8.3} ms {:>7.2} ({:>5.1}× ref)", rate(ms), reference / ms);
            }
            println!("{line}");
            rows_json.push(json!({ "config": row.shape.config, "op": row.op, "layer": row.layer, "work": row.work, "unit": row.unit,
                "reference_ms": reference, "fast_ms": fast.iter().map(|&(n, ms)| json!({ "threads": n, "ms": ms })).collect::<Vec<_>>() }));
        };
        let on_pools =
            |f: &mut (dyn FnMut() + Send)| pools.iter().map(|(n, p)| (*n, p.install(|| time(budget, &mut *f)))).collect::<Vec<_>>();

        for (layer, k, n) in linears {
            let (x, w, b) = (rng.normal_vec(m * k, 1.0), rng.normal_vec(n * k, 0.02), rng.normal_vec(n, 0.02));
            let dy = rng.normal_vec(m * n, 1.0);
            let (mut y, mut pre, mut dx, mut dw, mut db) =
                (vec![0.0; m * n], vec![0.0; m * n], vec![0.0; m * k], vec![0.0; n * k], vec![0.0; n]);
            let flop = 2.0 * (m * k * n) as f64;
            let bias = (layer != "lm_head").then_some(&b[..]);
            let reference = time(budget, || cpu::matmul_forward(&mut y, &x, &w, bias, m, k, n));
            let fast = on_pools(&mut || fast::matmul_forward(&mut y, &x, &w, bias, m, k, n));
            report(Row { shape: s, op: "matmul_forward", layer, work: flop, unit: "GFLOP/s" }, reference, &fast);
            if layer == "fc" && s.config != "smol" {
                let act = cpu::Activation::Gelu;
                let reference = time(budget, || cpu::matmul_forward_act(act, &mut y, &mut pre, &x, &w, bias, m, k, n));
                let fast = on_pools(&mut || fast::matmul_forward_act(act, &mut y, &mut pre, &x, &w, bias, m, k, n));
                report(Row { shape: s, op: "matmul_forward_gelu", layer, work: flop, unit: "GFLOP/s" }, reference, &fast);
            }
            if s.config != "smol" {
                let reference = time(budget, || cpu::matmul_backward(&mut dx, &mut dw, bias.map(|_| &mut db[..]), &dy, &x, &w, m, k, n));
                let fast = on_pools(&mut || fast::matmul_backward(&mut dx, &mut dw, bias.map(|_| &mut db[..]), &dy, &x, &w, m, k, n));
                report(Row { shape: s, op: "matmul_backward", layer, work: 2.0 * flop, unit: "GFLOP/s" }, reference, &fast);
            }
        }

        let (b, t) = s.bt;
        let qkv = rng.normal_vec(m * 3 * c, 1.0);
        let (mut out, mut lse, mut preatt, mut att) =
            (vec![0.0; m * c], vec![0.0; b * nh * t], vec![0.0; b * nh * t * t], vec![0.0; b * nh * t * t]);
        let fwd_flop = 2.0 * (b * t * (t + 1) * c) as f64;
        let reference = time(budget, || cpu::attention_forward(&mut out, &mut lse, &mut preatt, &mut att, &qkv, b, t, c, nh, nh, true));
        let fast = on_pools(&mut || fast::attention_forward(&mut out, &mut lse, &mut preatt, &mut att, &qkv, b, t, c, nh, nh, true));
        report(Row { shape: s, op: "attention_forward", layer: "attn", work: fwd_flop, unit: "GFLOP/s" }, reference, &fast);
        if s.config != "smol" {
            let (dout, mut dqkv) = (rng.normal_vec(m * c, 1.0), vec![0.0; m * 3 * c]);
            let reference = time(budget, || cpu::attention_backward(&mut dqkv, &dout, &qkv, &att, b, t, c, nh, nh, true));
            let fast = on_pools(&mut || fast::attention_backward(&mut dqkv, &dout, &qkv, &att, b, t, c, nh, nh, true));
            report(Row { shape: s, op: "attention_backward", layer: "attn", work: 2.0 * fwd_flop, unit: "GFLOP/s" }, reference, &fast);
        }

        let (x, w, bias) = (rng.normal_vec(m * c, 1.0), rng.normal_vec(c, 1.0), rng.normal_vec(c, 1.0));
        let (mut y, mut mean, mut rstd) = (vec![0.0; m * c], vec![0.0; m], vec![0.0; m]);
        let bytes = 4.0 * (2.0 * (m * c) as f64 + 2.0 * m as f64 + 2.0 * c as f64);
        let reference = time(budget, || cpu::layernorm_forward(&mut y, &mut mean, &mut rstd, &x, &w, &bias, m, c, LN_EPS));
        let fast = on_pools(&mut || fast::layernorm_forward(&mut y, &mut mean, &mut rstd, &x, &w, &bias, m, c, LN_EPS));
        report(Row { shape: s, op: "layernorm_forward", layer: "ln", work: bytes, unit: "GB/s" }, reference, &fast);

        let n = m * s.f;
        let (x, mut y) = (rng.normal_vec(n, 1.0), vec![0.0; n]);
        let reference = time(budget, || cpu::gelu_forward(&mut y, &x, n));
        let fast = on_pools(&mut || fast::gelu_forward(&mut y, &x, n));
        report(Row { shape: s, op: "gelu_forward", layer: "fc", work: 8.0 * n as f64, unit: "GB/s" }, reference, &fast);

        let logits = rng.normal_vec(m * v, 1.0);
        let targets: Vec<u32> = (0..m).map(|_| rng.below(v) as u32).collect();
        let (mut probs, mut losses) = (vec![0.0; m * v], vec![0.0; m]);
        let reference = time(budget, || cpu::softmax_xent_forward(&mut probs, &mut losses, &logits, &targets, m, v));
        let fast = on_pools(&mut || fast::softmax_xent_forward(&mut probs, &mut losses, &logits, &targets, m, v));
        report(Row { shape: s, op: "softmax_xent_forward", layer: "head", work: 8.0 * (m * v) as f64, unit: "GB/s" }, reference, &fast);

        if s.config != "smol" {
            // every parameter of the model, as one AdamW call
            let config = ModelConfig { vocab_size: v, block_size: t, n_layer: s.layers, n_head: nh, n_embd: c, ..ModelConfig::default() };
            let params = ParamLayout::new(&config).padded_len();
            let (mut p, mut mo, mut ve, g) =
                (rng.normal_vec(params, 0.02), vec![0.0; params], vec![0.0; params], rng.normal_vec(params, 0.01));
            let hp = AdamWParams { lr: 1e-3, beta1: 0.9, beta2: 0.99, eps: 1e-8, weight_decay: 0.1, step: 1 };
            let reference = time(budget, || cpu::adamw_update(&mut p, &mut mo, &mut ve, &g, 1.0, &hp, params));
            let fast = on_pools(&mut || fast::adamw_update(&mut p, &mut mo, &mut ve, &g, 1.0, &hp, params));
            report(Row { shape: s, op: "adamw_update", layer: "all", work: 28.0 * params as f64, unit: "GB/s" }, reference, &fast);
        }
    }
    let result = json!({
        "kind": "cpu",
        "command": std::env::args().collect::<Vec<_>>().join(" "),
        "machine": { "cpu": std::fs::read_to_string("/proc/cpuinfo").unwrap_or_default().lines().find(|l| l.starts_with("model name")).unwrap_or("").to_string(),
            "cores": cores, "load_average_at_end": std::fs::read_to_string("/proc/loadavg").unwrap_or_default().trim() },
        "peak_gflops_per_thread": peak, "peak_gflops_all_threads": peak_all,
        "rows": rows_json,
    });
    if let Some(dir) = std::path::Path::new(&out_file).parent() {
        std::fs::create_dir_all(dir).expect("results folder");
    }
    std::fs::write(&out_file, serde_json::to_string_pretty(&result).expect("json")).expect("write results");
    println!("wrote {out_file}");
}
