//! Writes the bundles the PyTorch parity test (tests/python/test_parity.py) compares against,
//! one per architecture variant in DIR/<variant>/ (plus DIR/encoder, a BERT-style encoder
//! trained by masked-LM, DIR/classifier, an encoder with a [CLS] classifier, and DIR/encdec, an
//! encoder-decoder on string reversal whose bundle adds the source `src`, and DIR/encdec_gqa, one
//! with grouped-query attention and q/k/v biases only): a checkpoint, and for each engine (CPU
//! reference, GPU) one training step on one batch — the batch, logits, loss, every gradient,
//! the gradient norm and the parameters after one clipped AdamW step — as safetensors.
//!   cargo run --release -p playground-tools --bin parity_bundle -- DIR

use playground_core::checkpoint::Checkpoint;
use playground_core::config::{Ffn, LinearBias, Norm, NormPosition, Positions};
use playground_core::data::batch;
use playground_core::data::classify::classify_batch;
use playground_core::data::mlm::{mlm_batch, with_mask};
use playground_core::data::seq2seq::{self, seq2seq_batch, Seq2SeqRows};
use playground_core::model::Activations;
use playground_core::train::{CpuTrainer, TrainConfig};
use playground_core::{CharTokenizer, CpuModel, Family, ModelConfig, ParamLayout, Rng, TraceRequest};
use playground_gpu::{GpuContext, GpuTrainer, SharedGpu};
use safetensors::tensor::{Dtype, TensorView};
use std::collections::HashMap;
use std::path::Path;

/// What one engine computed for the step.
struct StepResult {
    logits: Vec<f32>, // (B, T, V)
    loss: f32,
    grad_norm: f32,
    grads: Vec<f32>, // like params
    after: Vec<f32>, // params after the update
}

/// Which training objective a bundle exercises.
#[derive(Clone, Copy)]
enum Objective {
    NextToken,
    MaskedLm,
    Classify,
}

fn main() {
    let root = std::env::args().nth(1).expect("usage: parity_bundle DIR");
    // odd sizes on purpose: C not a multiple of 4, three heads, T = block_size; rotary
    // models need an even head width, so theirs is 6 (C = 18)
    let tokenizer = CharTokenizer::from_text("abcdefghijkl ").expect("a vocabulary");
    let base =
        ModelConfig { vocab_size: tokenizer.vocab_size(), block_size: 8, n_layer: 2, n_head: 3, n_embd: 15, ..ModelConfig::default() };
    let variants = [
        ("gpt2", base),
        ("rmsnorm", ModelConfig { norm: Norm::RmsNorm, ..base }),
        ("postnorm", ModelConfig { norm_position: NormPosition::Post, ..base }),
        ("sinusoidal", ModelConfig { positions: Positions::Sinusoidal, ..base }),
        ("rotary", ModelConfig { positions: Positions::Rotary, n_embd: 18, ..base }),
        ("gelu_tanh", ModelConfig { ffn: Ffn::GeluTanh, ..base }),
        ("relu", ModelConfig { ffn: Ffn::Relu, ..base }),
        ("swiglu", ModelConfig { ffn: Ffn::SwiGlu, ..base }),
        ("untied", ModelConfig { tie_head: false, ..base }),
        (
            "all",
            ModelConfig {
                norm: Norm::RmsNorm,
                norm_position: NormPosition::Post,
                positions: Positions::Rotary,
                ffn: Ffn::SwiGlu,
                tie_head: false,
                n_embd: 18,
                ..base
            },
        ),
        // grouped-query attention (three heads over one key/value head), the blocks' Linear
        // layers without biases or with q/k/v biases only, and a Llama-style model of all of them
        // with more than one key/value head (six heads over two, head width 4)
        ("gqa", ModelConfig { n_kv_head: Some(1), ..base }),
        ("nobias", ModelConfig { linear_bias: LinearBias::None, ..base }),
        ("qkvbias", ModelConfig { linear_bias: LinearBias::QkvOnly, ..base }),
        (
            "llama",
            ModelConfig {
                norm: Norm::RmsNorm,
                positions: Positions::Rotary,
                ffn: Ffn::SwiGlu,
                tie_head: false,
                n_head: 6,
                n_kv_head: Some(2),
                linear_bias: LinearBias::None,
                n_embd: 24,
                ..base
            },
        ),
        (
            // the fields a Hugging Face Llama brings: its FFN width, RoPE base and epsilon
            "llama_shape",
            ModelConfig {
                norm: Norm::RmsNorm,
                positions: Positions::Rotary,
                ffn: Ffn::SwiGlu,
                tie_head: false,
                n_embd: 18,
                ffn_hidden: Some(40),
                rope_theta: 1e6,
                norm_eps: 0.01,
                ..base
            },
        ),
    ];
    let gpu = SharedGpu::new(pollster::block_on(GpuContext::new()).expect("a GPU adapter (lavapipe in tests)"));
    for (name, config) in variants {
        write_bundle(&format!("{root}/{name}"), &gpu, config, tokenizer.clone(), Objective::NextToken);
    }
    // a BERT-style encoder trained by masked-LM, and one with a [CLS] classifier
    let masked = with_mask(&tokenizer).expect("no [MASK] in the text");
    let encoder = ModelConfig { vocab_size: masked.vocab_size(), family: Family::Encoder, ..base };
    write_bundle(&format!("{root}/encoder"), &gpu, encoder, masked, Objective::MaskedLm);
    let brackets = playground_core::data::classify::tokenizer();
    let classifier = ModelConfig { vocab_size: brackets.vocab_size(), family: Family::Encoder, n_classes: 2, ..base };
    write_bundle(&format!("{root}/classifier"), &gpu, classifier, brackets, Objective::Classify);
    // the original Transformer: encoder, decoder with cross-attention, on string reversal
    let reversal = seq2seq::tokenizer();
    let encdec = ModelConfig { vocab_size: reversal.vocab_size(), family: Family::EncoderDecoder, ..base };
    write_encdec_bundle(&format!("{root}/encdec"), &gpu, encdec, reversal.clone());
    let grouped = ModelConfig { n_kv_head: Some(1), linear_bias: LinearBias::QkvOnly, ..encdec };
    write_encdec_bundle(&format!("{root}/encdec_gqa"), &gpu, grouped, reversal);
}

