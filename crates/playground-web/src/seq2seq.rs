//! The encoder-decoder for JavaScript: trained on string reversal (teacher forcing) on the CPU
//! or WebGPU, and run on a source string both ways: teacher forcing (the decoder fed the true
//! target) and step by step (fed its own outputs), with the cross-attention of every layer and
//! head as an alignment.

use crate::errors::to_js;
use playground_core::config::Family;
use playground_core::data::seq2seq::{self, seq2seq_batch, Seq2SeqRows};
use playground_core::model::{argmax, EncDecActs};
use playground_core::train::TrainConfig;
use playground_core::train_seq2seq::Seq2SeqTrainer;
use playground_core::{CharTokenizer, CoreError, CpuModel, ModelConfig, Rng};
use playground_gpu::{GpuEncDec, GpuError};
use serde::{Deserialize, Serialize};
use wasm_bindgen::prelude::*;

/// `Seq2Seq.create`'s options; the sizes default to a model that learns reversal in a few
/// hundred steps.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Options {
    #[serde(default = "auto")]
    backend: String,
    #[serde(default = "one")]
    seed: u64,
    #[serde(default)]
    config: Option<ModelConfig>,
    #[serde(default)]
    train: Option<TrainConfig>,
}

fn auto() -> String {
    "auto".into()
}
fn one() -> u64 {
    1
}

/// One decoding mode's story, position by position.
#[derive(Serialize)]
struct Decoding {
    /// What the decoder was fed at each position (BOS, then the true target or its own outputs).
    fed: Vec<String>,
    /// What it predicted at each position.
    predicted: Vec<String>,
    /// The predicted text up to EOS.
    text: String,
}

#[derive(Serialize)]
struct Translation {
    /// The padded source row, one token per position (padding is "").
    source: Vec<String>,
    /// The true target (the source reversed).
    target: String,
    teacher: Decoding,
    greedy: Decoding,
    /// Per decoder layer, per head: the step-by-step pass's cross-attention (T rows of target
    /// positions, T columns of source positions), flattened row-major.
    cross: Vec<Vec<Vec<f32>>>,
    t: usize,
}

enum Engine {
    Cpu(Box<Seq2SeqTrainer>),
    /// The trainer (B rows) and a one-row model for decoding, given the trainer's weights first.
    Gpu {
        trainer: Box<GpuEncDec>,
        infer: Box<GpuEncDec>,
    },
}

#[wasm_bindgen]
pub struct Seq2Seq {
    engine: Engine,
    config: ModelConfig,
    train: TrainConfig,
    tokenizer: CharTokenizer,
    rng: Rng,
    step: u32,
}

#[derive(Serialize)]
struct StepDto {
    step: u32,
    loss: f32,
}

#[wasm_bindgen]
impl Seq2Seq {
    /// A fresh encoder-decoder for string reversal: `{ backend?, seed?, config?, train? }`.
    pub async fn create(options: JsValue) -> Result<Seq2Seq, JsValue> {
        let opts: Options = serde_wasm_bindgen::from_value(options).map_err(|e| to_js(CoreError::Data(e.to_string())))?;
        let tokenizer = seq2seq::tokenizer();
        let base = ModelConfig { block_size: 8, n_layer: 2, n_head: 2, n_embd: 32, ..ModelConfig::default() };
        let config = ModelConfig { vocab_size: tokenizer.vocab_size(), family: Family::EncoderDecoder, ..opts.config.unwrap_or(base) };
        let train = opts.train.unwrap_or(TrainConfig {
            batch_size: 16,
            learning_rate: 2e-3,
            warmup_steps: 20,
            max_steps: 800,
            ..TrainConfig::default()
        });
        let model = CpuModel::new(config, opts.seed).map_err(to_js)?;
        let (gpu, _) = crate::choose_gpu(&opts.backend).await?;
        let engine = match gpu {
            None => Engine::Cpu(Box::new(Seq2SeqTrainer::new(model, train).map_err(to_js)?)),
            Some(gpu) => {
                let one = TrainConfig { batch_size: 1, ..train };
                let trainer = GpuEncDec::new(gpu.clone(), config, &model.params, train.batch_size, train).await.map_err(to_js)?;
                let infer = GpuEncDec::new(gpu, config, &model.params, 1, one).await.map_err(to_js)?;
                Engine::Gpu { trainer: Box::new(trainer), infer: Box::new(infer) }
            }
        };
        Ok(Seq2Seq { engine, config, train, tokenizer, rng: Rng::new(opts.seed), step: 0 })
    }

    /// "webgpu" or "cpu".
    pub fn backend(&self) -> String {
        match self.engine {
            Engine::Cpu(_) => "cpu".into(),
            Engine::Gpu { .. } => "webgpu".into(),
        }
    }

