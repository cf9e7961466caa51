//! `GpuModel`: the GPT of `playground_core::model` on the GPU, running the same op list.
//!
//! Parameters live in one buffer at `ParamLayout`'s offsets (each tensor bound as a slice);
//! activations get one buffer each, sized for (max_batch, block_size) and used as a packed
//! (B, T) prefix by smaller runs. The ops of each (B, T) shape are recorded once into a plan
//! and replayed: a forward pass is one submission, and only what the caller asked for is
//! copied back.

use crate::arch_ops::{ffn_act_forward, norm_forward};
use crate::context::{GpuContext, SharedGpu, Step};
use crate::error::GpuError;
use crate::kernels::{ablate, attention, encoder, kv_attention, matmul, residual, rope, softmax_xent};
use crate::readback::{words_to_f32, Region, Staging};
use crate::split::{ParamParts, VocabChunks};
use crate::tensor::GpuTensor;
use playground_core::ablation::Ablation;
use playground_core::arch_ops::ffn_fused_activation;
use playground_core::config::{NormPosition, Positions};
use playground_core::cpu::{rope_table, sinusoidal_table};
use playground_core::model::{check_targets, check_tokens};
use playground_core::params::{BlockParams, Span};
use playground_core::trace::{Act, Locator, TraceKey};
use playground_core::{ForwardOutput, ModelConfig, ParamLayout, TraceRequest, TraceTensor};
use std::collections::HashMap;

mod classifier;
mod kv_cache;

pub(crate) use classifier::ClassifierBuffers;
pub(crate) use kv_cache::{Cached, KvBuffers};

/// Plans kept at most; inference at many lengths would otherwise grow the cache without end.
const MAX_PLANS: usize = 32;

/// Views of one block's parameters inside the parameter buffer.
pub(crate) struct BlockTensors {
    pub(crate) ln1w: GpuTensor,
    pub(crate) ln1b: Option<GpuTensor>,
    pub(crate) qkvw: GpuTensor,
    pub(crate) qkvb: GpuTensor,
    pub(crate) attprojw: GpuTensor,
    pub(crate) attprojb: GpuTensor,
    pub(crate) ln2w: GpuTensor,
    pub(crate) ln2b: Option<GpuTensor>,
    pub(crate) fcw: GpuTensor,
    pub(crate) fcb: GpuTensor,
    pub(crate) fcprojw: GpuTensor,
    pub(crate) fcprojb: GpuTensor,
}

impl BlockTensors {
    pub(crate) fn new(buf: &GpuTensor, p: &BlockParams) -> Self {
        Self::from_views(|s| buf.slice(s.offset, s.len), p)
    }

    /// The block's tensors, each where `v` says its span is.
    pub(crate) fn from_views(v: impl Fn(Span) -> GpuTensor, p: &BlockParams) -> Self {
        BlockTensors {
            ln1w: v(p.ln1w),
            ln1b: p.ln1b.map(&v),
            qkvw: v(p.qkvw),
            qkvb: v(p.qkvb),
            attprojw: v(p.attprojw),
            attprojb: v(p.attprojb),
            ln2w: v(p.ln2w),
            ln2b: p.ln2b.map(&v),
            fcw: v(p.fcw),
            fcb: v(p.fcb),
            fcprojw: v(p.fcprojw),
            fcprojb: v(p.fcprojb),
        }
    }
}

/// Activations of one block, llm.c's names (see `playground_core::model::LayerActs`).
pub(crate) struct LayerBuffers {
    pub(crate) ln1: GpuTensor,       // (B, T, C)
    pub(crate) ln1_mean: GpuTensor,  // (B, T)
    pub(crate) ln1_rstd: GpuTensor,  // (B, T)
    pub(crate) qkv: GpuTensor,       // (B, T, 3C)
    pub(crate) atty: GpuTensor,      // (B, T, C)
    pub(crate) lse: GpuTensor,       // (B, NH, T)
    pub(crate) attproj: GpuTensor,   // (B, T, C)
    pub(crate) residual2: GpuTensor, // (B, T, C)
    pub(crate) ln2: GpuTensor,       // (B, T, C)
    pub(crate) ln2_mean: GpuTensor,  // (B, T)
    pub(crate) ln2_rstd: GpuTensor,  // (B, T)
    pub(crate) fch: GpuTensor,       // (B, T, H) or (B, T, 2H)
    pub(crate) fch_gelu: GpuTensor,  // (B, T, H)
    pub(crate) fcproj: GpuTensor,    // (B, T, C)
    pub(crate) residual3: GpuTensor, // (B, T, C)
}