/// Clip at 0.5 so that the clipping path is exercised; no warmup: step 0 uses the peak lr.
fn train_config() -> TrainConfig {
    TrainConfig { batch_size: 3, learning_rate: 3e-3, warmup_steps: 0, grad_clip: 0.5, ..TrainConfig::default() }
}

/// A model with weights well away from the initialization, so every nonlinearity works in its
/// curved range and a wrong formula (e.g. tanh-GELU for erf-GELU) shows up in the numbers;
/// its checkpoint is written to `dir`.
fn perturbed_model(dir: &str, config: ModelConfig, tokenizer: CharTokenizer) -> CpuModel {
    std::fs::create_dir_all(dir).expect("create the bundle directory");
    let mut model = CpuModel::new(config, 42).expect("valid config");
    let mut noise = Rng::new(43);
    for t in model.arch.layout.tensors() {
        for w in t.span.of_mut(&mut model.params) {
            *w += noise.normal() * 0.5;
        }
    }
    let checkpoint = Checkpoint { config, tokenizer, params: model.params.clone(), metadata: Default::default() };
    std::fs::write(Path::new(dir).join("model.safetensors"), checkpoint.to_bytes().expect("serializes")).expect("write model");
    model
}

/// The encoder-decoder's checkpoint and both engines' teacher-forced step on a reversal batch.
fn write_encdec_bundle(dir: &str, gpu: &SharedGpu, config: ModelConfig, tokenizer: CharTokenizer) {
    let train = train_config();
    let model = perturbed_model(dir, config, tokenizer);
    let (b, t) = (train.batch_size, config.block_size);
    let batch = seq2seq_batch(b, t, &mut Rng::new(6));
    let Seq2SeqRows { src, dec_in, targets } = &batch;

    let cpu = cpu_step(&model, train, &[src, dec_in], targets);
    write_engine(dir, "cpu", model.layout(), dec_in, targets, Some(src), train, &cpu);
    let gpu_result = pollster::block_on(gpu_step(gpu.clone(), &model, train, &[src, dec_in], targets));
    write_engine(dir, "gpu", model.layout(), dec_in, targets, Some(src), train, &gpu_result);
    println!("parity bundle written to {dir}: loss cpu {} gpu {}", cpu.loss, gpu_result.loss);
}

/// The checkpoint and both engines' step for one model and objective, into `dir`.
fn write_bundle(dir: &str, gpu: &SharedGpu, config: ModelConfig, tokenizer: CharTokenizer, objective: Objective) {
    let train = train_config();
    let model = perturbed_model(dir, config, tokenizer);

    let stream: Vec<u32> = {
        let mut rng = Rng::new(5);
        (0..200).map(|_| rng.below(config.vocab_size) as u32).collect()
    };
    let mut rng = Rng::new(6);
    let (b, t, mask) = (train.batch_size, config.block_size, config.vocab_size as u32 - 1);
    let (x, y) = match objective {
        Objective::NextToken => batch(&stream, b, t, &mut rng),
        Objective::MaskedLm => mlm_batch(&stream.iter().map(|&id| id % mask).collect::<Vec<_>>(), b, t, mask, &mut rng),
        Objective::Classify => classify_batch(b, t, &mut rng),
    };
    let layout = ParamLayout::new(&config);

    let cpu = cpu_step(&model, train, &[&x], &y);
    write_engine(dir, "cpu", &layout, &x, &y, None, train, &cpu);
    let gpu_result = pollster::block_on(gpu_step(gpu.clone(), &model, train, &[&x], &y));
    write_engine(dir, "gpu", &layout, &x, &y, None, train, &gpu_result);
    println!("parity bundle written to {dir}: loss cpu {} gpu {}", cpu.loss, gpu_result.loss);
}

