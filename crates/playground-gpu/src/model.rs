//! `GpuModel`: a model of any family on the GPU, its description recorded into plans of
//! kernel launches (`model/record.rs`), the same op list as the CPU executor's.
//!
//! Parameters live in one buffer at `ParamLayout`'s offsets (each tensor bound as a slice);
//! activations get one buffer each, sized for (max_batch, block_size) and used as a packed
//! (B, T) prefix by smaller runs. The ops of each (B, T) shape are recorded once into a plan
//! and replayed: a forward pass is one submission, and only what the caller asked for is
//! copied back.

mod kv_cache;
mod record;

use crate::context::{SharedGpu, Step};
use crate::error::GpuError;
use crate::readback::{words_to_f32, Region, Staging};
use crate::split::{ParamParts, VocabChunks};
use crate::tensor::GpuTensor;
pub(crate) use kv_cache::{Cached, KvBuffers};
use playground_core::ablation::Ablation;
use playground_core::arch::Architecture;
use playground_core::config::Positions;
use playground_core::cpu::{rope_table, sinusoidal_table};
use playground_core::model::{argmax, check_inputs, check_targets, single_stream, Activations, SubActs};
use playground_core::params::Span;
use playground_core::trace::{Locator, TraceKey};
use playground_core::{CoreError, ForwardOutput, ModelConfig, TraceRequest, TraceTensor};
pub(crate) use record::BackwardBufs;
use std::collections::HashMap;

/// The activations of `playground_core::model` as GPU buffers, sized for (max_batch,
/// block_size); attention's scores and weights are (NH, T, T) for one row, allocated when a
/// trace first asks for them.
pub(crate) type GpuActs = Activations<GpuTensor>;
type SubBufs = SubActs<GpuTensor>;

/// Plans kept at most; inference at many lengths would otherwise grow the cache without end.
const MAX_PLANS: usize = 32;

/// What identifies a recorded op list.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub(crate) struct PlanKey {
    pub(crate) b: usize,
    pub(crate) t: usize,
    /// Writes every attention's (T, T) scores and weights (a trace asked for them; B = 1).
    pub(crate) keep_weights: bool,
    pub(crate) with_targets: bool,
    /// Scales heads and blocks by the ablation mask (inference only).
    pub(crate) ablate: bool,
    /// Runs the rows after those in the KV cache (B = 1), appending theirs.
    pub(crate) cached: Cached,
}

pub struct GpuModel {
    pub(crate) gpu: SharedGpu,
    pub config: ModelConfig,
    pub arch: Architecture,
    /// The parameter buffers: one, or several where one exceeds maxBufferSize.
    parts: ParamParts,
    /// wte in vocabulary chunks, where it exceeds maxStorageBufferBindingSize.
    vocab: Option<VocabChunks>,
    wte: GpuTensor, // (V, C)
    /// What the embedding adds per position: the learned wpe (a view of params) or the
    /// uploaded sinusoidal table; None for rotary positions.
    pos: Option<GpuTensor>, // (maxT, C)
    /// Rotary models: the uploaded cos and sin of every angle.
    rope: Option<(GpuTensor, GpuTensor)>, // (maxT, HS/2) each
    pub(crate) acts: GpuActs,
    /// Each stack's tokens (B, T) u32.
    inputs: Vec<GpuTensor>,
    pub(crate) targets: GpuTensor, // (B, T) u32
    max_batch: usize,
    plans: HashMap<PlanKey, Vec<Step>>,
    pub(crate) staging: Staging,
    /// The ablation mask (L·NH + L), allocated on first use and kept (plans bind it).
    ablation: Option<GpuTensor>,
    /// Whether forward passes apply the mask.
    ablating: bool,
    /// Decoder inference a token at a time: the keys and values of the positions run so far,
    /// allocated on first use.
    kv: Option<KvBuffers>,
}