    pub fn config(&self) -> Result<JsValue, JsValue> {
        crate::to_value(&self.config)
    }

    /// `n` teacher-forced steps on fresh reversal batches; returns `[{ step, loss }]`.
    #[wasm_bindgen(js_name = trainSteps)]
    pub async fn train_steps(&mut self, n: u32) -> Result<JsValue, JsValue> {
        let (b, t) = (self.train.batch_size, self.config.block_size);
        let mut out = Vec::with_capacity(n as usize);
        for _ in 0..n {
            let batch = seq2seq_batch(b, t, &mut self.rng);
            let loss = match &mut self.engine {
                Engine::Cpu(tr) => tr.step(&batch, b, t).map_err(to_js)?.loss,
                Engine::Gpu { trainer, .. } => trainer.step(&batch.src, &batch.dec_in, &batch.targets).await.map_err(to_js)?.loss,
            };
            out.push(StepDto { step: self.step, loss });
            self.step += 1;
        }
        crate::to_value(&out)
    }

    /// Runs the model on `source` (letters a–h, at most block_size − 1 of them) both ways.
    pub async fn translate(&mut self, source: &str) -> Result<JsValue, JsValue> {
        let t = self.config.block_size;
        let target = seq2seq::target_of(source);
        let rows = seq2seq::rows(&self.tokenizer, source, &target, t).map_err(to_js)?;
        let [_, bos, _] = seq2seq::specials(&self.tokenizer).map_err(to_js)?;
        let (forced, outputs, cross) = self.run(&rows, bos).await.map_err(to_js)?;
        let greedy_fed: Vec<u32> = std::iter::once(bos).chain(outputs[..t - 1].iter().copied()).collect();
        let spell = |ids: &[u32]| -> Vec<String> { ids.iter().map(|&id| self.spell(id)).collect() };
        let text = |ids: &[u32]| seq2seq::until_eos(&self.tokenizer, ids).map_err(to_js);
        let translation = Translation {
            source: spell(&rows.src),
            target,
            teacher: Decoding { fed: spell(&rows.dec_in), predicted: spell(&forced), text: text(&forced)? },
            greedy: Decoding { fed: spell(&greedy_fed), predicted: spell(&outputs), text: text(&outputs)? },
            cross,
            t,
        };
        crate::to_value(&translation)
    }
}

impl Seq2Seq {
    /// A token as the page shows it: padding as "", BOS and EOS as their characters.
    fn spell(&self, id: u32) -> String {
        match self.tokenizer.token(id) {
            Ok(seq2seq::PAD_CHAR) | Err(_) => String::new(),
            Ok(ch) => ch.to_string(),
        }
    }

    /// Teacher-forced predictions, step-by-step outputs, and the last step-by-step pass's
    /// cross-attention per layer and head.
    async fn run(&mut self, rows: &Seq2SeqRows, bos: u32) -> Result<(Vec<u32>, Vec<u32>, Vec<Vec<Vec<f32>>>), GpuError> {
        let (t, v, nh, layers) = (self.config.block_size, self.config.vocab_size, self.config.n_head, self.config.n_layer);
        let heads = |att: &[f32]| -> Vec<Vec<f32>> { att.chunks(t * t).take(nh).map(<[f32]>::to_vec).collect() };
        let argmaxes = |logits: &[f32]| -> Vec<u32> { logits.chunks(v).map(argmax).collect() };
        match &mut self.engine {
            Engine::Cpu(tr) => {
                let model = tr.model();
                let mut acts = EncDecActs::new(model, 1, t);
                model.seq2seq_encode(&mut acts, &rows.src)?;
                model.seq2seq_decode(&mut acts, &rows.dec_in, None)?;
                let forced = argmaxes(&acts.logits);
                let outputs = model.greedy_decode(&rows.src, bos)?;
                let fed: Vec<u32> = std::iter::once(bos).chain(outputs[..t - 1].iter().copied()).collect();
                model.seq2seq_decode(&mut acts, &fed, None)?;
                let cross = (0..layers).map(|l| heads(acts.cross_att(l))).collect();
                Ok((forced, outputs, cross))
            }
            Engine::Gpu { trainer, infer } => {
                infer.write_params(&trainer.read_params().await?);
                let forced = argmaxes(&infer.logits(&rows.src, &rows.dec_in).await?);
                let outputs = infer.greedy_decode(&rows.src, bos).await?;
                let fed: Vec<u32> = std::iter::once(bos).chain(outputs[..t - 1].iter().copied()).collect();
                infer.logits(&rows.src, &fed).await?;
                let mut cross = Vec::with_capacity(layers);
                for l in 0..layers {
                    cross.push(heads(&infer.cross_att(l).await?));
                }
                Ok((forced, outputs, cross))
            }
        }
    }
}