pub(crate) struct ActBuffers {
    pub(crate) encoded: GpuTensor, // (B, T, C)
    pub(crate) layers: Vec<LayerBuffers>,
    pub(crate) lnf: GpuTensor,      // (B, T, C)
    pub(crate) lnf_mean: GpuTensor, // (B, T)
    pub(crate) lnf_rstd: GpuTensor, // (B, T)
    pub(crate) logits: GpuTensor,   // (B, T, V)
    pub(crate) probs: GpuTensor,    // (B, T, V)
    pub(crate) losses: GpuTensor,   // (B, T)
    /// (preatt, att) per layer, (NH, T, T) for B = 1; allocated on the first trace that asks.
    pub(crate) weights: Option<Vec<(GpuTensor, GpuTensor)>>,
}

impl LayerBuffers {
    /// What the block hands to the next one (see `playground_core::model::LayerActs::output`).
    pub(crate) fn output(&self, cfg: &ModelConfig) -> &GpuTensor {
        match cfg.norm_position {
            NormPosition::Pre => &self.residual3,
            NormPosition::Post => &self.ln2,
        }
    }
}

impl ActBuffers {
    fn new(gpu: &GpuContext, cfg: &ModelConfig, b: usize) -> Self {
        let (t, c, nh, v, f, fc) = (cfg.block_size, cfg.n_embd, cfg.n_head, cfg.vocab_size, cfg.ffn_width(), cfg.fc_width());
        let bt = b * t;
        let z = |label: &str, n: usize| GpuTensor::zeros(gpu, label, n);
        let layers = (0..cfg.n_layer)
            .map(|_| LayerBuffers {
                ln1: z("ln1", bt * c),
                ln1_mean: z("ln1_mean", bt),
                ln1_rstd: z("ln1_rstd", bt),
                qkv: z("qkv", bt * 3 * c),
                atty: z("atty", bt * c),
                lse: z("lse", b * nh * t),
                attproj: z("attproj", bt * c),
                residual2: z("residual2", bt * c),
                ln2: z("ln2", bt * c),
                ln2_mean: z("ln2_mean", bt),
                ln2_rstd: z("ln2_rstd", bt),
                fch: z("fch", bt * fc),
                fch_gelu: z("fch_gelu", bt * f),
                fcproj: z("fcproj", bt * c),
                residual3: z("residual3", bt * c),
            })
            .collect();
        ActBuffers {
            encoded: z("encoded", bt * c),
            layers,
            lnf: z("lnf", bt * c),
            lnf_mean: z("lnf_mean", bt),
            lnf_rstd: z("lnf_rstd", bt),
            logits: z("logits", bt * v),
            probs: z("probs", bt * v),
            losses: z("losses", bt),
            weights: None,
        }
    }

    fn get(&self, act: Act, layer: usize) -> &GpuTensor {
        let la = |l: usize| &self.layers[l];
        let w = || &self.weights.as_ref().expect("trace weights allocated before a plan that keeps them")[layer];
        match act {
            Act::Encoded => &self.encoded,
            Act::Ln1 => &la(layer).ln1,
            Act::Qkv => &la(layer).qkv,
            Act::Atty => &la(layer).atty,
            Act::Preatt => &w().0,
            Act::Att => &w().1,
            Act::AttProj => &la(layer).attproj,
            Act::Residual2 => &la(layer).residual2,
            Act::Ln2 => &la(layer).ln2,
            Act::Fch => &la(layer).fch,
            Act::FchGelu => &la(layer).fch_gelu,
            Act::FcProj => &la(layer).fcproj,
            Act::Residual3 => &la(layer).residual3,
            Act::Lnf => &self.lnf,
            Act::Logits => &self.logits,
            Act::Probs => &self.probs,
        }
    }
}