impl GpuModel {
    /// Uploads `params` (laid out by `ParamLayout`) and allocates activations for batches of up
    /// to `max_batch` rows. The config is checked against the device's limits first, and an
    /// allocation the GPU refuses becomes `GpuError::OutOfMemory`.
    pub async fn new(gpu: SharedGpu, config: ModelConfig, params: &[f32], max_batch: usize) -> Result<Self, GpuError> {
        let limits = gpu.device_limits();
        config.check_device(max_batch, &limits, true)?;
        let arch = Architecture::new(&config);
        let layout = &arch.layout;
        let cuts = ParamParts::cuts(layout, (limits.max_buffer_size / 4) as usize)?;
        let wte_bytes = layout.wte.len as u64 * 4;
        let rows = VocabChunks::rows_for(config.n_embd, max_batch * config.block_size, limits.max_storage_buffer_binding_size);
        if params.len() != layout.padded_len() {
            return Err(CoreError::Shape { op: "GpuModel::new", expected: vec![layout.padded_len()], got: vec![params.len()] }.into());
        }
        let n = max_batch * config.block_size;
        let (maxt, c) = (config.block_size, config.n_embd);
        let (parts, vocab, acts, inputs, targets, table, rope) = gpu
            .allocating(|| {
                let parts = ParamParts::upload(&gpu, &cuts, params);
                let vocab = (wte_bytes > limits.max_storage_buffer_binding_size)
                    .then(|| VocabChunks::new(&gpu, &parts.view(layout.wte), &config, max_batch, rows, arch.stacks.len()));
                let table = (config.positions == Positions::Sinusoidal)
                    .then(|| GpuTensor::from_slice(&gpu, "sinusoidal positions", &sinusoidal_table(maxt, c)));
                let rope = (config.positions == Positions::Rotary).then(|| {
                    let (cos, sin) = rope_table(maxt, config.head_size(), config.rope_theta);
                    (GpuTensor::from_slice(&gpu, "rope cos", &cos), GpuTensor::from_slice(&gpu, "rope sin", &sin))
                });
                let inputs = arch.stacks.iter().map(|_| GpuTensor::zeros(&gpu, "tokens", n)).collect();
                let acts = GpuActs::with(&arch, max_batch, maxt, false, &mut |label, n| GpuTensor::zeros_or_empty(&gpu, label, n));
                (parts, vocab, acts, inputs, GpuTensor::zeros(&gpu, "targets", n), table, rope)
            })
            .await?;
        Ok(GpuModel {
            wte: parts.view(layout.wte),
            pos: layout.wpe.map(|s| parts.view(s)).or(table),
            rope,
            acts,
            inputs,
            targets,
            max_batch,
            parts,
            vocab,
            arch,
            config,
            gpu,
            plans: HashMap::new(),
            staging: Staging::default(),
            ablation: None,
            ablating: false,
            kv: None,
        })
    }

    pub fn gpu(&self) -> &SharedGpu {
        &self.gpu
    }

    pub fn max_batch(&self) -> usize {
        self.max_batch
    }

    /// The whole parameter buffer (training keeps it in one).
    pub(crate) fn params(&self) -> &GpuTensor {
        self.parts.first()
    }

    /// Whether the parameters are split over several buffers or wte over several bindings.
    pub fn is_split(&self) -> bool {
        !self.parts.is_single() || self.vocab.is_some()
    }

    /// Training needs the parameters in one buffer and wte in one binding.
    pub fn check_trainable(&self) -> Result<(), GpuError> {
        if !self.is_split() {
            return Ok(());
        }
        let limits = self.gpu.device_limits();
        let layout = &self.arch.layout;
        let (what, needed, allowed, limit) = if !self.parts.is_single() {
            ("training: all parameters in one buffer", layout.padded_len() as u64 * 4, limits.max_buffer_size, "maxBufferSize")
        } else {
            let binding = limits.max_storage_buffer_binding_size;
            ("training: the token embedding wte in one binding", layout.wte.len as u64 * 4, binding, "maxStorageBufferBindingSize")
        };
        Err(CoreError::DeviceLimit { what: what.into(), needed, allowed, limit }.into())
    }

    /// Inference over one sequence (B = 1) of a single-stream model: one submission, then only
    /// the requested keys are copied back.
    pub async fn forward(&mut self, tokens: &[u32], request: &TraceRequest) -> Result<ForwardOutput, GpuError> {
        single_stream(&self.config)?;
        self.forward_streams(&[tokens], request).await
    }

