//! `Session`: a model with its tokenizer, its training data and its run, as the page works
//! with it. It cuts seeded batches, runs steps, keeps the last good state and goes back to it
//! when a step breaks, evaluates on fixed windows, generates text and writes checkpoints.

use crate::context::SharedGpu;
use crate::engine::{Engine, Snapshot};
use crate::error::GpuError;
use playground_core::checkpoint::Checkpoint;
use playground_core::data::mlm::{check_classifier, check_mask, training_batch};
use playground_core::data::Dataset;
use playground_core::train::{OptimizerState, StepStats, TrainConfig};
use playground_core::{sample, CharTokenizer, CoreError, ForwardOutput, Rng, SamplingParams, TraceRequest};
use std::collections::BTreeMap;

/// Mixed into the training seed for the evaluation windows, which stay the same all run long
/// so that successive validation losses are comparable.
const EVAL_SEED_SALT: u64 = 0xE7A1_5EED;

/// Metadata keys a session writes into its checkpoints.
pub const META_STEP: &str = "step";
pub const META_BATCH_RNG: &str = "batch_rng_state";
pub const META_TRAIN_CONFIG: &str = "train_config";
pub const META_DATA: &str = "data";

/// A checkpoint's metadata: the model's own (`base`), and while a run trains (`train`) its
/// step, batch stream and training config, so a reload resumes where it was; `data` says what
/// it trains on (none if empty).
pub(crate) fn run_metadata(
    base: &BTreeMap<String, String>,
    train: Option<TrainConfig>,
    step: u32,
    batch_rng: &Rng,
    data: &str,
) -> BTreeMap<String, String> {
    let mut metadata = base.clone();
    if let Some(train) = train {
        metadata.insert(META_STEP.into(), step.to_string());
        metadata.insert(META_BATCH_RNG.into(), batch_rng.state().to_string());
        metadata.insert(META_TRAIN_CONFIG.into(), playground_core::train::to_json(&train));
    }
    if !data.is_empty() {
        metadata.insert(META_DATA.into(), data.into());
    }
    metadata
}

pub struct Session {
    engine: Engine,
    pub tokenizer: CharTokenizer,
    data: Option<Dataset>,
    /// What the data is, in words ("task: grammar", "text: 12,345 characters").
    data_source: String,
    train: Option<TrainConfig>,
    batch_rng: Rng,
    /// The last good state: the engine's snapshot and where the batch stream was.
    last_good: Option<(Snapshot, Rng)>,
    /// Metadata carried over from the checkpoint the session started from.
    metadata: BTreeMap<String, String>,
}

impl Session {
    /// A session on `gpu` (or the CPU) holding the model of `checkpoint`, ready for inference.
    pub async fn new(gpu: Option<SharedGpu>, checkpoint: Checkpoint) -> Result<Session, GpuError> {
        let engine = Engine::new(gpu, checkpoint.config, checkpoint.params).await?;
        let batch_rng = match checkpoint.metadata.get(META_BATCH_RNG).and_then(|s| s.parse().ok()) {
            Some(state) => Rng::from_state(state),
            None => Rng::new(0),
        };
        Ok(Session {
            engine,
            tokenizer: checkpoint.tokenizer,
            data: None,
            data_source: checkpoint.metadata.get(META_DATA).cloned().unwrap_or_default(),
            train: None,
            batch_rng,
            last_good: None,
            metadata: checkpoint.metadata,
        })
    }

    /// What the checkpoint this session started from says about itself (step, data, ...).
    pub fn metadata(&self) -> &BTreeMap<String, String> {
        &self.metadata
    }

    pub fn engine(&mut self) -> &mut Engine {
        &mut self.engine
    }

    pub fn config(&self) -> &playground_core::ModelConfig {
        self.engine.config()
    }