/// What identifies a recorded op list.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub(crate) struct PlanKey {
    pub(crate) b: usize,
    pub(crate) t: usize,
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
    pub layout: ParamLayout,
    pub(crate) params: GpuTensor, // (padded_len), the first part when split
    /// The parameter buffers: one, or several where one exceeds maxBufferSize.
    parts: ParamParts,
    /// wte in vocabulary chunks, where it exceeds maxStorageBufferBindingSize.
    vocab: Option<VocabChunks>,
    pub(crate) wte: GpuTensor, // (V, C)
    /// What the encoder adds per position: the learned wpe (a view of params) or the uploaded
    /// sinusoidal table; None for rotary positions.
    pub(crate) pos: Option<GpuTensor>, // (maxT, C)
    /// Rotary models: the uploaded cos and sin of every angle.
    pub(crate) rope: Option<(GpuTensor, GpuTensor)>, // (maxT, HS/2) each
    pub(crate) lnfw: GpuTensor, // (C)
    pub(crate) lnfb: Option<GpuTensor>, // (C), LayerNorm only
    pub(crate) head: GpuTensor, // (V, C): wte (tied) or lm_head
    pub(crate) blocks: Vec<BlockTensors>,
    /// The encoder's [CLS] classifier, when the config has classes.
    pub(crate) cls: Option<ClassifierBuffers>,
    pub(crate) acts: ActBuffers,
    pub(crate) tokens: GpuTensor,  // (B, T) u32
    pub(crate) targets: GpuTensor, // (B, T) u32
    pub(crate) max_batch: usize,
    pub(crate) plans: HashMap<PlanKey, Vec<Step>>,
    pub(crate) staging: Staging,
    /// The ablation mask (L·NH + L), allocated on first use and kept (plans bind it).
    pub(crate) ablation: Option<GpuTensor>,
    /// Whether forward passes apply the mask.
    pub(crate) ablating: bool,
    /// Decoder inference a token at a time: the keys and values of the positions run so far,
    /// allocated on first use.
    pub(crate) kv: Option<KvBuffers>,
}

