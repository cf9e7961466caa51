//! `Session`: a model of any family with its tokenizer, its training data and its run, as the
//! page works with it. It cuts seeded batches, runs steps, keeps the last good state and goes
//! back to it when a step breaks, evaluates on fixed batches, runs the model on the user's
//! text (a decoder's or an encoder's trace and generation; an encoder-decoder's translation,
//! teacher-forced and step by step) and writes checkpoints.
//!
//! A decoder or an encoder trains on windows of a dataset (a task's text or the user's); an
//! encoder-decoder on the generated reversal task (`playground_core::data::seq2seq`), one
//! source in ten held out for validation. A call that belongs to the other families is
//! refused with a typed error naming the call.

use crate::context::SharedGpu;
use crate::device::DeviceFacts;
use crate::engine::{Batch, Engine, Snapshot};
use crate::error::GpuError;
use crate::launch_tuning::{self, Tuned};
use crate::train::Launch;
use playground_core::checkpoint::Checkpoint;
use playground_core::data::mlm::{check_classifier, check_mask, training_batch};
use playground_core::data::seq2seq::{self, split_batch, Seq2SeqRows, MIN_SPLIT_BLOCK, TASK_NAME};
use playground_core::data::Dataset;
use playground_core::model::argmax;
use playground_core::train::{OptimizerState, StepStats, TrainConfig};
use playground_core::{sample, CharTokenizer, CoreError, CpuModel, Family, ForwardOutput, ModelConfig, Rng, SamplingParams, TraceRequest};
use std::collections::BTreeMap;

/// Mixed into the training seed for the evaluation batches, which stay the same all run long
/// so that successive validation losses are comparable.
const EVAL_SEED_SALT: u64 = 0xE7A1_5EED;

/// Metadata keys a session writes into its checkpoints.
pub const META_STEP: &str = "step";
pub const META_BATCH_RNG: &str = "batch_rng_state";
pub const META_TRAIN_CONFIG: &str = "train_config";
pub const META_DATA: &str = "data";

/// What a model trains on.
enum Data {
    /// Windows of a dataset's token stream (a decoder or an encoder).
    Windows(Dataset),
    /// The generated reversal task (an encoder-decoder).
    Reversal,
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

pub struct Session {
    engine: Engine,
    pub tokenizer: CharTokenizer,
    data: Option<Data>,
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
    /// An encoder-decoder's vocabulary must be the reversal task's, which is then its data.
    pub async fn new(gpu: Option<SharedGpu>, checkpoint: Checkpoint) -> Result<Session, GpuError> {
        let Checkpoint { config, tokenizer, params, metadata } = checkpoint;
        let data = match config.family {
            Family::EncoderDecoder => Some(check_reversal(&config, &tokenizer)?),
            _ => None,
        };
        let engine = Engine::new(gpu, config, params).await?;
        let batch_rng = metadata.get(META_BATCH_RNG).and_then(|s| s.parse().ok()).map_or(Rng::new(0), Rng::from_state);
        let data_source = match data {
            Some(_) => format!("task: {TASK_NAME}"),
            None => metadata.get(META_DATA).cloned().unwrap_or_default(),
        };
        Ok(Session { engine, tokenizer, data, data_source, train: None, batch_rng, last_good: None, metadata })
    }

    /// A freshly initialized encoder-decoder with `config`'s sizes and architecture, trained
    /// on the reversal task (whose vocabulary becomes its own).
    pub async fn fresh_reversal(gpu: Option<SharedGpu>, config: ModelConfig, seed: u64) -> Result<Session, GpuError> {
        let tokenizer = seq2seq::tokenizer();
        let config = ModelConfig { family: Family::EncoderDecoder, vocab_size: tokenizer.vocab_size(), ..config };
        let params = CpuModel::new(config, seed)?.params;
        Self::new(gpu, Checkpoint { config, tokenizer, params, metadata: BTreeMap::new() }).await
    }

    /// What the checkpoint this session started from says about itself (step, data, ...).
    pub fn metadata(&self) -> &BTreeMap<String, String> {
        &self.metadata
    }

