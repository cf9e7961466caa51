//! `EncDecSession`: the encoder-decoder as the Train page drives it, beside `Session` (which
//! runs the single-stream families). Its data is the generated reversal task
//! (`playground_core::data::seq2seq`), one source in ten held out for validation: it draws
//! seeded batches, trains with teacher forcing,
//! evaluates on fixed batches, runs a source both ways (teacher forcing and step by step) and
//! writes checkpoints with the same metadata as `Session`'s, so a reload resumes exactly.
//!
//! A step whose loss or gradient is not finite changes no weights (both engines refuse it
//! before AdamW); the batch stream goes back to before it.

use crate::context::SharedGpu;
use crate::error::GpuError;
use crate::model::GpuModel;
use crate::session::{run_metadata, META_BATCH_RNG};
use crate::train::GpuTrainer;
use playground_core::checkpoint::Checkpoint;
use playground_core::config::Family;
use playground_core::data::seq2seq::{self, split_batch, Seq2SeqRows, MIN_SPLIT_BLOCK, TASK_NAME};
use playground_core::model::{argmax, Activations};
use playground_core::train::CpuTrainer;
use playground_core::train::{OptimizerState, StepStats, TrainConfig};
use playground_core::{CharTokenizer, CoreError, CpuModel, ModelConfig, Rng, TraceRequest};
use std::collections::BTreeMap;

/// Mixed into the training seed for the evaluation batches, which stay the same all run long.
const EVAL_SEED_SALT: u64 = 0x5E05_E7A1;

enum Engine {
    Cpu(Box<CpuTrainer>),
    /// A one-row model for decoding, and once training starts, a B-row trainer (whose
    /// weights `infer` takes before it decodes).
    Gpu {
        infer: Box<GpuModel>,
        trainer: Option<Box<GpuTrainer>>,
    },
}

/// A source run both ways: ids of the padded rows, the teacher-forced predictions, the
/// step-by-step outputs and that pass's attention per layer and head, each T × T row-major:
/// cross-attention (target rows, source columns), the encoder's self-attention over the source
/// and the decoder's causal self-attention over what it was fed.
pub struct Decoded {
    pub rows: Seq2SeqRows,
    pub forced: Vec<u32>,
    pub outputs: Vec<u32>,
    /// What step-by-step decoding fed the decoder: BOS, then its own outputs.
    pub fed: Vec<u32>,
    pub cross: Vec<Vec<Vec<f32>>>,
    pub enc_self: Vec<Vec<Vec<f32>>>,
    pub dec_self: Vec<Vec<Vec<f32>>>,
}

pub struct EncDecSession {
    engine: Engine,
    config: ModelConfig,
    pub tokenizer: CharTokenizer,
    train: Option<TrainConfig>,
    batch_rng: Rng,
    metadata: BTreeMap<String, String>,
}

impl EncDecSession {
    /// A session holding the encoder-decoder of `checkpoint`, on `gpu` or the CPU. A checkpoint
    /// of another family or vocabulary is refused by name.
    pub async fn new(gpu: Option<SharedGpu>, checkpoint: Checkpoint) -> Result<EncDecSession, GpuError> {
        let Checkpoint { config, tokenizer, params, metadata } = checkpoint;
        if config.family != Family::EncoderDecoder {
            return Err(CoreError::Checkpoint(format!(
                "this is a {:?} model, not an encoder-decoder; open it with the {:?} family",
                config.family, config.family
            ))
            .into());
        }
        if config.block_size < MIN_SPLIT_BLOCK {
            return Err(CoreError::Config {
                field: "block_size",
                value: config.block_size as u64,
                reason: format!(
                    "the reversal task needs a context of at least {MIN_SPLIT_BLOCK} (strings of 1 to context − 1 letters and EOS)"
                ),
            }
            .into());
        }
        if tokenizer != seq2seq::tokenizer() {
            return Err(CoreError::Checkpoint(format!(
                "an encoder-decoder trains on reversal, whose vocabulary is {:?}; this one has {:?}",
                seq2seq::tokenizer().chars().iter().collect::<String>(),
                tokenizer.chars().iter().collect::<String>()
            ))
            .into());
        }
        let engine = match gpu {
            None => Engine::Cpu(Box::new(CpuTrainer::new(CpuModel::from_params(config, params)?, TrainConfig::default())?)),
            Some(gpu) => Engine::Gpu { infer: Box::new(GpuModel::new(gpu, config, &params, 1).await?), trainer: None },
        };
        let batch_rng = metadata.get(META_BATCH_RNG).and_then(|s| s.parse().ok()).map_or(Rng::new(0), Rng::from_state);
        Ok(EncDecSession { engine, config, tokenizer, train: None, batch_rng, metadata })
    }

    /// A freshly initialized encoder-decoder with `config`'s sizes and architecture (its
    /// vocabulary becomes the task's).
    pub async fn fresh(gpu: Option<SharedGpu>, config: ModelConfig, seed: u64) -> Result<EncDecSession, GpuError> {
        let tokenizer = seq2seq::tokenizer();
        let config = ModelConfig { family: Family::EncoderDecoder, vocab_size: tokenizer.vocab_size(), ..config };
        let params = CpuModel::new(config, seed)?.params;
        Self::new(gpu, Checkpoint { config, tokenizer, params, metadata: BTreeMap::new() }).await
    }