impl GpuModel {
    /// Uploads `params` (laid out by `ParamLayout`) and allocates activations for batches of up
    /// to `max_batch` rows. The config is checked against the device's limits first, and an
    /// allocation the GPU refuses becomes `GpuError::OutOfMemory`.
    pub async fn new(gpu: SharedGpu, config: ModelConfig, params: &[f32], max_batch: usize) -> Result<Self, GpuError> {
        playground_core::model::single_stream(&config)?;
        let limits = gpu.device_limits();
        config.check_device(max_batch, &limits, true)?;
        let layout = ParamLayout::new(&config);
        let cuts = ParamParts::cuts(&layout, (limits.max_buffer_size / 4) as usize)?;
        let wte_bytes = layout.wte.len as u64 * 4;
        let rows = VocabChunks::rows_for(config.n_embd, max_batch * config.block_size, limits.max_storage_buffer_binding_size);
        if params.len() != layout.padded_len() {
            return Err(playground_core::CoreError::Shape {
                op: "GpuModel::new",
                expected: vec![layout.padded_len()],
                got: vec![params.len()],
            }
            .into());
        }
        let n = max_batch * config.block_size;
        let (maxt, c) = (config.block_size, config.n_embd);
        let (parts, vocab, acts, tokens, targets, table, rope, cls) = gpu
            .allocating(|| {
                let parts = ParamParts::upload(&gpu, &cuts, params);
                let vocab = (wte_bytes > limits.max_storage_buffer_binding_size)
                    .then(|| VocabChunks::new(&gpu, &parts.view(layout.wte), &config, max_batch, rows));
                let cls = layout
                    .clsw
                    .zip(layout.clsb)
                    .map(|(w, b)| ClassifierBuffers::new(&gpu, parts.view(w), parts.view(b), n, config.n_classes));
                let table = (config.positions == Positions::Sinusoidal)
                    .then(|| GpuTensor::from_slice(&gpu, "sinusoidal positions", &sinusoidal_table(maxt, c)));
                let rope = (config.positions == Positions::Rotary).then(|| {
                    let (cos, sin) = rope_table(maxt, config.head_size(), config.rope_theta);
                    (GpuTensor::from_slice(&gpu, "rope cos", &cos), GpuTensor::from_slice(&gpu, "rope sin", &sin))
                });
                (
                    parts,
                    vocab,
                    ActBuffers::new(&gpu, &config, max_batch),
                    GpuTensor::zeros(&gpu, "tokens", n),
                    GpuTensor::zeros(&gpu, "targets", n),
                    table,
                    rope,
                    cls,
                )
            })
            .await?;
        let view = |s: Span| parts.view(s);
        let blocks = layout.blocks.iter().map(|p| BlockTensors::from_views(view, p)).collect();
        Ok(GpuModel {
            wte: view(layout.wte),
            pos: layout.wpe.map(view).or(table),
            rope,
            lnfw: view(layout.lnfw),
            lnfb: layout.lnfb.map(view),
            head: view(layout.head()),
            blocks,
            cls,
            acts,
            tokens,
            targets,
            max_batch,
            params: parts.first().clone(),
            parts,
            vocab,
            layout,
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
        let bytes = self.layout.padded_len() as u64 * 4;
        let (what, allowed, limit) = if !self.parts.is_single() {
            ("training: all parameters in one buffer", limits.max_buffer_size, "maxBufferSize")
        } else {
            ("training: the token embedding wte in one binding", limits.max_storage_buffer_binding_size, "maxStorageBufferBindingSize")
        };
        let needed = if self.parts.is_single() { self.layout.wte.len as u64 * 4 } else { bytes };
        Err(playground_core::CoreError::DeviceLimit { what: what.into(), needed, allowed, limit }.into())
    }

    /// Inference over one sequence (B = 1): one submission, then only the requested keys are
    /// copied back.
    pub async fn forward(&mut self, tokens: &[u32], request: &TraceRequest) -> Result<ForwardOutput, GpuError> {
        let keys = request.resolve(&self.config)?;
        let t = tokens.len();
        check_tokens(&self.config, tokens, 1, t)?;
        let keep_weights = keys.iter().any(TraceKey::needs_attention_weights);
        if keep_weights && self.acts.weights.is_none() {
            self.allocate_trace_weights().await?;
        }
        self.tokens.write(&self.gpu, tokens);
        let key = PlanKey { b: 1, t, keep_weights, with_targets: false, ablate: self.ablating, cached: Cached::No };
        let mut encoder = self.gpu.device.create_command_encoder(&wgpu::CommandEncoderDescriptor { label: Some("forward") });
        if let Some(vocab) = &self.vocab {
            vocab.gather(&mut encoder, tokens, self.config.n_embd);
        }
        let gpu = self.gpu.clone();
        gpu.encode_steps(&mut encoder, self.plan(key));
        let readouts: Vec<(Vec<Region>, Option<Locator>)> = keys.iter().map(|k| self.readout(k, tokens)).collect();
        let regions: Vec<Region> = readouts.iter().flat_map(|(r, _)| r.iter().cloned()).collect();
        let mut words = self.staging.read(&self.gpu, encoder, &regions).await?.into_iter();
        let mut trace = Vec::with_capacity(keys.len());
        for (key, (regions, locator)) in keys.iter().zip(readouts) {
            let (shape, axes) = key.shape(&self.config, t);
            let data = match key {
                TraceKey::Tokens => tokens.iter().map(|&id| id as f32).collect(),
                _ => {
                    let joined: Vec<f32> = words.by_ref().take(regions.len()).flat_map(words_to_f32).collect();
                    match locator {
                        Some(loc) => Locator { base: 0, ..loc }.extract(&joined),
                        None => joined,
                    }
                }
            };
            trace.push(TraceTensor { key: key.name(), shape, axes, data });
        }
        Ok(ForwardOutput { loss: None, trace })
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
        debug_assert_eq!(params.len(), self.layout.padded_len());
        self.parts.write(&self.gpu, params);
    }

    /// Mean cross-entropy of a batch (B, T) of inputs `x` and targets `y`, changing nothing
    /// but activations (the validation loss).
    pub async fn loss(&mut self, x: &[u32], y: &[u32], b: usize, t: usize) -> Result<f32, GpuError> {
        check_tokens(&self.config, x, b, t)?;
        check_targets(&self.config, y, b, t)?;
        if b > self.max_batch {
            return Err(playground_core::CoreError::Config {
                field: "batch_size",
                value: b as u64,
                reason: format!("the model was built for batches of at most {}", self.max_batch),
            }
            .into());
        }
        self.tokens.write(&self.gpu, x);
        self.targets.write(&self.gpu, y);
        let mut encoder = self.gpu.device.create_command_encoder(&wgpu::CommandEncoderDescriptor { label: Some("loss") });
        if let Some(vocab) = &self.vocab {
            vocab.gather(&mut encoder, x, self.config.n_embd);
        }
        let gpu = self.gpu.clone();
        gpu.encode_steps(
            &mut encoder,
            self.plan(PlanKey { b, t, keep_weights: false, with_targets: true, ablate: self.ablating, cached: Cached::No }),
        );
        let losses = self.acts.losses.slice(0, b * t);
        let words = self.staging.read(&self.gpu, encoder, &[Region::from(&losses)]).await?;
        let losses = words_to_f32(words.into_iter().next().expect("one region"));
        Ok(playground_core::cpu::mean_loss(&losses, playground_core::cpu::counted(y)))
    }

    /// The parameters as a flat buffer (for checkpoints and comparisons).
    pub async fn read_params(&mut self) -> Result<Vec<f32>, GpuError> {
        let encoder = self.gpu.device.create_command_encoder(&wgpu::CommandEncoderDescriptor { label: Some("read params") });
        let words = self.staging.read(&self.gpu, encoder, &self.parts.regions()).await?;
        Ok(words.into_iter().flat_map(words_to_f32).collect())
    }

    /// Where a key's values are, as regions of GPU buffers plus how to cut the (T, cols)
    /// block out of them.
    fn readout(&self, key: &TraceKey, tokens: &[u32]) -> (Vec<Region>, Option<Locator>) {
        let t = tokens.len();
        let c = self.config.n_embd as u64;
        if let Some(loc) = key.locate(&self.config, t) {
            let tensor = self.acts.get(loc.act, loc.layer);
            let region =
                Region { buffer: tensor.buffer.clone(), offset: tensor.offset + loc.base as u64 * 4, len: (loc.end() - loc.base) as u64 };
            return (vec![region], Some(loc));
        }
        let rows = |tensor: &GpuTensor, ids: &mut dyn Iterator<Item = u64>| -> Vec<Region> {
            ids.map(|row| Region { buffer: tensor.buffer.clone(), offset: tensor.offset + row * c * 4, len: c }).collect()
        };
        match key {
            TraceKey::Tokens => (vec![], None),
            TraceKey::EmbedTok => match &self.vocab {
                None => (rows(&self.wte, &mut tokens.iter().map(|&id| id as u64)), None),
                Some(vocab) => {
                    let row = |&id: &u32| {
                        let (chunk, r) = vocab.locate(id);
                        Region { buffer: chunk.buffer.clone(), offset: chunk.offset + r as u64 * c * 4, len: c }
                    };
                    (tokens.iter().map(row).collect(), None)
                }
            },
            TraceKey::EmbedPos => {
                let pos = self.pos.as_ref().expect("TraceKey::parse refuses embed.pos for rotary models");
                (vec![Region { buffer: pos.buffer.clone(), offset: pos.offset, len: t as u64 * c }], None)
            }
            TraceKey::ClsProbs => {
                let cls = self.cls.as_ref().expect("TraceKey::parse refuses cls_probs without classes");
                let k = self.config.n_classes as u64;
                (vec![Region { buffer: cls.probs.buffer.clone(), offset: cls.probs.offset, len: t as u64 * k }], None)
            }
            _ => unreachable!("every other key has a locator"),
        }
    }

    async fn allocate_trace_weights(&mut self) -> Result<(), GpuError> {
        let (nh, t) = (self.config.n_head, self.config.block_size);
        let gpu = self.gpu.clone();
        let weights = gpu
            .allocating(|| {
                (0..self.config.n_layer)
                    .map(|_| (GpuTensor::zeros(&gpu, "preatt", nh * t * t), GpuTensor::zeros(&gpu, "att", nh * t * t)))
                    .collect()
            })
            .await?;
        self.acts.weights = Some(weights);
        Ok(())
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

    /// The forward op list, in the order of `CpuModel::forward_acts`.
    pub(crate) fn record_forward(&self, key: PlanKey) -> Vec<Step> {
        let gpu = &*self.gpu;
        let cfg = &self.config;
        let (b, t) = (key.b as u32, key.t as u32);
        let (c, nh, v, f, fc) =
            (cfg.n_embd as u32, cfg.n_head as u32, cfg.vocab_size as u32, cfg.ffn_width() as u32, cfg.fc_width() as u32);
        let bt = b * t;
        let a = &self.acts;
        let (norm, post) = (cfg.norm, cfg.norm_position == NormPosition::Post);
        let mut ops = vec![match &self.vocab {
            None => encoder::encoder_forward(gpu, &a.encoded, &self.tokens, &self.wte, self.pos.as_ref(), b, t, c),
            // split wte: the rows were gathered before the plan runs; position i reads row i
            Some(vocab) => encoder::encoder_forward(gpu, &a.encoded, &vocab.positions, &vocab.gathered, self.pos.as_ref(), b, t, c),
        }];
        for (l, (w, la)) in self.blocks.iter().zip(&a.layers).enumerate() {
            let input = if l == 0 { &a.encoded } else { a.layers[l - 1].output(cfg) };
            let weights = if key.keep_weights { a.weights.as_ref().map(|ws| (&ws[l].0, &ws[l].1)) } else { None };
            // attention reads the block input (post-norm) or its norm (pre-norm)
            if !post {
                ops.push(norm_forward(
                    gpu,
                    norm,
                    &la.ln1,
                    &la.ln1_mean,
                    &la.ln1_rstd,
                    input,
                    &w.ln1w,
                    w.ln1b.as_ref(),
                    bt,
                    c,
                    cfg.norm_eps,
                ));
            }
            let attn_in = if post { input } else { &la.ln1 };
            ops.push(matmul::matmul_forward(gpu, &la.qkv, attn_in, &w.qkvw, Some(&w.qkvb), bt, c, 3 * c));
            if let Some((cos, sin)) = &self.rope {
                ops.push(rope::rope_forward(gpu, &la.qkv, cos, sin, b, t, c, nh));
            }
            // with a KV cache: this block's new keys and values join the cache, and a few rows
            // after a prefill attend over it (a prefill, from position 0, is plain attention)
            let kv = self.kv.as_ref().filter(|_| key.cached != Cached::No);
            if let Some(kv) = kv {
                let (kc, vc) = &kv.layers[l];
                ops.push(kv_attention::kv_cache_write(gpu, kc, vc, &la.qkv, t, 0, c, nh, kv.maxt));
            }
            match kv.filter(|_| key.cached == Cached::Step) {
                Some(kv) => {
                    let (kc, vc) = &kv.layers[l];
                    ops.push(kv_attention::kv_attention_forward(gpu, &la.atty, &kv.att, &la.qkv, kc, vc, t, 0, c, nh, kv.maxt));
                }
                None => ops.push(attention::attention_forward(gpu, &la.atty, &la.lse, weights, &la.qkv, b, t, c, nh, cfg.causal())),
            }
            let mask = self.ablation.as_ref().filter(|_| key.ablate);
            let (head_offset, layer_offset) = ((l as u32) * nh, cfg.n_layer as u32 * nh + l as u32);
            if let Some(m) = mask {
                ops.push(ablate::ablate_forward(gpu, &la.atty, m, head_offset, bt, nh, c / nh));
            }
            ops.push(matmul::matmul_forward(gpu, &la.attproj, &la.atty, &w.attprojw, Some(&w.attprojb), bt, c, c));
            if let Some(m) = mask {
                ops.push(ablate::ablate_forward(gpu, &la.attproj, m, layer_offset, bt, 1, c));
            }
            ops.push(residual::residual_forward(gpu, &la.residual2, input, &la.attproj, bt * c));
            // the FFN reads norm(residual2): ln2 (pre-norm) or ln1 (post-norm)
            let (ffn_in, ffn_skip) = if post {
                ops.push(norm_forward(
                    gpu,
                    norm,
                    &la.ln1,
                    &la.ln1_mean,
                    &la.ln1_rstd,
                    &la.residual2,
                    &w.ln1w,
                    w.ln1b.as_ref(),
                    bt,
                    c,
                    cfg.norm_eps,
                ));
                (&la.ln1, &la.ln1)
            } else {
                ops.push(norm_forward(
                    gpu,
                    norm,
                    &la.ln2,
                    &la.ln2_mean,
                    &la.ln2_rstd,
                    &la.residual2,
                    &w.ln2w,
                    w.ln2b.as_ref(),
                    bt,
                    c,
                    cfg.norm_eps,
                ));
                (&la.ln2, &la.residual2)
            };
            match ffn_fused_activation(cfg.ffn) {
                Some(act) => ops.push(matmul::matmul_forward_act(gpu, act, &la.fch_gelu, &la.fch, ffn_in, &w.fcw, Some(&w.fcb), bt, c, fc)),
                None => {
                    ops.push(matmul::matmul_forward(gpu, &la.fch, ffn_in, &w.fcw, Some(&w.fcb), bt, c, fc));
                    ops.push(ffn_act_forward(gpu, cfg.ffn, &la.fch_gelu, &la.fch, bt, f));
                }
            }
            ops.push(matmul::matmul_forward(gpu, &la.fcproj, &la.fch_gelu, &w.fcprojw, Some(&w.fcprojb), bt, f, c));
            if let Some(m) = mask {
                ops.push(ablate::ablate_forward(gpu, &la.fcproj, m, layer_offset, bt, 1, c));
            }
            ops.push(residual::residual_forward(gpu, &la.residual3, ffn_skip, &la.fcproj, bt * c));
            if post {
                ops.push(norm_forward(
                    gpu,
                    norm,
                    &la.ln2,
                    &la.ln2_mean,
                    &la.ln2_rstd,
                    &la.residual3,
                    &w.ln2w,
                    w.ln2b.as_ref(),
                    bt,
                    c,
                    cfg.norm_eps,
                ));
            }
        }
        let last = a.layers[cfg.n_layer - 1].output(cfg);
        ops.push(norm_forward(gpu, norm, &a.lnf, &a.lnf_mean, &a.lnf_rstd, last, &self.lnfw, self.lnfb.as_ref(), bt, c, cfg.norm_eps));
        let targets = if key.with_targets { Some(&self.targets) } else { None };
        let mut steps: Vec<Step> = ops.into_iter().map(Step::from).collect();
        match &self.vocab {
            None => steps.push(matmul::matmul_forward(gpu, &a.logits, &a.lnf, &self.head, None, bt, c, v).into()),
            // split wte (a tied head): the logits come chunk by chunk
            Some(vocab) => steps.extend(vocab.head(gpu, &a.logits, &a.lnf, bt as usize, c as usize, v as usize)),
        }
        match &self.cls {
            // the [CLS] classifier's loss replaces the masked-LM loss
            Some(cls) => {
                steps.push(softmax_xent::softmax_xent_forward(gpu, &a.probs, &a.losses, &a.logits, None, bt, v).into());
                steps.extend(cls.forward(gpu, &a.losses, &a.lnf, targets, bt, c).into_iter().map(Step::from));
            }
            None => steps.push(softmax_xent::softmax_xent_forward(gpu, &a.probs, &a.losses, &a.logits, targets, bt, v).into()),
        }
        steps
    }
}
