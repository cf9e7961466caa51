//! Times the training step as each of `DeviceFacts::TUNING_CANDIDATES` launches it on this
//! machine's GPU, as a browser's trainer does before it trains (`Session::tune_launches`), and
//! writes each candidate's ms per step and the one kept. On a real GPU it shows whether the
//! cost model's ranking of the plans (`profile_step --cost KEY --plan P`, PERFORMANCE.md
//! "Launch tuning in the browser") holds; the GPU check runs it (tools/bench/gpu-check.sh).
//!   cargo run --release -p playground-tools --bin tune_launches -- [--json FILE] [L C NH T B V]

use playground_core::checkpoint::Checkpoint;
use playground_core::data::Dataset;
use playground_core::train::TrainConfig;
use playground_core::{CharTokenizer, CpuModel, Rng};
use playground_gpu::device::DeviceFacts;
use playground_gpu::{GpuContext, Session, SharedGpu};
use playground_tools::step_sizes::StepSizes;
use serde_json::json;
use std::time::Instant;

fn main() {
    let mut json_out = None;
    let mut words = vec![];
    let mut it = std::env::args().skip(1);
    while let Some(a) = it.next() {
        match a.as_str() {
            "--json" => json_out = it.next(),
            _ => words.push(a),
        }
    }
    let sizes = StepSizes::from_words(&words).unwrap_or_else(|e| {
        eprintln!("tune_launches: {e}; give [--json FILE] [L C NH T B V]");
        std::process::exit(2)
    });
    let (config, b) = (sizes.config, sizes.batch);
    let (t, v) = (config.block_size, config.vocab_size);
    // a text of v distinct characters drawn at random: the step's cost does not depend on them
    let vocab: Vec<char> = (0..v as u32).map(|i| char::from_u32(0x4e00 + i).expect("a CJK ideograph")).collect();
    let mut rng = Rng::new(1);
    let text: String = (0..(4 * b * (t + 1)).max(10_000)).map(|_| vocab[rng.below(v)]).collect();
    let tokenizer = CharTokenizer::from_chars(vocab).expect("distinct characters");
    let params = CpuModel::new(config, 1).expect("valid config").params;
    let gpu = SharedGpu::new(pollster::block_on(GpuContext::new()).expect("a GPU adapter"));
    let own = gpu.facts().key;
    let checkpoint = Checkpoint { config, tokenizer: tokenizer.clone(), params, metadata: Default::default() };
    let mut session = pollster::block_on(Session::new(Some(gpu.clone()), checkpoint)).expect("a session");
    session.set_data(Dataset::from_text(&text, Some(tokenizer)).expect("a dataset"), "generated".into()).expect("data");
    pollster::block_on(session.start_training(TrainConfig { batch_size: b, ..TrainConfig::default() }, None)).expect("training");
    let start = Instant::now();
    let now = || start.elapsed().as_secs_f64() * 1e3;
    let candidates = DeviceFacts::TUNING_CANDIDATES;
    // every plan, however slow its steps (a page stops at the first past SLOW_STEP_MS)
    let tuned = pollster::block_on(session.tune_launches(&candidates, f64::INFINITY, &now)).expect("timed").expect("a GPU trainer");
    println!(
        "adapter: {} (facts by name: {own}); {}; {} distinct plans, {} timed steps each",
        gpu.adapter_name(),
        sizes.label(),
        tuned.plans,
        tuned.steps
    );
    for (facts, ms) in candidates.iter().zip(&tuned.ms_per_step) {
        println!("  {:<12} {ms:>10.3} ms/step", facts.key);
    }
    println!("kept: {} (in {:.1} s, compiling included)", tuned.kept.key, now() / 1e3);
    if let Some(path) = json_out {
        let out = json!({
            "adapter": gpu.adapter_name(), "facts_by_name": own, "steps": tuned.steps, "plans": tuned.plans, "kept": tuned.kept.key,
            "config": sizes.json(),
            "ms_per_step": candidates.iter().zip(&tuned.ms_per_step).map(|(f, ms)| (f.key, *ms)).collect::<std::collections::BTreeMap<_, _>>(),
        });
        std::fs::write(&path, serde_json::to_string_pretty(&out).expect("json")).unwrap_or_else(|e| panic!("{path}: {e}"));
    }
}