    /// The parameters, laid out by `ParamLayout`.
    pub async fn params(&mut self) -> Result<Vec<f32>, GpuError> {
        self.engine.params().await
    }

    pub fn engine(&mut self) -> &mut Engine {
        &mut self.engine
    }

    pub fn config(&self) -> &ModelConfig {
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

    /// Refuses `what` for an encoder-decoder, which reads a source and a target.
    pub fn check_stream(&self, what: &str) -> Result<(), GpuError> {
        match self.config().family {
            Family::EncoderDecoder => Err(wrong_family(Family::EncoderDecoder, what)),
            _ => Ok(()),
        }
    }

    /// Refuses `what`, an encoder-decoder's call, for the other families.
    pub fn check_encdec(&self, what: &str) -> Result<(), GpuError> {
        match self.config().family {
            Family::EncoderDecoder => Ok(()),
            family => Err(wrong_family(family, what)),
        }
    }

    /// Sets the training data of a decoder or an encoder; it must be tokenized with this model's
    /// vocabulary and hold a window of block_size + 1 tokens in each split.
    pub fn set_data(&mut self, data: Dataset, source: String) -> Result<(), GpuError> {
        self.check_stream("training data")?;
        if data.tokenizer != self.tokenizer {
            return Err(CoreError::Data("the data uses another vocabulary than the model".into()).into());
        }
        data.check_block(self.engine.config().block_size)?;
        let cfg = self.engine.config();
        match (cfg.family, cfg.n_classes) {
            (Family::Encoder, 0) => drop(check_mask(&self.tokenizer)?),
            (Family::Encoder, _) => check_classifier(cfg, &self.tokenizer)?,
            _ => {}
        }
        self.data = Some(Data::Windows(data));
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

    /// Times the training step as each of `candidates` would launch it, on the run's next batch
    /// (one untimed step to compile and warm each plan, then the same number of timed steps for
    /// each, submitted back to back; only the first where one of its steps takes over
    /// `slow_step_ms`, `launch_tuning::SLOW_STEP_MS` in a page; a candidate whose launches are an
    /// earlier one's takes its time untimed), keeps the fastest (`launch_tuning::fastest`) and puts the
    /// weights, the optimizer and the step count back, so the run goes on as if untimed but for
    /// the order of some sums. `now` is a clock in ms. None on the CPU engine, which has no
    /// launches to size; an error before training starts. After an error the first candidate's
    /// plan runs.
    pub async fn tune_launches(
        &mut self,
        candidates: &[DeviceFacts],
        slow_step_ms: f64,
        now: &dyn Fn() -> f64,
    ) -> Result<Option<Tuned>, GpuError> {
        self.training()?;
        if !matches!(self.engine, Engine::GpuTrainer(_)) || candidates.is_empty() {
            return Ok(None);
        }
        let batch = self.next_batch()?;
        let before = self.engine.snapshot().await?;
        let timed = self.time_launches(candidates, &batch, slow_step_ms, now).await;
        let kept = match &timed {
            Ok((ms, ..)) => candidates[launch_tuning::fastest(ms)],
            Err(_) => candidates[0],
        };
        let relaunched = self.engine.relaunch_training(kept).await;
        self.engine.restore(&before)?;
        let (ms_per_step, steps, plans) = timed?;
        relaunched?;
        Ok(Some(Tuned { kept, ms_per_step, steps, plans }))
    }

    /// Each candidate's ms per step on `batch`, the steps timed for each, and the distinct plans run.
    async fn time_launches(
        &mut self,
        candidates: &[DeviceFacts],
        batch: &Batch,
        slow_step_ms: f64,
        now: &dyn Fn() -> f64,
    ) -> Result<(Vec<f64>, usize, usize), GpuError> {
        let mut steps = 0;
        let mut ms_per_step = vec![];
        let mut timed: Vec<(Vec<Launch>, f64)> = vec![];
        for &facts in candidates {
            self.engine.relaunch_training(facts).await?;
            let launches = match &self.engine {
                Engine::GpuTrainer(t) => t.launches(),
                _ => vec![],
            };
            if let Some((_, ms)) = timed.iter().find(|(other, _)| *other == launches) {
                ms_per_step.push(*ms);
                continue;
            }
            self.engine.train_steps(std::slice::from_ref(batch)).await?;
            if steps == 0 {
                let start = now();
                self.engine.train_steps(std::slice::from_ref(batch)).await?;
                let one = now() - start;
                if one > slow_step_ms {
                    return Ok((vec![one], 1, 1));
                }
                steps = launch_tuning::timed_steps(one);
            }
            let batches = vec![batch.clone(); steps];
            let start = now();
            self.engine.train_steps(&batches).await?;
            ms_per_step.push((now() - start) / steps as f64);
            timed.push((launches, ms_per_step[ms_per_step.len() - 1]));
        }
        Ok((ms_per_step, steps, timed.len()))
    }

    /// The training config and the data, once training has started.
    fn training(&self) -> Result<(TrainConfig, &Data), GpuError> {
        match (&self.train, &self.data) {
            (Some(t), Some(d)) => Ok((*t, d)),
            _ => Err(CoreError::Data("training has not been started".into()).into()),
        }
    }

    /// A batch of `b` rows from `rng`: of the training split, or of the validation split.
    fn batch(&self, data: &Data, b: usize, validation: bool, rng: &mut Rng) -> Result<Batch, GpuError> {
        let cfg = self.engine.config();
        Ok(match data {
            Data::Windows(d) => {
                let split = if validation { &d.val } else { &d.train };
                let (x, y) = training_batch(cfg, &self.tokenizer, split, b, rng)?;
                Batch { inputs: vec![x], targets: y }
            }
            Data::Reversal => {
                let rows = split_batch(b, cfg.block_size, rng, validation);
                Batch { inputs: vec![rows.src, rows.dec_in], targets: rows.targets }
            }
        })
    }

    /// Runs `n` steps. If one of them breaks (NaN or infinity), the model, its optimizer and
    /// the batch stream go back to where they were after the last call that went well, and the
    /// error says which step broke.
    pub async fn train_steps(&mut self, n: usize) -> Result<Vec<StepStats>, GpuError> {
        let (train, data) = self.training()?;
        let mut rng = self.batch_rng.clone();
        let batches = (0..n).map(|_| self.batch(data, train.batch_size, false, &mut rng)).collect::<Result<Vec<_>, _>>()?;
        self.batch_rng = rng;
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

    /// The batch the next training step will use, without advancing the stream.
    pub fn next_batch(&self) -> Result<Batch, GpuError> {
        let (train, data) = self.training()?;
        self.batch(data, train.batch_size, false, &mut self.batch_rng.clone())
    }

    /// Mean loss on `batches` fixed batches of the training and of the validation split.
    pub async fn evaluate(&mut self, batches: usize) -> Result<(f32, f32), GpuError> {
        let (train, data) = self.training()?;
        // generated examples (a classifier's, reversal) are not cut from the split: each split
        // takes a stream of its own; windows of the two splits can share one
        let generated = matches!(data, Data::Reversal) || self.engine.config().n_classes > 0;
        let mut all = Vec::with_capacity(2);
        for validation in [false, true] {
            let mut rng = Rng::new(train.seed ^ EVAL_SEED_SALT ^ u64::from(validation && generated));
            all.push((0..batches).map(|_| self.batch(data, train.batch_size, validation, &mut rng)).collect::<Result<Vec<_>, _>>()?);
        }
        let mut losses = [0.0f32; 2];
        for (loss, split) in losses.iter_mut().zip(all) {
            for batch in &split {
                *loss += self.engine.loss(batch, train.batch_size).await? / batches as f32;
            }
        }
        Ok((losses[0], losses[1]))
    }

    /// Inference with a trace (see `playground_core::trace`) of a decoder or an encoder.
    pub async fn forward(&mut self, tokens: &[u32], request: &TraceRequest) -> Result<ForwardOutput, GpuError> {
        self.check_stream("forward")?;
        self.engine.forward(&[tokens], request).await
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
        self.check_stream("generate")?;
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
                self.engine.forward(&[context], &request).await?.trace.swap_remove(0).data
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

    /// Runs an encoder-decoder on `source` (letters a–h, at most block_size − 1) with teacher
    /// forcing and step by step, with every attention map of the step-by-step pass.
    pub async fn decode(&mut self, source: &str) -> Result<Decoded, GpuError> {
        self.check_encdec("translate")?;
        let cfg = *self.config();
        let (t, v, nh, layers) = (cfg.block_size, cfg.vocab_size, cfg.n_head, cfg.n_layer);
        let rows = seq2seq::rows(&self.tokenizer, source, &seq2seq::target_of(source), t)?;
        let [_, bos, _] = seq2seq::specials(&self.tokenizer)?;
        let logits = TraceRequest::keys(&["logits"])?;
        let teacher = self.engine.forward(&[&rows.src, &rows.dec_in], &logits).await?;
        let forced = teacher.trace[0].data.chunks(v).map(argmax).collect();
        let outputs = self.engine.greedy_decode(&rows.src, bos).await?;
        let fed: Vec<u32> = std::iter::once(bos).chain(outputs[..t - 1].iter().copied()).collect();
        // cross-attention, then the encoder's and the decoder's self-attention: layer by layer, head by head
        let maps = ["decoder.block{l}.cross.head{h}.att", "encoder.block{l}.head{h}.att", "decoder.block{l}.head{h}.att"];
        let key = |m: &str, l: usize, h: usize| m.replace("{l}", &l.to_string()).replace("{h}", &h.to_string());
        let keys: Vec<String> = maps.iter().flat_map(|m| (0..layers).flat_map(move |l| (0..nh).map(move |h| key(m, l, h)))).collect();
        let out = self.engine.forward(&[&rows.src, &fed], &TraceRequest::keys(&keys)?).await?;
        let mut tensors = out.trace.into_iter().map(|tr| tr.data);
        let mut per_layer = || (0..layers).map(|_| (0..nh).map(|_| tensors.next().expect("one map per key")).collect()).collect();
        let (cross, enc_self, dec_self) = (per_layer(), per_layer(), per_layer());
        Ok(Decoded { rows, forced, outputs, fed, cross, enc_self, dec_self })
    }

    /// The model as a checkpoint, with the run's step, batch stream, training config and data
    /// source in its metadata (so a reload resumes where it was).
    pub async fn checkpoint(&mut self) -> Result<Checkpoint, GpuError> {
        let mut metadata = self.metadata.clone();
        if let Some(train) = self.train {
            metadata.insert(META_STEP.into(), self.step().to_string());
            metadata.insert(META_BATCH_RNG.into(), self.batch_rng.state().to_string());
            metadata.insert(META_TRAIN_CONFIG.into(), playground_core::train::to_json(&train));
        }
        if !self.data_source.is_empty() {
            metadata.insert(META_DATA.into(), self.data_source.clone());
        }
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
        self.training()?;
        self.engine.optimizer().await
    }
}

/// An encoder-decoder trains on reversal: its context must hold a source and its vocabulary
/// must be the task's.
fn check_reversal(config: &ModelConfig, tokenizer: &CharTokenizer) -> Result<Data, GpuError> {
    if config.block_size < MIN_SPLIT_BLOCK {
        let reason =
            format!("the reversal task needs a context of at least {MIN_SPLIT_BLOCK} (strings of 1 to context − 1 letters and EOS)");
        return Err(CoreError::Config { field: "block_size", value: config.block_size as u64, reason }.into());
    }
    if *tokenizer != seq2seq::tokenizer() {
        return Err(CoreError::Checkpoint(format!(
            "an encoder-decoder trains on reversal, whose vocabulary is {:?}; this one has {:?}",
            seq2seq::tokenizer().chars().iter().collect::<String>(),
            tokenizer.chars().iter().collect::<String>()
        ))
        .into());
    }
    Ok(Data::Reversal)
}

/// The refusal of a call that belongs to the other family: `what` says which call.
fn wrong_family(family: Family, what: &str) -> GpuError {
    let reason = match family {
        Family::EncoderDecoder => format!("{what} reads one token stream, and an encoder-decoder reads a source and a target"),
        _ => format!("{what} is for an encoder-decoder, and this model is not one"),
    };
    CoreError::Architecture { field: "family", value: format!("{family:?}"), reason }.into()
}