    pub fn config(&self) -> &ModelConfig {
        &self.config
    }

    /// What the checkpoint this session started from says about itself (step, data, ...).
    pub fn metadata(&self) -> &BTreeMap<String, String> {
        &self.metadata
    }

    /// "webgpu" or "cpu".
    pub fn backend(&self) -> &'static str {
        match self.engine {
            Engine::Cpu(_) => "cpu",
            Engine::Gpu { .. } => "webgpu",
        }
    }

    /// Steps taken (AdamW's counter: 0 for a model without optimizer state).
    pub fn step(&self) -> u32 {
        match &self.engine {
            Engine::Cpu(tr) => tr.opt.step,
            Engine::Gpu { trainer, .. } => trainer.as_ref().map_or(0, |t| t.step_count()),
        }
    }

    /// The parameters, laid out by `ParamLayout`.
    pub async fn params(&mut self) -> Result<Vec<f32>, GpuError> {
        match &mut self.engine {
            Engine::Cpu(tr) => Ok(tr.model.params.clone()),
            Engine::Gpu { trainer: Some(t), .. } => t.model.read_params().await,
            Engine::Gpu { infer, .. } => infer.read_params().await,
        }
    }

    /// Prepares training with `train`, resuming `opt` when given; without it the optimizer
    /// and the batch stream start afresh from `train.seed`.
    pub async fn start_training(&mut self, train: TrainConfig, opt: Option<&OptimizerState>) -> Result<(), GpuError> {
        train.validate()?;
        let params = self.params().await?;
        let len = params.len();
        if let Some(o) = opt.filter(|o| o.m.len() != len || o.v.len() != len) {
            return Err(CoreError::Shape { op: "EncDecSession::start_training", expected: vec![len], got: vec![o.m.len()] }.into());
        }
        match &mut self.engine {
            Engine::Cpu(tr) => {
                let mut next = CpuTrainer::new(CpuModel::from_params(self.config, params)?, train)?;
                if let Some(o) = opt {
                    next.opt = o.clone();
                }
                **tr = next;
            }
            Engine::Gpu { infer, trainer } => {
                let gpu = infer.gpu().clone();
                let mut next = GpuTrainer::new(gpu, self.config, &params, train).await?;
                if let Some(o) = opt {
                    next.load_optimizer(o)?;
                }
                *trainer = Some(Box::new(next));
            }
        }
        if opt.is_none() {
            self.batch_rng = Rng::new(train.seed);
        }
        self.train = Some(train);
        Ok(())
    }

    fn training(&self) -> Result<TrainConfig, GpuError> {
        self.train.ok_or_else(|| CoreError::Data("training has not been started".into()).into())
    }

    /// Runs `n` teacher-forced steps on fresh reversal batches (never a held-out source). A step that breaks changes no
    /// weights; the error names it and the batch stream is back where it was before it.
    pub async fn train_steps(&mut self, n: usize) -> Result<Vec<StepStats>, GpuError> {
        let train = self.training()?;
        let (b, t) = (train.batch_size, self.config.block_size);
        let mut stats = Vec::with_capacity(n);
        for _ in 0..n {
            let before = self.batch_rng.clone();
            let batch = split_batch(b, t, &mut self.batch_rng, false);
            let step = match &mut self.engine {
                Engine::Cpu(tr) => tr.step(&[&batch.src, &batch.dec_in], &batch.targets, b, t).map_err(GpuError::from),
                Engine::Gpu { trainer: Some(tr), .. } => gpu_step(tr, &[&batch.src, &batch.dec_in], &batch.targets).await,
                Engine::Gpu { trainer: None, .. } => unreachable!("start_training built the trainer"),
            };
            match step {
                Ok(s) => stats.push(s),
                Err(err) => {
                    self.batch_rng = before;
                    return Err(err);
                }
            }
        }
        Ok(stats)
    }

    /// Mean teacher-forced loss on `batches` fixed batches of training sources and of held-out
    /// ones: (training, validation).
    pub async fn evaluate(&mut self, batches: usize) -> Result<(f32, f32), GpuError> {
        let train = self.training()?;
        let (b, t) = (train.batch_size, self.config.block_size);
        let mut losses = [0.0f32; 2];
        for (i, loss) in losses.iter_mut().enumerate() {
            let mut rng = Rng::new(train.seed ^ EVAL_SEED_SALT ^ i as u64);
            for _ in 0..batches {
                let batch = split_batch(b, t, &mut rng, i == 1);
                *loss += match &mut self.engine {
                    Engine::Cpu(tr) => tr.eval(&[&batch.src, &batch.dec_in], &batch.targets, b, t)?,
                    Engine::Gpu { trainer: Some(tr), .. } => tr.model.loss(&[&batch.src, &batch.dec_in], &batch.targets, b, t).await?,
                    Engine::Gpu { trainer: None, .. } => unreachable!("start_training built the trainer"),
                } / batches as f32;
            }
        }
        Ok((losses[0], losses[1]))
    }

    /// The model as a checkpoint, with the run's step, batch stream, training config and data
    /// in its metadata (as `Session::checkpoint` writes them).
    pub async fn checkpoint(&mut self) -> Result<Checkpoint, GpuError> {
        let metadata = run_metadata(&self.metadata, self.train, self.step(), &self.batch_rng, &format!("task: {TASK_NAME}"));
        Ok(Checkpoint { config: self.config, tokenizer: self.tokenizer.clone(), params: self.params().await?, metadata })
    }

    /// AdamW's state while training.
    pub async fn optimizer(&mut self) -> Result<OptimizerState, GpuError> {
        self.training()?;
        match &mut self.engine {
            Engine::Cpu(tr) => Ok(tr.opt.clone()),
            Engine::Gpu { trainer: Some(tr), .. } => tr.read_optimizer().await,
            Engine::Gpu { trainer: None, .. } => unreachable!("training() checked"),
        }
    }

    /// Runs `source` (letters a–h, at most block_size − 1) with teacher forcing and step by step.
    pub async fn decode(&mut self, source: &str) -> Result<Decoded, GpuError> {
        let (t, v, nh, layers) = (self.config.block_size, self.config.vocab_size, self.config.n_head, self.config.n_layer);
        let rows = seq2seq::rows(&self.tokenizer, source, &seq2seq::target_of(source), t)?;
        let [_, bos, _] = seq2seq::specials(&self.tokenizer)?;
        let heads = |att: &[f32]| -> Vec<Vec<f32>> { att.chunks(t * t).take(nh).map(<[f32]>::to_vec).collect() };
        let argmaxes = |logits: &[f32]| -> Vec<u32> { logits.chunks(v).map(argmax).collect() };
        let fed_of = |outputs: &[u32]| -> Vec<u32> { std::iter::once(bos).chain(outputs[..t - 1].iter().copied()).collect() };
        match &mut self.engine {
            Engine::Cpu(tr) => {
                let model = &tr.model;
                let mut acts = Activations::new(&model.arch, 1, t);
                model.run(&mut acts, &[&rows.src, &rows.dec_in], None)?;
                let forced = argmaxes(&acts.logits);
                let outputs = model.greedy_decode(&rows.src, bos)?;
                let fed = fed_of(&outputs);
                model.run(&mut acts, &[&rows.src, &fed], None)?;
                let cross = (0..layers).map(|l| heads(acts.cross_att(&model.arch, l))).collect();
                let enc_self = (0..layers).map(|l| heads(acts.self_att(&model.arch, 0, l))).collect();
                let dec_self = (0..layers).map(|l| heads(acts.self_att(&model.arch, 1, l))).collect();
                Ok(Decoded { rows, forced, outputs, fed, cross, enc_self, dec_self })
            }
            Engine::Gpu { infer, trainer } => {
                if let Some(tr) = trainer {
                    infer.write_params(&tr.model.read_params().await?);
                }
                let logits = TraceRequest::keys(&["logits"])?;
                let forced = argmaxes(&infer.forward_streams(&[&rows.src, &rows.dec_in], &logits).await?.trace[0].data);
                let outputs = infer.greedy_decode(&rows.src, bos).await?;
                let fed = fed_of(&outputs);
                let maps = ["decoder.block{l}.cross.head{h}.att", "encoder.block{l}.head{h}.att", "decoder.block{l}.head{h}.att"];
                let keys: Vec<String> = maps
                    .iter()
                    .flat_map(|m| {
                        (0..layers).flat_map(move |l| (0..nh).map(move |h| m.replace("{l}", &l.to_string()).replace("{h}", &h.to_string())))
                    })
                    .collect();
                let out = infer.forward_streams(&[&rows.src, &fed], &TraceRequest::keys(&keys)?).await?;
                let mut tensors = out.trace.into_iter().map(|tr| tr.data);
                let mut per_layer = || (0..layers).map(|_| (0..nh).map(|_| tensors.next().expect("one map per key")).collect()).collect();
                let (cross, enc_self, dec_self) = (per_layer(), per_layer(), per_layer());
                Ok(Decoded { rows, forced, outputs, fed, cross, enc_self, dec_self })
            }
        }
    }
}

/// One teacher-forced step on the GPU; a step whose loss or gradient is not finite was
/// refused by AdamW and is returned as the error.
async fn gpu_step(tr: &mut GpuTrainer, inputs: &[&[u32]], targets: &[u32]) -> Result<StepStats, GpuError> {
    tr.submit_step(inputs, targets)?;
    let stats = tr.read_stats().await?.remove(0);
    if !stats.loss.is_finite() || !stats.grad_norm.is_finite() {
        return Err(CoreError::NonFinite { step: stats.step, loss: stats.loss, grad_norm: stats.grad_norm }.into());
    }
    Ok(stats)
}
