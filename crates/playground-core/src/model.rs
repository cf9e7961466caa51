//! `CpuModel`: a model of any family on the CPU, its description run by the executor
//! (`model::exec`) through the reference ops. Ops run in llm.c's order; `playground-gpu`'s
//! recorder records the same list.
//!
//! A forward pass reads one token stream per stack: the tokens of a decoder or an encoder,
//! or an encoder-decoder's source and decoder input (BOS, then the target shifted right).

mod acts;
mod exec;
mod kv_cache;
mod ops;

use crate::ablation::Ablation;
use crate::arch::Architecture;
use crate::config::{Family, ModelConfig};
use crate::cpu;
use crate::error::CoreError;
use crate::params::ParamLayout;
use crate::rng::Rng;
use crate::trace::{TraceKey, TraceRequest, TraceTensor};
pub use acts::{Activations, ClassifierActs, StackActs, SubActs};
pub use exec::{Executor, Observe};
pub use kv_cache::{check_cacheable, check_room, KvCache};
pub use ops::{CpuKernels, CpuOps, Fast, Reference};

/// Standard deviation of nanoGPT's initial weights.
pub const INIT_STD: f32 = 0.02;

/// What a forward pass returns: the mean loss when targets were given, and the trace asked for.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct ForwardOutput {
    pub loss: Option<f32>,
    pub trace: Vec<TraceTensor>,
}

impl ForwardOutput {
    pub fn get(&self, key: &str) -> Option<&TraceTensor> {
        self.trace.iter().find(|t| t.key == key)
    }
}

/// Checks token ids against the config before any op reads them (llm.c's asserts, as values).
pub fn check_tokens(cfg: &ModelConfig, tokens: &[u32], b: usize, t: usize) -> Result<(), CoreError> {
    check_shape(cfg, tokens.len(), b, t)?;
    if let Some(&id) = tokens.iter().find(|&&id| id as usize >= cfg.vocab_size) {
        return Err(CoreError::TokenOutOfRange { id, vocab: cfg.vocab_size });
    }
    Ok(())
}

/// A batch of `len` ids must be B×T, with 0 < T ≤ block_size.
fn check_shape(cfg: &ModelConfig, len: usize, b: usize, t: usize) -> Result<(), CoreError> {
    if t == 0 || b == 0 {
        return Err(CoreError::EmptyText);
    }
    if t > cfg.block_size {
        return Err(CoreError::TooLong { t, block_size: cfg.block_size });
    }
    if len != b * t {
        return Err(CoreError::BatchShape { got: len, b, t });
    }
    Ok(())
}

/// Checks training targets: token ids (class ids for a [CLS] classifier), where
/// [`cpu::IGNORE`] marks a position outside the loss; at least one position must count.
pub fn check_targets(cfg: &ModelConfig, targets: &[u32], b: usize, t: usize) -> Result<(), CoreError> {
    // IGNORE is u32::MAX, which is usize::MAX on wasm32: ids are checked against the range below
    check_shape(cfg, targets.len(), b, t)?;
    let range = cfg.target_range();
    if let Some(&id) = targets.iter().find(|&&id| id != cpu::IGNORE && id as usize >= range) {
        return Err(CoreError::TokenOutOfRange { id, vocab: range });
    }
    if cpu::counted(targets) == 0 {
        return Err(CoreError::Data("every target is ignored, so there is no loss to train on".into()));
    }
    Ok(())
}

/// Refuses the single-stream entry points (`forward`, KV-cached decoding) for an encoder-decoder.
pub fn single_stream(cfg: &ModelConfig) -> Result<(), CoreError> {
    if cfg.family == Family::EncoderDecoder {
        return Err(CoreError::Architecture {
            field: "family",
            value: "encoder_decoder".into(),
            reason: "an encoder-decoder reads a source and a target: use the seq2seq forward".into(),
        });
    }
    Ok(())
}

/// Checks one stream of (B, T) tokens per stack: a source and a decoder input for an
/// encoder-decoder, the tokens for the other families.
pub fn check_inputs(arch: &Architecture, inputs: &[&[u32]], b: usize, t: usize) -> Result<(), CoreError> {
    if inputs.len() != arch.stacks.len() {
        let reason = match arch.stacks.len() {
            1 => "this model reads one token stream, not a source and a target",
            _ => "an encoder-decoder reads a source and a target",
        };
        let value = format!("{:?}", arch.config.family);
        return Err(CoreError::Architecture { field: "family", value, reason: reason.into() });
    }
    inputs.iter().try_for_each(|tokens| check_tokens(&arch.config, tokens, b, t))
}