    /// Inference over one row (B = 1) of each stack's stream, with the requested trace.
    pub async fn forward_streams(&mut self, inputs: &[&[u32]], request: &TraceRequest) -> Result<ForwardOutput, GpuError> {
        let keys = request.resolve(&self.arch)?;
        let t = inputs.first().map_or(0, |s| s.len());
        check_inputs(&self.arch, inputs, 1, t)?;
        let keep_weights = keys.iter().any(TraceKey::needs_attention_weights);
        if keep_weights && self.acts.stacks[0].subs[0].att.len == 0 {
            self.allocate_weights().await?;
        }
        let key = PlanKey { b: 1, t, keep_weights, with_targets: false, ablate: self.ablating, cached: Cached::No };
        let encoder = self.encode_plan(key, inputs, None);
        let readouts: Vec<(Vec<Region>, Option<Locator>)> = keys.iter().map(|k| self.readout(k, inputs)).collect();
        let regions: Vec<Region> = readouts.iter().flat_map(|(r, _)| r.iter().cloned()).collect();
        let mut words = self.staging.read(&self.gpu, encoder, &regions).await?.into_iter();
        let mut trace = Vec::with_capacity(keys.len());
        for (key, (regions, locator)) in keys.iter().zip(readouts) {
            let (shape, axes) = key.shape(&self.arch, t);
            let data = match key {
                TraceKey::Tokens(s) => inputs[*s].iter().map(|&id| id as f32).collect(),
                _ => {
                    let joined: Vec<f32> = words.by_ref().take(regions.len()).flat_map(words_to_f32).collect();
                    match locator {
                        Some(loc) => Locator { base: 0, ..loc }.extract(&joined),
                        None => joined,
                    }
                }
            };
            trace.push(TraceTensor { key: key.name(&self.arch), shape, axes, data });
        }
        Ok(ForwardOutput { loss: None, trace })
    }

    /// Writes each stack's inputs and the targets for the next submission.
    pub(crate) fn write_batch(&self, inputs: &[&[u32]], targets: Option<&[u32]>) {
        for (buffer, tokens) in self.inputs.iter().zip(inputs) {
            buffer.write(&self.gpu, tokens);
        }
        if let Some(y) = targets {
            self.targets.write(&self.gpu, y);
        }
    }

    /// Writes the inputs (and targets), and encodes the plan of `key` into a new encoder.
    fn encode_plan(&mut self, key: PlanKey, inputs: &[&[u32]], targets: Option<&[u32]>) -> wgpu::CommandEncoder {
        self.write_batch(inputs, targets);
        let mut encoder = self.gpu.device.create_command_encoder(&wgpu::CommandEncoderDescriptor { label: Some("forward") });
        if let Some(vocab) = &self.vocab {
            for (s, tokens) in inputs.iter().enumerate() {
                vocab.gather(&mut encoder, s, tokens, self.config.n_embd);
            }
        }
        let gpu = self.gpu.clone();
        gpu.encode_steps(&mut encoder, self.plan(key));
        encoder
    }

    /// Step-by-step (greedy) decoding of one source row by an encoder-decoder, as
    /// `CpuModel::greedy_decode`: the decoder is fed BOS and then its own previous outputs.
    pub async fn greedy_decode(&mut self, src: &[u32], bos: u32) -> Result<Vec<u32>, GpuError> {
        let (t, v) = (src.len(), self.config.vocab_size);
        let logits = TraceRequest::keys(&["logits"])?;
        let mut dec_in = vec![bos; t];
        let mut out = Vec::with_capacity(t);
        for k in 0..t {
            let all = self.forward_streams(&[src, &dec_in], &logits).await?.trace.remove(0).data;
            out.push(argmax(&all[k * v..(k + 1) * v]));
            if k + 1 < t {
                dec_in[k + 1] = out[k];
            }
        }
        Ok(out)
    }

    /// Switches heads and blocks off for the following forward passes (`None`, or a mask that
    /// switches nothing off, turns ablation off and leaves the plans as they were).
    pub fn set_ablation(&mut self, ablation: Option<&Ablation>) {
        self.ablating = false;
        if let Some(a) = ablation.filter(|a| a.is_active()) {
            let mask = self.ablation.get_or_insert_with(|| GpuTensor::zeros(&self.gpu, "ablation mask", a.mask.len()));
            mask.write(&self.gpu, &a.mask);
            self.ablating = true;
        }
    }

    /// Replaces every parameter (same layout as `read_params`).
    pub fn write_params(&self, params: &[f32]) {
        debug_assert_eq!(params.len(), self.arch.layout.padded_len());
        self.parts.write(&self.gpu, params);
    }

    /// Mean cross-entropy of a batch of `b` rows of `t` tokens: each stack's inputs and the
    /// targets, changing nothing but activations (the validation loss).
    pub async fn loss(&mut self, inputs: &[&[u32]], targets: &[u32], b: usize, t: usize) -> Result<f32, GpuError> {
        check_inputs(&self.arch, inputs, b, t)?;
        check_targets(&self.config, targets, b, t)?;
        if b > self.max_batch {
            let reason = format!("the model was built for batches of at most {}", self.max_batch);
            return Err(CoreError::Config { field: "batch_size", value: b as u64, reason }.into());
        }
        let key = PlanKey { b, t, keep_weights: false, with_targets: true, ablate: self.ablating, cached: Cached::No };
        let encoder = self.encode_plan(key, inputs, Some(targets));
        let losses = self.acts.losses.slice(0, b * t);
        let words = self.staging.read(&self.gpu, encoder, &[Region::from(&losses)]).await?;
        let losses = words_to_f32(words.into_iter().next().expect("one region"));
        Ok(playground_core::cpu::mean_loss(&losses, playground_core::cpu::counted(targets)))
    }

