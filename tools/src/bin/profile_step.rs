//! Every dispatch of one training step, one at a time: timed on this machine's GPU (GPU
//! timestamps where the adapter has them, else wall clock; each dispatch repeated), or, with
//! `--cost`, estimated by the cost model (tools/src/cost/) for another GPU, recording the step
//! as that GPU would (its grid and tile choices) without running it. `--cost KEY --measure`
//! does both, for calibrating the model on the GPU it describes: each dispatch's estimate, its
//! time here and their ratio. `--cost KEY --plan OTHER` records the step as OTHER's facts
//! choose its launches and estimates it on KEY: what a GPU loses to launches chosen for
//! another (a browser, which cannot name its GPU, chooses for `generic`).
//!   cargo run --release -p playground-tools --bin profile_step -- [--json FILE] [L C NH T B V]
//!   cargo run --release -p playground-tools --bin profile_step -- --cost h100|h200|rtx3060|m2|m1|intel-igpu|generic|emulated [--plan KEY] [--measure] [--json FILE] [L C NH T B V]

use playground_core::train::TrainConfig;
use playground_core::CpuModel;
use playground_gpu::context::{Step, OPTIONAL_FEATURES};
use playground_gpu::device::DeviceFacts;
use playground_gpu::{GpuContext, GpuTrainer, SharedGpu};
use playground_tools::cost::{estimate_step, table, DRAM_EFFICIENCY, ISSUE_EFFICIENCY};
use playground_tools::step_sizes::StepSizes;
use playground_tools::timer::Timer;
use serde_json::{json, Value};
use std::collections::BTreeMap;

struct Args {
    cost: Option<DeviceFacts>,
    /// The facts the launches are chosen by, where not the estimated GPU's.
    plan: Option<DeviceFacts>,
    measure: bool,
    json: Option<String>,
    sizes: StepSizes,
}

fn parse_args() -> Result<Args, String> {
    let (mut cost, mut plan, mut measure, mut json) = (None, None, false, None);
    let keys = DeviceFacts::PRESETS.map(|f| f.key).join(", ");
    let preset = |flag: &str, key: Option<String>| {
        let key = key.ok_or(format!("{flag} needs a GPU: {keys}"))?;
        DeviceFacts::preset(&key).ok_or(format!("{flag}: no facts for {key:?}; {keys}"))
    };
    let mut sizes = vec![];
    let mut it = std::env::args().skip(1);
    while let Some(a) = it.next() {
        match a.as_str() {
            "--cost" => cost = Some(preset("--cost", it.next())?),
            "--plan" => plan = Some(preset("--plan", it.next())?),
            "--measure" => measure = true,
            "--json" => json = Some(it.next().ok_or("--json needs a file")?),
            _ => sizes.push(a),
        }
    }
    if (measure || plan.is_some()) && cost.is_none() {
        return Err("--measure and --plan go with --cost".into());
    }
    Ok(Args { cost, plan, measure, json, sizes: StepSizes::from_words(&sizes)? })
}

/// Seconds of measurement per dispatch (at least 3 repetitions).
const BUDGET: f64 = 0.02;