/// nanoGPT's initialization: N(0, 0.02) for embeddings and Linear weights (an untied lm_head
/// too), scaled by 1/√(2L) for the projections that write into the residual stream; biases 0;
/// norm weights 1.
pub fn init_params(cfg: &ModelConfig, seed: u64) -> Vec<f32> {
    let layout = ParamLayout::new(cfg);
    let mut params = vec![0.0f32; layout.padded_len()];
    let mut rng = Rng::new(seed);
    let proj_std = INIT_STD / (2.0 * cfg.n_layer as f32).sqrt();
    for t in layout.tensors() {
        let dst = t.span.of_mut(&mut params);
        if t.name.ends_with("c_proj.weight") {
            dst.copy_from_slice(&rng.normal_vec(t.numel(), proj_std));
        } else if t.decay {
            dst.copy_from_slice(&rng.normal_vec(t.numel(), INIT_STD));
        } else if t.name.contains("ln_") && t.name.ends_with(".weight") {
            dst.fill(1.0);
        } // biases stay 0
    }
    params
}

/// The model on the CPU: config, description (with its parameter layout), the flat parameter
/// buffer, and which ops run it.
#[derive(Clone, Debug)]
pub struct CpuModel {
    pub config: ModelConfig,
    pub arch: Architecture,
    pub params: Vec<f32>, // arch.layout.padded_len()
    /// Heads and blocks switched off in inference (see `ablation`); `None` in training.
    pub ablation: Option<Ablation>,
    /// The reference ops unless set otherwise (`with_kernels`).
    pub kernels: CpuKernels,
}

impl CpuModel {
    /// A freshly initialized model; the same seed gives the same weights on every target.
    pub fn new(config: ModelConfig, seed: u64) -> Result<Self, CoreError> {
        config.validate()?;
        Self::from_params(config, init_params(&config, seed))
    }

    /// A model from an existing flat parameter buffer (e.g. a checkpoint or the GPU).
    pub fn from_params(config: ModelConfig, params: Vec<f32>) -> Result<Self, CoreError> {
        config.validate()?;
        let arch = Architecture::new(&config);
        if params.len() != arch.layout.padded_len() {
            return Err(CoreError::Shape {
                op: "CpuModel::from_params",
                expected: vec![arch.layout.padded_len()],
                got: vec![params.len()],
            });
        }
        Ok(CpuModel { config, arch, params, ablation: None, kernels: CpuKernels::Reference })
    }

    /// The same model run by `kernels`.
    pub fn with_kernels(self, kernels: CpuKernels) -> Self {
        CpuModel { kernels, ..self }
    }

    pub fn layout(&self) -> &ParamLayout {
        &self.arch.layout
    }