    pub fn backend(&self) -> &'static str {
        self.engine.backend()
    }

    pub fn step(&self) -> u32 {
        self.engine.step_count()
    }

    pub fn train_config(&self) -> Option<TrainConfig> {
        self.train
    }

    /// Sets the training data; it must be tokenized with this model's vocabulary and hold a
    /// window of block_size + 1 tokens in each split.
    pub fn set_data(&mut self, data: Dataset, source: String) -> Result<(), GpuError> {
        if data.tokenizer != self.tokenizer {
            return Err(CoreError::Data("the data uses another vocabulary than the model".into()).into());
        }
        data.check_block(self.engine.config().block_size)?;
        let cfg = self.engine.config();
        match (cfg.family, cfg.n_classes) {
            (playground_core::Family::Encoder, 0) => drop(check_mask(&self.tokenizer)?),
            (playground_core::Family::Encoder, _) => check_classifier(cfg, &self.tokenizer)?,
            _ => {}
        }
        self.data = Some(data);
        self.data_source = source;
        Ok(())
    }

    /// Prepares training with `train` (allocating gradients and optimizer state), resuming
    /// `opt` when given. The batch stream restarts from `train.seed` unless resuming.
    pub async fn start_training(&mut self, train: TrainConfig, opt: Option<&OptimizerState>) -> Result<(), GpuError> {
        train.validate()?;
        if self.data.is_none() {
            return Err(CoreError::Data("choose a task or give a text to train on first".into()).into());
        }
        self.engine.start_training(train, opt).await?;
        if opt.is_none() {
            self.batch_rng = Rng::new(train.seed);
        }
        self.train = Some(train);
        self.last_good = Some((self.engine.snapshot().await?, self.batch_rng.clone()));
        Ok(())
    }

    /// Runs `n` steps. If one of them breaks (NaN or infinity), the model, its optimizer and
    /// the batch stream go back to where they were after the last call that went well, and the
    /// error says which step broke.
    pub async fn train_steps(&mut self, n: usize) -> Result<Vec<StepStats>, GpuError> {
        let (train, data) = match (&self.train, &self.data) {
            (Some(t), Some(d)) => (t, d),
            _ => return Err(CoreError::Data("training has not been started".into()).into()),
        };
        let cfg = *self.engine.config();
        let batches = (0..n)
            .map(|_| training_batch(&cfg, &self.tokenizer, &data.train, train.batch_size, &mut self.batch_rng))
            .collect::<Result<Vec<_>, _>>()?;
        match self.engine.train_steps(&batches).await {
            Ok(stats) => {
                self.last_good = Some((self.engine.snapshot().await?, self.batch_rng.clone()));
                Ok(stats)
            }
            Err(err @ GpuError::Core(CoreError::NonFinite { .. })) => {
                if let Some((snapshot, rng)) = &self.last_good {
                    self.engine.restore(snapshot)?;
                    self.batch_rng = rng.clone();
                }
                Err(err)
            }
            Err(err) => Err(err),
        }
    }

    /// The batch (x, y, B) the next training step will use, without advancing the stream.
    pub fn next_batch(&self) -> Result<(Vec<u32>, Vec<u32>, usize), GpuError> {
        let (train, data) = match (&self.train, &self.data) {
            (Some(t), Some(d)) => (t, d),
            _ => return Err(CoreError::Data("training has not been started".into()).into()),
        };
        let cfg = *self.engine.config();
        let (x, y) = training_batch(&cfg, &self.tokenizer, &data.train, train.batch_size, &mut self.batch_rng.clone())?;
        Ok((x, y, train.batch_size))
    }

    /// Mean loss on `batches` fixed batches of the training and of the validation split.
    pub async fn evaluate(&mut self, batches: usize) -> Result<(f32, f32), GpuError> {
        let (train, data) = match (&self.train, &self.data) {
            (Some(t), Some(d)) => (*t, d.clone()),
            _ => return Err(CoreError::Data("training has not been started".into()).into()),
        };
        let cfg = *self.engine.config();
        let mut losses = [0.0f32; 2];
        for (i, split) in [&data.train, &data.val].into_iter().enumerate() {
            // a classifier's examples are generated, not cut from the split: its validation
            // examples come from a stream of their own
            let salt = if cfg.n_classes > 0 { EVAL_SEED_SALT ^ i as u64 } else { EVAL_SEED_SALT };
            let mut rng = Rng::new(train.seed ^ salt);
            for _ in 0..batches {
                let (x, y) = training_batch(&cfg, &self.tokenizer, split, train.batch_size, &mut rng)?;
                losses[i] += self.engine.loss(&x, &y, train.batch_size).await? / batches as f32;
            }
        }
        Ok((losses[0], losses[1]))
    }

    /// Inference with a trace (see `playground_core::trace`).
    pub async fn forward(&mut self, tokens: &[u32], request: &TraceRequest) -> Result<ForwardOutput, GpuError> {
        self.engine.forward(tokens, request).await
    }

    /// Continues `prompt` by `n` tokens, each drawn with `sampling` from `rng`, the context
    /// being the last block_size tokens.
    ///
    /// A decoder runs the prompt once and then each new token once, with a KV cache. When the
    /// context is full, the window moves on by one token, which changes every position: the
    /// cache is then refilled from the last block_size tokens (a full forward per token from
    /// there on, as without a cache), so the tokens are exactly those of recomputing the
    /// whole context every time. An encoder (not causal) recomputes every time.
    pub async fn generate(&mut self, prompt: &[u32], n: usize, sampling: &SamplingParams, rng: &mut Rng) -> Result<Vec<u32>, GpuError> {
        let cfg = *self.engine.config();
        let (block, v) = (cfg.block_size, cfg.vocab_size);
        let mut ids = prompt.to_vec();
        if ids.is_empty() {
            ids.push(0);
        }
        if n == 0 {
            return Ok(vec![]);
        }
        let request = TraceRequest::keys(&["logits"])?;
        let cached = playground_core::model::check_cacheable(&cfg).is_ok();
        let mut cpu_kv = None;
        let mut held = 0; // positions in the cache
        for _ in 0..n {
            let context = &ids[ids.len().saturating_sub(block)..];
            let logits = if !cached {
                self.engine.forward(context, &request).await?.trace.swap_remove(0).data
            } else if held == 0 || held == block {
                // the first call, or the window moved: refill from the context
                held = context.len();
                self.engine.forward_cached(&mut cpu_kv, context, true).await?
            } else {
                held += 1;
                self.engine.forward_cached(&mut cpu_kv, &context[context.len() - 1..], false).await?
            };
            ids.push(sample(&logits[logits.len() - v..], sampling, rng)?);
        }
        Ok(ids[ids.len() - n..].to_vec())
    }

    /// The model as a checkpoint, with the run's step, batch stream, training config and data
    /// source in its metadata (so a reload resumes where it was).
    pub async fn checkpoint(&mut self) -> Result<Checkpoint, GpuError> {
        let metadata = run_metadata(&self.metadata, self.train, self.step(), &self.batch_rng, &self.data_source);
        Ok(Checkpoint { config: *self.engine.config(), tokenizer: self.tokenizer.clone(), params: self.engine.params().await?, metadata })
    }

    /// Fault injection for tests: `"nan"` turns one weight into NaN (the next step breaks and
    /// the session rolls back), `"device-lost"` destroys the GPU device.
    pub async fn inject_fault(&mut self, kind: &str) -> Result<(), GpuError> {
        match kind {
            "nan" => {
                let mut params = self.engine.params().await?;
                // a weight of the first attention's queries, keys and values
                let arch = playground_core::arch::Architecture::new(self.engine.config());
                let first = arch.sublayers().find_map(|(_, s)| s.attention()).expect("every model has attention");
                params[first.qkv.weight.offset] = f32::NAN;
                self.engine.write_params(&params)
            }
            "device-lost" => {
                self.engine.lose_device();
                Ok(())
            }
            other => Err(CoreError::Data(format!("unknown fault {other:?}: \"nan\" or \"device-lost\"")).into()),
        }
    }

    /// AdamW's state while training.
    pub async fn optimizer(&mut self) -> Result<OptimizerState, GpuError> {
        self.engine.optimizer().await
    }
}