fn main() {
    let args = parse_args().unwrap_or_else(|e| {
        eprintln!("profile_step: {e}");
        std::process::exit(2)
    });
    let (config, b) = (args.sizes.config, args.sizes.batch);
    let mut context =
        pollster::block_on(GpuContext::with_optional_features(wgpu::Features::TIMESTAMP_QUERY | OPTIONAL_FEATURES)).expect("a GPU adapter");
    if let Some(facts) = args.plan.or(args.cost) {
        context = context.with_device_facts(facts);
    }
    let gpu = SharedGpu::new(context);
    println!("adapter: {}, {:?}; {}", gpu.adapter_name(), gpu.device.features(), args.sizes.label());
    let params = CpuModel::new(config, 1).expect("valid config").params;
    let trainer =
        pollster::block_on(GpuTrainer::new(gpu.clone(), config, &params, TrainConfig { batch_size: b, ..TrainConfig::default() }))
            .expect("trainer");
    let (plan, tail) = trainer.recorded();
    let timer = Timer::new(gpu.clone());
    let measure = args.cost.is_none() || args.measure;
    if measure {
        // the first launch of a pipeline can include driver work (lavapipe compiles shader
        // variants lazily), which is not part of a step
        timer.pass_ms(&trainer.step_ops(), 1);
    }
    // µs of each dispatch on this GPU, None for clears and copies (not timed)
    let measured: Vec<Option<f64>> = plan
        .iter()
        .map(|s| match s {
            Step::Run(op) => Some(op),
            _ => None,
        })
        .chain(tail.iter().map(|&op| Some(op)))
        .map(|op| op.filter(|_| measure).map(|op| timer.time(&[op], BUDGET, 3).0 * 1e3))
        .collect();
    let mut out = json!({ "adapter": gpu.adapter_name(), "timing": timer.method(), "config": args.sizes.json() });
    match args.cost {
        Some(facts) => {
            let rows = estimate_step(&facts, plan, &tail);
            print!("{}", table(&facts, &rows));
            println!("facts: {}", facts.sources);
            if let Some(chooser) = args.plan {
                println!("launches chosen by the facts of {} (--plan {})", chooser.name, chooser.key);
                out["launches_chosen_for"] = json!(chooser.key);
            }
            let mut dispatches = serde_json::to_value(&rows).expect("json");
            if args.measure {
                compare(&rows.iter().map(|r| (r.kernel, r.us)).collect::<Vec<_>>(), &measured);
                for (d, m) in dispatches.as_array_mut().expect("rows").iter_mut().zip(&measured) {
                    d["measured_us"] = json!(m);
                }
            }
            out["kind"] = json!("cost-model estimate (not a measurement)");
            out["device"] = json!({ "key": facts.key, "name": facts.name, "compute_units": facts.compute_units, "fma_lanes": facts.fma_lanes,
                "clock_ghz": facts.clock_ghz, "dram_gb_s": facts.dram_gb_s, "dispatch_us": facts.dispatch_us, "sources": facts.sources });
            out["calibration"] = json!({ "issue_efficiency": ISSUE_EFFICIENCY, "dram_efficiency": DRAM_EFFICIENCY });
            out["estimated_total_us"] = json!(rows.iter().map(|r| r.us).sum::<f64>());
            out["dispatches"] = dispatches;
        }
        None => {
            let names: Vec<&'static str> = plan
                .iter()
                .map(|s| match s {
                    Step::Run(op) => op.kernel.source().name,
                    Step::Zero(_) => "clear_buffer",
                    Step::Copy { .. } => "copy_buffer",
                })
                .chain(tail.iter().map(|op| op.kernel.source().name))
                .collect();
            summary(&names, &measured);
            out["kind"] = json!("measurement");
            out["dispatches"] = names.iter().zip(&measured).map(|(k, m)| json!({ "kernel": k, "measured_us": m })).collect::<Value>();
        }
    }
    if measure {
        out["measured_total_us"] = json!(measured.iter().flatten().sum::<f64>());
    }
    if let Some(path) = args.json {
        std::fs::write(&path, serde_json::to_string_pretty(&out).expect("json")).unwrap_or_else(|e| panic!("{path}: {e}"));
        println!("wrote {path}");
    }
}

/// Per kernel: time, calls and share of the step, slowest first.
fn summary(names: &[&'static str], measured: &[Option<f64>]) {
    let mut per_kernel: BTreeMap<&'static str, (f64, u32)> = BTreeMap::new();
    for (name, us) in names.iter().zip(measured) {
        if let Some(us) = us {
            let e = per_kernel.entry(name).or_default();
            (e.0, e.1) = (e.0 + us / 1e3, e.1 + 1);
        }
    }
    let total: f64 = per_kernel.values().map(|v| v.0).sum();
    let mut rows: Vec<_> = per_kernel.into_iter().collect();
    rows.sort_by(|a, b| b.1 .0.total_cmp(&a.1 .0));
    println!("{:<34} {:>9} {:>6} {:>7}", "kernel", "ms/step", "calls", "share");
    for (name, (ms, calls)) in rows {
        println!("{name:<34} {ms:>9.3} {calls:>6} {:>6.1}%", 100.0 * ms / total);
    }
    println!("{:<34} {total:>9.3} (clears not timed)", "total");
}

/// Each dispatch's estimate next to its time here, and the ratio.
fn compare(estimates: &[(&'static str, f64)], measured: &[Option<f64>]) {
    println!("{:>4} {:<34} {:>10} {:>11} {:>9}", "#", "kernel", "est µs", "measured µs", "est/meas");
    for (i, ((name, est), m)) in estimates.iter().zip(measured).enumerate() {
        match m {
            Some(m) => println!("{i:>4} {name:<34} {est:>10.1} {m:>11.1} {:>9.2}", est / m),
            None => println!("{i:>4} {name:<34} {est:>10.1} {:>11} {:>9}", "-", "-"),
        }
    }
    let (est, meas): (f64, f64) =
        estimates.iter().zip(measured).filter_map(|((_, e), m)| m.map(|m| (*e, m))).fold((0.0, 0.0), |a, x| (a.0 + x.0, a.1 + x.1));
    println!("timed dispatches: estimated {:.2} ms, measured {:.2} ms, ratio {:.2}", est / 1e3, meas / 1e3, est / meas);
}