    /// The executor of this model with its ops.
    pub fn executor(&self) -> Executor<'_> {
        Executor {
            arch: &self.arch,
            params: &self.params,
            ops: self.kernels.ops(),
            ablation: self.ablation.as_ref().filter(|m| m.is_active()),
        }
    }

    /// Inference over one sequence (B = 1) of a single-stream model, returning the requested trace.
    pub fn forward(&self, tokens: &[u32], request: &TraceRequest) -> Result<ForwardOutput, CoreError> {
        single_stream(&self.config)?;
        self.forward_streams(&[tokens], request)
    }

    /// Inference over one row (B = 1) of each stack's stream, returning the requested trace.
    pub fn forward_streams(&self, inputs: &[&[u32]], request: &TraceRequest) -> Result<ForwardOutput, CoreError> {
        let keys = request.resolve(&self.arch)?;
        let t = inputs.first().map_or(0, |s| s.len());
        let mut acts = Activations::new(&self.arch, 1, t);
        self.run(&mut acts, inputs, None)?;
        let trace = keys.iter().map(|k| self.trace_tensor(k, &acts, inputs)).collect();
        Ok(ForwardOutput { loss: None, trace })
    }

    /// Forward over a batch (B, T) of each stack's stream: keeps the activations, and returns
    /// the mean loss when targets are given.
    pub fn run(&self, acts: &mut Activations, inputs: &[&[u32]], targets: Option<&[u32]>) -> Result<Option<f32>, CoreError> {
        let (b, t) = (acts.b, acts.t);
        check_inputs(&self.arch, inputs, b, t)?;
        if let Some(tg) = targets {
            check_targets(&self.config, tg, b, t)?;
        }
        let exec = self.executor();
        for (s, tokens) in inputs.iter().enumerate() {
            exec.stack_forward(acts, s, tokens, None);
        }
        Ok(exec.head_forward(acts, targets))
    }

    /// Forward with targets: returns the mean loss, keeps the activations.
    pub fn forward_train(&self, acts: &mut Activations, inputs: &[&[u32]], targets: &[u32]) -> Result<f32, CoreError> {
        Ok(self.run(acts, inputs, Some(targets))?.expect("targets given, so a loss"))
    }

    /// Gradients of the mean loss of the last `forward_train` into `grads` (overwritten).
    pub fn backward(&self, grads: &mut [f32], acts: &Activations, inputs: &[&[u32]], targets: &[u32]) {
        self.executor().backward(grads, acts, inputs, targets, cpu::counted(targets), &mut |_, _, _, _| {});
    }

    /// `backward`, showing each sublayer's gradients to `observe(stack, sublayer, buffer,
    /// values)` as they are made (see `Executor::backward`).
    pub fn backward_observed(&self, grads: &mut [f32], acts: &Activations, inputs: &[&[u32]], targets: &[u32], observe: &mut Observe) {
        self.executor().backward(grads, acts, inputs, targets, cpu::counted(targets), observe);
    }

    /// Step-by-step (greedy) decoding of one source row (T tokens) by an encoder-decoder: the
    /// decoder is fed BOS and then its own previous outputs, and position k's most likely
    /// token becomes output k. Returns the T outputs; the encoder runs once.
    pub fn greedy_decode(&self, src: &[u32], bos: u32) -> Result<Vec<u32>, CoreError> {
        let (t, v) = (src.len(), self.config.vocab_size);
        // positions after k do not reach position k (causal self-attention), so BOS pads them
        let mut dec_in = vec![bos; t];
        check_inputs(&self.arch, &[src, &dec_in], 1, t)?;
        let mut acts = Activations::new(&self.arch, 1, t);
        let exec = self.executor();
        exec.stack_forward(&mut acts, 0, src, None);
        let mut out = Vec::with_capacity(t);
        for k in 0..t {
            exec.stack_forward(&mut acts, 1, &dec_in, None);
            exec.head_forward(&mut acts, None);
            let next = argmax(&acts.logits[k * v..(k + 1) * v]);
            out.push(next);
            if k + 1 < t {
                dec_in[k + 1] = next;
            }
        }
        Ok(out)
    }

    /// One traced tensor for batch row 0; `inputs` are each stack's tokens.
    pub fn trace_tensor(&self, key: &TraceKey, acts: &Activations, inputs: &[&[u32]]) -> TraceTensor {
        let (t, c) = (acts.t, self.config.n_embd);
        let (shape, axes) = key.shape(&self.arch, t);
        let data = match key.locate(&self.arch, t) {
            Some(loc) => loc.extract(acts.get(loc.site)),
            None => match *key {
                TraceKey::Tokens(s) => inputs[s][..t].iter().map(|&id| id as f32).collect(),
                TraceKey::EmbedTok(s) => {
                    let wte = self.arch.embedding.wte.of(&self.params);
                    inputs[s][..t].iter().flat_map(|&id| wte[id as usize * c..(id as usize + 1) * c].to_vec()).collect()
                }
                TraceKey::EmbedPos(_) => self.executor().position_rows(t).expect("TraceKey::parse refuses embed.pos for rotary models"),
                TraceKey::ClsProbs => {
                    let k = self.config.n_classes;
                    acts.cls.as_ref().expect("TraceKey::parse refuses cls_probs without classes").probs[..t * k].to_vec()
                }
                _ => unreachable!("every other key has a locator"),
            },
        };
        TraceTensor { key: key.name(&self.arch), shape, axes, data }
    }
}

/// The index of the largest value (the first of equals).
pub fn argmax(row: &[f32]) -> u32 {
    row.iter().enumerate().fold((0, f32::NEG_INFINITY), |best, (i, &x)| if x > best.1 { (i, x) } else { best }).0 as u32
}
