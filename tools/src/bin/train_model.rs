//! Trains a model with the project's own engine on generated data and writes its checkpoint:
//! `make models` uses it for the page's default model, the tests for a "browser-trained"
//! checkpoint that PyTorch continues from. Deterministic: the same arguments give the same file.
//!   train_model --task grammar --layers 2 --heads 4 --embd 64 --context 64 --batch 16
//!               --steps 1500 --lr 1e-3 --seed 1 --vocab ascii|task --engine cpu|gpu
//!               --out FILE [--text-out FILE]

use playground_core::checkpoint::Checkpoint;
use playground_core::data::{Dataset, Task};
use playground_core::train::TrainConfig;
use playground_core::{CharTokenizer, CpuModel, ModelConfig};
use playground_gpu::session::{Session, META_DATA};
use playground_gpu::{GpuContext, SharedGpu};
use std::collections::HashMap;
use std::time::Instant;

/// Every printable ASCII character and the newline: a vocabulary in which anyone can type.
fn ascii_vocab() -> String {
    std::iter::once('\n').chain((32u8..127).map(char::from)).collect()
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let opts: HashMap<&str, &str> = args.chunks(2).map(|p| (p[0].trim_start_matches("--"), p.get(1).map_or("", |s| s.as_str()))).collect();
    let get = |k: &str, default: &'static str| opts.get(k).copied().unwrap_or(default).to_string();
    let num = |k: &str, default: &'static str| get(k, default).parse::<f64>().unwrap_or_else(|_| panic!("--{k} must be a number"));
    let task = Task::parse(&get("task", "grammar")).expect("a known task");
    let seed = num("seed", "1") as u64;
    let tokenizer = match get("vocab", "ascii").as_str() {
        "ascii" => CharTokenizer::from_text(&ascii_vocab()).expect("a vocabulary"),
        _ => CharTokenizer::from_text(&task.alphabet()).expect("a vocabulary"),
    };
    let data = Dataset::from_task(task, seed, Some(tokenizer.clone())).expect("task data");
    let config = ModelConfig {
        vocab_size: tokenizer.vocab_size(),
        block_size: num("context", "64") as usize,
        n_layer: num("layers", "2") as usize,
        n_head: num("heads", "4") as usize,
        n_embd: num("embd", "64") as usize,
        ..ModelConfig::default()
    };
    let steps = num("steps", "1500") as u32;
    let train = TrainConfig {
        batch_size: num("batch", "16") as usize,
        learning_rate: num("lr", "1e-3") as f32,
        min_lr: num("lr", "1e-3") as f32 / 10.0,
        warmup_steps: steps / 20,
        max_steps: steps,
        seed,
        ..TrainConfig::default()
    };
    let gpu = match get("engine", "cpu").as_str() {
        "gpu" => Some(SharedGpu::new(pollster::block_on(GpuContext::new()).expect("a GPU adapter"))),
        _ => None,
    };
    let params = CpuModel::new(config, seed).expect("valid config").params;
    let start = Checkpoint { config, tokenizer, params, metadata: Default::default() };
    let mut session = pollster::block_on(Session::new(gpu, start)).expect("session");
    session.set_data(data.clone(), format!("task: {}", task.name())).expect("data fits the model");
    pollster::block_on(session.start_training(train, None)).expect("training starts");
    let clock = Instant::now();
    let chunk = 50;
    let mut done = 0;
    let mut val = f32::NAN;
    while done < steps {
        let n = chunk.min(steps - done);
        let stats = pollster::block_on(session.train_steps(n as usize)).expect("finite steps");
        done += n;
        let (_, v) = pollster::block_on(session.evaluate(4)).expect("evaluation");
        val = v;
        let last = stats.last().expect("steps ran");
        eprintln!("step {done:>5}  loss {:.4}  val {v:.4}  lr {:.2e}  {:.1} s", last.loss, last.lr, clock.elapsed().as_secs_f32());
    }
    let mut checkpoint = pollster::block_on(session.checkpoint()).expect("checkpoint");
    checkpoint.metadata.insert("val_loss".into(), val.to_string());
    checkpoint.metadata.insert(META_DATA.into(), format!("task: {}", task.name()));
    checkpoint.metadata.insert("trained_with".into(), format!("playground train_model ({})", session.backend()));
    let out = get("out", "model.safetensors");
    std::fs::write(&out, checkpoint.to_bytes().expect("serializes")).expect("write the checkpoint");
    if let Some(path) = opts.get("text-out") {
        std::fs::write(path, task.generate(playground_core::data::TASK_TRAIN_CHARS, seed)).expect("write the text");
    }
    println!("{out}: {} steps, val loss {val:.4}, {:.1} s", done, clock.elapsed().as_secs_f32());
}