    /// The parameters as a flat buffer (for checkpoints and comparisons).
    pub async fn read_params(&mut self) -> Result<Vec<f32>, GpuError> {
        let encoder = self.gpu.device.create_command_encoder(&wgpu::CommandEncoderDescriptor { label: Some("read params") });
        let words = self.staging.read(&self.gpu, encoder, &self.parts.regions()).await?;
        Ok(words.into_iter().flat_map(words_to_f32).collect())
    }

    /// The parameters of `spans` only (each within one tensor), for what needs a few tensors of
    /// a large model: reading all of a 135M-parameter model's weights back takes 538 MB.
    pub async fn read_spans(&mut self, spans: &[Span]) -> Result<Vec<Vec<f32>>, GpuError> {
        let regions: Vec<Region> = spans.iter().map(|&span| Region::from(&self.parts.view(span))).collect();
        let encoder = self.gpu.device.create_command_encoder(&wgpu::CommandEncoderDescriptor { label: Some("read spans") });
        let words = self.staging.read(&self.gpu, encoder, &regions).await?;
        Ok(words.into_iter().map(words_to_f32).collect())
    }

    /// Where a key's values are, as regions of GPU buffers plus how to cut the (T, cols)
    /// block out of them.
    fn readout(&self, key: &TraceKey, inputs: &[&[u32]]) -> (Vec<Region>, Option<Locator>) {
        let t = inputs[0].len();
        let c = self.config.n_embd as u64;
        if let Some(loc) = key.locate(&self.arch, t) {
            let tensor = self.acts.get(loc.site);
            let region =
                Region { buffer: tensor.buffer.clone(), offset: tensor.offset + loc.base as u64 * 4, len: (loc.end() - loc.base) as u64 };
            return (vec![region], Some(loc));
        }
        let row = |tensor: &GpuTensor, r: u64| Region { buffer: tensor.buffer.clone(), offset: tensor.offset + r * c * 4, len: c };
        match *key {
            TraceKey::Tokens(_) => (vec![], None),
            TraceKey::EmbedTok(s) => match &self.vocab {
                None => (inputs[s].iter().map(|&id| row(&self.wte, id as u64)).collect(), None),
                Some(vocab) => {
                    let chunk_row = |&id: &u32| {
                        let (chunk, r) = vocab.locate(id);
                        row(chunk, r as u64)
                    };
                    (inputs[s].iter().map(chunk_row).collect(), None)
                }
            },
            TraceKey::EmbedPos(_) => {
                let pos = self.pos.as_ref().expect("TraceKey::parse refuses embed.pos for rotary models");
                (vec![Region { buffer: pos.buffer.clone(), offset: pos.offset, len: t as u64 * c }], None)
            }
            TraceKey::ClsProbs => {
                let probs = &self.acts.cls.as_ref().expect("TraceKey::parse refuses cls_probs without classes").probs;
                let k = self.config.n_classes as u64;
                (vec![Region { buffer: probs.buffer.clone(), offset: probs.offset, len: t as u64 * k }], None)
            }
            _ => unreachable!("every other key has a locator"),
        }
    }

    /// Allocates the (T, T) scores and weights of every attention sublayer, for one row.
    async fn allocate_weights(&mut self) -> Result<(), GpuError> {
        let (gpu, arch, n) = (self.gpu.clone(), &self.arch, self.config.n_head * self.config.block_size * self.config.block_size);
        let subs = self.acts.stacks.iter_mut().zip(&arch.stacks).flat_map(|(a, s)| a.subs.iter_mut().zip(&s.sublayers));
        let attention: Vec<&mut SubBufs> = subs.filter(|(_, s)| s.attention().is_some()).map(|(a, _)| a).collect();
        gpu.allocating(|| {
            for a in attention {
                (a.scores, a.att) = (GpuTensor::zeros(&gpu, "scores", n), GpuTensor::zeros(&gpu, "att", n));
            }
        })
        .await
    }

    /// The recorded ops for a shape, built on first use.
    pub(crate) fn plan(&mut self, key: PlanKey) -> &[Step] {
        if !self.plans.contains_key(&key) {
            if self.plans.len() >= MAX_PLANS {
                self.plans.clear();
            }
            let ops = self.record_forward(key);
            self.plans.insert(key, ops);
        }
        &self.plans[&key]
    }
}