/// One step of the CPU trainer on each stack's inputs (B, T) and the targets `y`.
fn cpu_step(model: &CpuModel, train: TrainConfig, inputs: &[&[u32]], y: &[u32]) -> StepResult {
    let (b, t) = (train.batch_size, model.config.block_size);
    let mut acts = Activations::new(&model.arch, b, t);
    model.forward_train(&mut acts, inputs, y).expect("forward");
    let mut trainer = CpuTrainer::new(model.clone(), train).expect("trainer");
    let stats = trainer.step(inputs, y, b, t).expect("a finite step");
    StepResult { logits: acts.logits, loss: stats.loss, grad_norm: stats.grad_norm, grads: trainer.grads, after: trainer.model.params }
}

/// The GPU trainer's step on the same batch, and the logits before it.
async fn gpu_step(gpu: SharedGpu, model: &CpuModel, train: TrainConfig, inputs: &[&[u32]], y: &[u32]) -> StepResult {
    let (b, t) = (train.batch_size, model.config.block_size);
    let mut trainer = GpuTrainer::new(gpu, model.config, &model.params, train).await.expect("trainer");
    // logits of the batch before the step: one forward per row through the trace
    let mut logits = Vec::new();
    for r in 0..b {
        let row: Vec<&[u32]> = inputs.iter().map(|s| &s[r * t..(r + 1) * t]).collect();
        let out = trainer.model.forward_streams(&row, &TraceRequest::keys(&["logits"]).expect("a key")).await.expect("forward");
        logits.extend_from_slice(&out.trace[0].data);
    }
    debug_assert_eq!(logits.len(), b * t * model.config.vocab_size);
    trainer.submit_step(inputs, y).expect("step");
    let stats = trainer.read_stats().await.expect("stats");
    let grads = trainer.read_grads().await.expect("grads");
    let after = trainer.model.read_params().await.expect("params");
    StepResult { logits, loss: stats[0].loss, grad_norm: stats[0].grad_norm, grads, after }
}

/// One engine's step into DIR/<engine>.safetensors; `src` is an encoder-decoder's source.
#[allow(clippy::too_many_arguments)]
fn write_engine(
    dir: &str,
    engine: &str,
    layout: &ParamLayout,
    x: &[u32],
    y: &[u32],
    src: Option<&[u32]>,
    train: TrainConfig,
    r: &StepResult,
) {
    let (b, t) = (train.batch_size, x.len() / train.batch_size);
    let v = r.logits.len() / x.len();
    let mut owned: Vec<(String, Dtype, Vec<usize>, Vec<u8>)> = vec![
        ("x".into(), Dtype::I32, vec![b, t], x.iter().flat_map(|&i| (i as i32).to_le_bytes()).collect()),
        ("y".into(), Dtype::I32, vec![b, t], y.iter().flat_map(|&i| (i as i32).to_le_bytes()).collect()),
        ("logits".into(), Dtype::F32, vec![b, t, v], f32_bytes(&r.logits)),
        ("loss".into(), Dtype::F32, vec![1], f32_bytes(&[r.loss])),
        ("grad_norm".into(), Dtype::F32, vec![1], f32_bytes(&[r.grad_norm])),
    ];
    if let Some(src) = src {
        owned.push(("src".into(), Dtype::I32, vec![b, t], src.iter().flat_map(|&i| (i as i32).to_le_bytes()).collect()));
    }
    for p in layout.tensors() {
        owned.push((format!("grad.{}", p.name), Dtype::F32, p.shape.clone(), f32_bytes(p.span.of(&r.grads))));
        owned.push((format!("after.{}", p.name), Dtype::F32, p.shape.clone(), f32_bytes(p.span.of(&r.after))));
    }
    let views: Vec<(String, TensorView)> =
        owned.iter().map(|(n, d, s, data)| (n.clone(), TensorView::new(*d, s.clone(), data).expect("consistent view"))).collect();
    let meta = HashMap::from([
        ("train_config".to_string(), playground_core::train::to_json(&train)),
        ("lr".to_string(), train.lr_at(0).to_string()),
        ("engine".to_string(), engine.to_string()),
    ]);
    let bytes = safetensors::tensor::serialize(views, Some(meta)).expect("serializes");
    std::fs::write(Path::new(dir).join(format!("{engine}.safetensors")), bytes).expect("write bundle");
}

fn f32_bytes(v: &[f32]) -> Vec<u8> {
    v.iter().flat_map(|x| x.to_le_bytes()).collect()
}
