//! `GpuEncDec`: the encoder-decoder of `playground_core::model` (`CpuModel::seq2seq_*`) on the
//! GPU, the same sublayer list recorded from the existing kernels plus `cross_pack`.
//!
//! One instance is built for one batch shape (B, block_size): the source, the decoder input
//! and the targets are (B, T) with T = block_size, as the seq2seq rows pad them. It trains
//! (forward, backward, clipping and AdamW in one submission) and decodes step by step (B = 1).

use crate::arch_ops::{ffn_act_backward, ffn_act_forward, norm_backward, norm_forward};
use crate::context::{Op, SharedGpu, Step};
use crate::error::GpuError;
use crate::kernels::adamw::{adamw_update, AdamWUniform};
use crate::kernels::{attention, clip, cross_pack, encoder, matmul, residual, rope, softmax_xent};
use crate::readback::{words_to_f32, Region, Staging};
use crate::tensor::GpuTensor;
use crate::GpuContext;
use playground_core::config::{Family, NormPosition, Positions};
use playground_core::cpu::{self, rope_table, sinusoidal_table};
use playground_core::model::{argmax, check_targets, check_tokens, Branch, Sub};
use playground_core::params::Span;
use playground_core::train::{OptimizerState, StepStats, TrainConfig};
use playground_core::{CoreError, CpuModel, ModelConfig, ParamLayout};

/// One sublayer's activations (see `playground_core::model::SubActs`); buffers its branch
/// does not use hold one element.
struct SubBufs {
    ln: GpuTensor,      // (B, T, C)
    mean: GpuTensor,    // (B, T)
    rstd: GpuTensor,    // (B, T)
    q: GpuTensor,       // (B, T, C) cross-attention
    kv: GpuTensor,      // (B, T, 2C) cross-attention
    qkv: GpuTensor,     // (B, T, 3C) attention
    atty: GpuTensor,    // (B, T, C) attention
    lse: GpuTensor,     // (B, NH, T) attention
    preatt: GpuTensor,  // (B, NH, T, T) cross-attention, and self-attention when B = 1 (for the views)
    att: GpuTensor,     // (B, NH, T, T) likewise
    fch: GpuTensor,     // (B, T, H or 2H) FFN
    fch_act: GpuTensor, // (B, T, H) FFN
    out: GpuTensor,     // (B, T, C)
    res: GpuTensor,     // (B, T, C)
}

impl SubBufs {
    /// A one-row model (for decoding and the views) keeps its self-attention weights too.
    fn new(gpu: &GpuContext, cfg: &ModelConfig, branch: &Branch, b: usize, t: usize) -> Self {
        let (bt, c, nh) = (b * t, cfg.n_embd, cfg.n_head);
        let (attn, is_cross) = match branch {
            Branch::SelfAttn { .. } => (true, false),
            Branch::Cross { .. } => (true, true),
            Branch::Ffn { .. } => (false, false),
        };
        let z = |label: &str, on: bool, n: usize| GpuTensor::zeros(gpu, label, if on { n } else { 1 });
        SubBufs {
            ln: z("ln", true, bt * c),
            mean: z("ln mean", true, bt),
            rstd: z("ln rstd", true, bt),
            q: z("q", is_cross, bt * c),
            kv: z("kv", is_cross, bt * 2 * c),
            qkv: z("qkv", attn, bt * 3 * c),
            atty: z("atty", attn, bt * c),
            lse: z("lse", attn, b * nh * t),
            preatt: z("preatt", is_cross || (attn && b == 1), b * nh * t * t),
            att: z("att", is_cross || (attn && b == 1), b * nh * t * t),
            fch: z("fch", !attn, bt * cfg.fc_width()),
            fch_act: z("fch act", !attn, bt * cfg.ffn_width()),
            out: z("out", true, bt * c),
            res: z("res", true, bt * c),
        }
    }

    fn output(&self, post: bool) -> &GpuTensor {
        if post {
            &self.ln
        } else {
            &self.res
        }
    }
}

/// Backward scratch shared by every sublayer.
struct Scratch {
    dres: GpuTensor,         // (B, T, C)
    dfin: GpuTensor,         // (B, T, C)
    datty: GpuTensor,        // (B, T, C)
    dqkv: GpuTensor,         // (B, T, 3C)
    dq: GpuTensor,           // (B, T, C)
    dkv: GpuTensor,          // (B, T, 2C)
    dact: GpuTensor,         // (B, T, H)
    dfch: GpuTensor,         // (B, T, H or 2H)
    delta: GpuTensor,        // (B, NH, T)
    dstream: [GpuTensor; 2], // (B, T, C) each: a sublayer's dy and dx, alternating
    dmemory: GpuTensor,      // (B, T, C)
    dlnf: GpuTensor,         // (B, T, C)
    dlogits: GpuTensor,      // (B, T, V)
    dlosses: GpuTensor,      // (B, T)
}

pub struct GpuEncDec {
    gpu: SharedGpu,
    pub config: ModelConfig,
    pub layout: ParamLayout,
    b: usize,
    t: usize,
    train: TrainConfig,
    params: GpuTensor, // (padded_len)
    grads: GpuTensor,  // (padded_len)
    m: GpuTensor,
    v: GpuTensor,
    src: GpuTensor,         // (B, T) u32
    dec_in: GpuTensor,      // (B, T) u32
    targets: GpuTensor,     // (B, T) u32
    memory: [GpuTensor; 3], // ln_e's out, mean, rstd
    logits: GpuTensor,      // (B, T, V)
    probs: GpuTensor,       // (B, T, V)
    losses: GpuTensor,      // (B, T)
    norm: GpuTensor,        // (1) the gradient norm
    encode: Vec<Step>,
    decode: Vec<Step>,       // without targets: logits and probabilities
    decode_train: Vec<Step>, // with targets: losses too
    backward: Vec<Step>,
    /// Clipping, then AdamW over the matrices and over the vectors.
    update: Vec<Op>,
    cross_att: Vec<GpuTensor>, // per decoder block, (B, NH, T, T)
    enc_att: Vec<GpuTensor>,   // per encoder block, (1, NH, T, T) when B = 1
    dec_att: Vec<GpuTensor>,   // per decoder block, (1, NH, T, T) when B = 1, causal
    scratch: Scratch,
    step: u32,
    staging: Staging,
}

impl GpuEncDec {
    /// Uploads `params` and records the plans for batches of `b` rows of block_size tokens.
    pub async fn new(gpu: SharedGpu, config: ModelConfig, params: &[f32], b: usize, train: TrainConfig) -> Result<Self, GpuError> {
        train.validate()?;
        config.check_device(b, &gpu.device_limits(), false)?;
        if config.family != Family::EncoderDecoder {
            return Err(CoreError::Architecture {
                field: "family",
                value: format!("{:?}", config.family),
                reason: "GpuEncDec runs the encoder-decoder family only".into(),
            }
            .into());
        }
        let layout = ParamLayout::new(&config);
        if params.len() != layout.padded_len() {
            let got = vec![params.len()];
            return Err(CoreError::Shape { op: "GpuEncDec::new", expected: vec![layout.padded_len()], got }.into());
        }
        let g = gpu.clone();
        let model = gpu.allocating(|| Self::build(g, config, layout, params, b, train)).await?;
        Ok(model)
    }

    fn build(gpu: SharedGpu, config: ModelConfig, layout: ParamLayout, params: &[f32], b: usize, train: TrainConfig) -> Self {
        let g = &*gpu;
        let (t, c, v) = (config.block_size, config.n_embd, config.vocab_size);
        let (bt, len) = (b * t, layout.padded_len());
        let z = |label: &str, n: usize| GpuTensor::zeros(g, label, n);
        let (f, fc, nh) = (config.ffn_width(), config.fc_width(), config.n_head);
        let scratch = Scratch {
            dres: z("dres", bt * c),
            dfin: z("dfin", bt * c),
            datty: z("datty", bt * c),
            dqkv: z("dqkv", bt * 3 * c),
            dq: z("dq", bt * c),
            dkv: z("dkv", bt * 2 * c),
            dact: z("dact", bt * f),
            dfch: z("dfch", bt * fc),
            delta: z("delta", b * nh * t),
            dstream: [z("dstream a", bt * c), z("dstream b", bt * c)],
            dmemory: z("dmemory", bt * c),
            dlnf: z("dlnf", bt * c),
            dlogits: z("dlogits", bt * v),
            dlosses: z("dlosses", bt),
        };
        let mut m = GpuEncDec {
            params: GpuTensor::from_slice(g, "encdec params", params),
            grads: z("encdec grads", len),
            m: z("adam m", len),
            v: z("adam v", len),
            src: z("src", bt),
            dec_in: z("dec_in", bt),
            targets: z("targets", bt),
            memory: [z("memory", bt * c), z("memory mean", bt), z("memory rstd", bt)],
            logits: z("logits", bt * v),
            probs: z("probs", bt * v),
            losses: z("losses", bt),
            norm: z("grad norm", 1),
            encode: Vec::new(),
            decode: Vec::new(),
            decode_train: Vec::new(),
            backward: Vec::new(),
            update: Vec::new(),
            cross_att: Vec::new(),
            enc_att: Vec::new(),
            dec_att: Vec::new(),
            scratch,
            step: 0,
            staging: Staging::default(),
            gpu: gpu.clone(),
            config,
            layout,
            b,
            t,
            train,
        };
        m.record();
        m
    }

    /// Records every plan; activations live in `Recorder`, which the plans bind.
    fn record(&mut self) {
        let rec = Recorder::new(self);
        self.encode = rec.encode(self);
        self.decode = rec.decode(self, false);
        self.decode_train = rec.decode(self, true);
        self.backward = rec.backward(self);
        self.cross_att = rec.dec.iter().skip(1).step_by(3).map(|s| s.att.clone()).collect();
        self.enc_att = rec.enc.iter().step_by(2).map(|s| s.att.clone()).collect();
        self.dec_att = rec.dec.iter().step_by(3).map(|s| s.att.clone()).collect();
        let gpu = &*self.gpu;
        let len = self.layout.padded_len() as u32;
        let max_norm = if self.train.grad_clip > 0.0 { self.train.grad_clip } else { f32::INFINITY };
        let scale = GpuTensor::zeros(gpu, "clip scale", 1);
        let partials = GpuTensor::zeros(gpu, "grad norm partials", clip::partials_len(len));
        let mut update: Vec<Op> = clip::grad_norm(gpu, &self.norm, &scale, &partials, &self.grads, max_norm, len).into();
        for (span, decay) in [(self.layout.decay_span(), true), (self.layout.no_decay_span(), false)] {
            let view = |t: &GpuTensor| t.slice(span.offset, span.len);
            let hp = self.train.adamw(0, decay);
            update.push(adamw_update(
                gpu,
                &view(&self.params),
                &view(&self.m),
                &view(&self.v),
                &view(&self.grads),
                &scale,
                &hp,
                span.len as u32,
            ));
        }
        self.update = update;
    }

    fn check(&self, rows: &[&[u32]]) -> Result<(), GpuError> {
        rows.iter().try_for_each(|r| check_tokens(&self.config, r, self.b, self.t)).map_err(Into::into)
    }

    async fn read(&mut self, encoder: wgpu::CommandEncoder, tensors: &[&GpuTensor]) -> Result<Vec<Vec<f32>>, GpuError> {
        let regions: Vec<Region> = tensors.iter().map(|t| Region::from(*t)).collect();
        Ok(self.staging.read(&self.gpu, encoder, &regions).await?.into_iter().map(words_to_f32).collect())
    }

    fn encoder(&self, label: &str) -> wgpu::CommandEncoder {
        self.gpu.device.create_command_encoder(&wgpu::CommandEncoderDescriptor { label: Some(label) })
    }

    /// Teacher-forced logits (B, T, V) for `src` and `dec_in`, each (B, T).
    pub async fn logits(&mut self, src: &[u32], dec_in: &[u32]) -> Result<Vec<f32>, GpuError> {
        self.check(&[src, dec_in])?;
        self.src.write(&self.gpu, src);
        self.dec_in.write(&self.gpu, dec_in);
        let mut enc = self.encoder("encdec logits");
        self.gpu.encode_steps(&mut enc, &self.encode);
        self.gpu.encode_steps(&mut enc, &self.decode);
        let logits = self.logits.clone();
        Ok(self.read(enc, &[&logits]).await?.remove(0))
    }

    /// Decoder block `layer`'s cross-attention weights (B, NH, T, T) of the last forward pass.
    pub async fn cross_att(&mut self, layer: usize) -> Result<Vec<f32>, GpuError> {
        let att = self.cross_att[layer].clone();
        let enc = self.encoder("cross att");
        Ok(self.read(enc, &[&att]).await?.remove(0))
    }

    /// Self-attention weights (1, NH, T, T) of encoder block `layer` (`encoder`) or of decoder
    /// block `layer` (causal), from the last forward pass; a one-row model keeps them.
    pub async fn self_att(&mut self, encoder: bool, layer: usize) -> Result<Vec<f32>, GpuError> {
        if self.b != 1 {
            return Err(CoreError::Config {
                field: "batch_size",
                value: self.b as u64,
                reason: "self-attention maps are kept by a one-row model".into(),
            }
            .into());
        }
        let att = if encoder { &self.enc_att[layer] } else { &self.dec_att[layer] }.clone();
        let enc = self.encoder("self att");
        Ok(self.read(enc, &[&att]).await?.remove(0))
    }

    /// One training step (teacher forcing): forward, backward, clipping and AdamW in one
    /// submission; returns the step's loss and gradient norm. A non-finite one is refused
    /// before AdamW runs.
    pub async fn step(&mut self, src: &[u32], dec_in: &[u32], targets: &[u32]) -> Result<StepStats, GpuError> {
        self.check(&[src, dec_in])?;
        check_targets(&self.config, targets, self.b, self.t)?;
        let gpu = self.gpu.clone();
        self.src.write(&gpu, src);
        self.dec_in.write(&gpu, dec_in);
        self.targets.write(&gpu, targets);
        let count = cpu::counted(targets);
        self.scratch.dlosses.write(&gpu, &vec![1.0 / count as f32; self.b * self.t]);
        let mut enc = self.encoder("encdec forward and backward");
        for steps in [&self.encode, &self.decode_train, &self.backward] {
            gpu.encode_steps(&mut enc, steps);
        }
        let (losses, norm) = (self.losses.clone(), self.norm.clone());
        gpu.encode(&mut enc, &self.update[..2]);
        let read = self.read(enc, &[&losses, &norm]).await?;
        let (loss, grad_norm) = (cpu::mean_loss(&read[0], count), read[1][0]);
        if !loss.is_finite() || !grad_norm.is_finite() {
            return Err(CoreError::NonFinite { step: self.step, loss, grad_norm }.into());
        }
        for (op, (span, decay)) in self.update[2..].iter().zip([(self.layout.decay_span(), true), (self.layout.no_decay_span(), false)]) {
            op.write_params(&gpu, &AdamWUniform::new(&self.train.adamw(self.step, decay), span.len as u32));
        }
        gpu.run(&self.update[2..]);
        let step = self.step;
        self.step += 1;
        Ok(StepStats { step, loss, grad_norm, lr: self.train.lr_at(step) })
    }

    /// The teacher-forced mean loss on a batch (the rows of `step`), changing no weights.
    pub async fn loss(&mut self, src: &[u32], dec_in: &[u32], targets: &[u32]) -> Result<f32, GpuError> {
        self.check(&[src, dec_in])?;
        check_targets(&self.config, targets, self.b, self.t)?;
        self.src.write(&self.gpu, src);
        self.dec_in.write(&self.gpu, dec_in);
        self.targets.write(&self.gpu, targets);
        let mut enc = self.encoder("encdec loss");
        self.gpu.encode_steps(&mut enc, &self.encode);
        self.gpu.encode_steps(&mut enc, &self.decode_train);
        let losses = self.losses.clone();
        Ok(cpu::mean_loss(&self.read(enc, &[&losses]).await?[0], cpu::counted(targets)))
    }

    pub fn gpu(&self) -> &SharedGpu {
        &self.gpu
    }

    /// Steps taken (AdamW's step counter).
    pub fn step_count(&self) -> u32 {
        self.step
    }

    /// AdamW's moments and step, for a checkpoint that resumes exactly.
    pub async fn read_optimizer(&mut self) -> Result<OptimizerState, GpuError> {
        let (m, v, enc) = (self.m.clone(), self.v.clone(), self.encoder("read optimizer"));
        let mut read = self.read(enc, &[&m, &v]).await?;
        let v = read.pop().expect("two regions");
        Ok(OptimizerState { step: self.step, m: read.pop().expect("two regions"), v })
    }

    /// Resumes from saved optimizer state (laid out like the parameters).
    pub fn load_optimizer(&mut self, state: &OptimizerState) -> Result<(), GpuError> {
        let len = self.layout.padded_len();
        if state.m.len() != len || state.v.len() != len {
            return Err(CoreError::Shape { op: "GpuEncDec::load_optimizer", expected: vec![len], got: vec![state.m.len()] }.into());
        }
        self.m.write(&self.gpu, &state.m);
        self.v.write(&self.gpu, &state.v);
        self.step = state.step;
        Ok(())
    }

    /// The gradients of the last step, laid out like the parameters.
    pub async fn read_grads(&mut self) -> Result<Vec<f32>, GpuError> {
        let (grads, enc) = (self.grads.clone(), self.encoder("read grads"));
        Ok(self.read(enc, &[&grads]).await?.remove(0))
    }

    /// Replaces every parameter (laid out by `ParamLayout`).
    pub fn write_params(&self, params: &[f32]) {
        debug_assert_eq!(params.len(), self.layout.padded_len());
        self.params.write(&self.gpu, params);
    }

    pub async fn read_params(&mut self) -> Result<Vec<f32>, GpuError> {
        let (params, enc) = (self.params.clone(), self.encoder("read params"));
        Ok(self.read(enc, &[&params]).await?.remove(0))
    }

    /// Step-by-step (greedy) decoding of one source row, as `CpuModel::greedy_decode`: the
    /// encoder runs once, then the decoder T times, fed its own previous outputs. Needs B = 1.
    pub async fn greedy_decode(&mut self, src: &[u32], bos: u32) -> Result<Vec<u32>, GpuError> {
        if self.b != 1 {
            return Err(CoreError::Config {
                field: "batch_size",
                value: self.b as u64,
                reason: "step-by-step decoding runs one row".into(),
            }
            .into());
        }
        let (t, v) = (self.t, self.config.vocab_size);
        let mut dec_in = vec![bos; t];
        self.check(&[src, &dec_in])?;
        self.src.write(&self.gpu, src);
        let mut enc = self.encoder("encode");
        self.gpu.encode_steps(&mut enc, &self.encode);
        self.gpu.queue.submit([enc.finish()]);
        let mut out = Vec::with_capacity(t);
        for k in 0..t {
            self.dec_in.write(&self.gpu, &dec_in);
            let mut enc = self.encoder("decode step");
            self.gpu.encode_steps(&mut enc, &self.decode);
            // row k of the logits (not a binding, so no alignment needed)
            let row = Region { buffer: self.logits.buffer.clone(), offset: self.logits.offset + (k * v * 4) as u64, len: v as u64 };
            let words = self.staging.read(&self.gpu, enc, &[row]).await?;
            let next = argmax(&words_to_f32(words.into_iter().next().expect("one region")));
            out.push(next);
            if k + 1 < t {
                dec_in[k + 1] = next;
            }
        }
        Ok(out)
    }
}

/// The activations the plans bind, and the parameter views, built once.
struct Recorder {
    enc_subs: Vec<Sub>,
    dec_subs: Vec<Sub>,
    enc: Vec<SubBufs>,
    dec: Vec<SubBufs>,
    src_encoded: GpuTensor, // (B, T, C)
    dec_encoded: GpuTensor, // (B, T, C)
    lnf: [GpuTensor; 3],    // out, mean, rstd
    pos: Option<GpuTensor>, // (maxT, C) learned wpe or the sinusoidal table
    rope: Option<(GpuTensor, GpuTensor)>,
}

impl Recorder {
    fn new(m: &GpuEncDec) -> Self {
        let (gpu, cfg) = (&*m.gpu, &m.config);
        let (b, t, c) = (m.b, m.t, cfg.n_embd);
        let (enc_subs, dec_subs) = CpuModel::sublayer_list(&m.layout);
        let bufs = |subs: &[Sub]| subs.iter().map(|s| SubBufs::new(gpu, cfg, &s.branch, b, t)).collect();
        let z = |label: &str, n: usize| GpuTensor::zeros(gpu, label, n);
        let pos = match cfg.positions {
            Positions::Learned => m.layout.wpe.map(|s| m.params.slice(s.offset, s.len)),
            Positions::Sinusoidal => Some(GpuTensor::from_slice(gpu, "sinusoidal positions", &sinusoidal_table(t, c))),
            Positions::Rotary => None,
        };
        let rope = (cfg.positions == Positions::Rotary).then(|| {
            let (cos, sin) = rope_table(t, cfg.head_size(), cfg.rope_theta);
            (GpuTensor::from_slice(gpu, "rope cos", &cos), GpuTensor::from_slice(gpu, "rope sin", &sin))
        });
        Recorder {
            enc: bufs(&enc_subs),
            dec: bufs(&dec_subs),
            enc_subs,
            dec_subs,
            src_encoded: z("src encoded", b * t * c),
            dec_encoded: z("dec encoded", b * t * c),
            lnf: [z("lnf", b * t * c), z("lnf mean", b * t), z("lnf rstd", b * t)],
            pos,
            rope,
        }
    }

    fn post(m: &GpuEncDec) -> bool {
        m.config.norm_position == NormPosition::Post
    }

    fn encode(&self, m: &GpuEncDec) -> Vec<Step> {
        let (gpu, cfg) = (&*m.gpu, &m.config);
        let (b, t, c) = (m.b as u32, m.t as u32, cfg.n_embd as u32);
        let p = |s: Span| m.params.slice(s.offset, s.len);
        let mut ops = vec![encoder::encoder_forward(gpu, &self.src_encoded, &m.src, &p(m.layout.wte), self.pos.as_ref(), b, t, c)];
        self.stack_forward(m, &mut ops, &self.enc_subs, &self.enc, &self.src_encoded);
        let last = self.enc.last().expect("n_layer ≥ 1").output(Self::post(m));
        let [out, mean, rstd] = &m.memory;
        let lnew = m.layout.lnew.expect("encoder-decoder layout");
        ops.push(norm_forward(gpu, cfg.norm, out, mean, rstd, last, &p(lnew), m.layout.lneb.map(p).as_ref(), b * t, c, cfg.norm_eps));
        ops.into_iter().map(Step::Run).collect()
    }

    fn decode(&self, m: &GpuEncDec, with_targets: bool) -> Vec<Step> {
        let (gpu, cfg) = (&*m.gpu, &m.config);
        let (b, t, c, v) = (m.b as u32, m.t as u32, cfg.n_embd as u32, cfg.vocab_size as u32);
        let p = |s: Span| m.params.slice(s.offset, s.len);
        let mut ops = vec![encoder::encoder_forward(gpu, &self.dec_encoded, &m.dec_in, &p(m.layout.wte), self.pos.as_ref(), b, t, c)];
        self.stack_forward(m, &mut ops, &self.dec_subs, &self.dec, &self.dec_encoded);
        let last = self.dec.last().expect("n_layer ≥ 1").output(Self::post(m));
        let [out, mean, rstd] = &self.lnf;
        ops.push(norm_forward(
            gpu,
            cfg.norm,
            out,
            mean,
            rstd,
            last,
            &p(m.layout.lnfw),
            m.layout.lnfb.map(p).as_ref(),
            b * t,
            c,
            cfg.norm_eps,
        ));
        ops.push(matmul::matmul_forward(gpu, &m.logits, out, &p(m.layout.head()), None, b * t, c, v));
        let targets = with_targets.then_some(&m.targets);
        ops.push(softmax_xent::softmax_xent_forward(gpu, &m.probs, &m.losses, &m.logits, targets, b * t, v));
        ops.into_iter().map(Step::Run).collect()
    }

    fn stack_forward(&self, m: &GpuEncDec, ops: &mut Vec<Op>, subs: &[Sub], bufs: &[SubBufs], input: &GpuTensor) {
        for (i, (s, a)) in subs.iter().zip(bufs).enumerate() {
            let x = if i == 0 { input } else { bufs[i - 1].output(Self::post(m)) };
            self.sub_forward(m, ops, s, a, x);
        }
    }

    /// y = sub(x), as `CpuModel`'s `sub_forward`.
    fn sub_forward(&self, m: &GpuEncDec, ops: &mut Vec<Op>, s: &Sub, a: &SubBufs, x: &GpuTensor) {
        let (gpu, cfg) = (&*m.gpu, &m.config);
        let (b, t, c, nh) = (m.b as u32, m.t as u32, cfg.n_embd as u32, cfg.n_head as u32);
        let (bt, post) = (b * t, Self::post(m));
        let p = |s: Span| m.params.slice(s.offset, s.len);
        let (lnw, lnb) = (p(s.lnw), s.lnb.map(p));
        if !post {
            ops.push(norm_forward(gpu, cfg.norm, &a.ln, &a.mean, &a.rstd, x, &lnw, lnb.as_ref(), bt, c, cfg.norm_eps));
        }
        let fin = if post { x } else { &a.ln };
        match s.branch {
            Branch::SelfAttn { qkvw, qkvb, projw, projb, causal } => {
                ops.push(matmul::matmul_forward(gpu, &a.qkv, fin, &p(qkvw), Some(&p(qkvb)), bt, c, 3 * c));
                if let Some((cos, sin)) = &self.rope {
                    ops.push(rope::rope_forward(gpu, &a.qkv, cos, sin, b, t, c, nh));
                }
                let weights = (b == 1).then_some((&a.preatt, &a.att)); // kept for the views
                ops.push(attention::attention_forward(gpu, &a.atty, &a.lse, weights, &a.qkv, b, t, c, nh, causal));
                ops.push(matmul::matmul_forward(gpu, &a.out, &a.atty, &p(projw), Some(&p(projb)), bt, c, c));
            }
            Branch::Cross { qw, qb, kvw, kvb, projw, projb } => {
                ops.push(matmul::matmul_forward(gpu, &a.q, fin, &p(qw), Some(&p(qb)), bt, c, c));
                ops.push(matmul::matmul_forward(gpu, &a.kv, &m.memory[0], &p(kvw), Some(&p(kvb)), bt, c, 2 * c));
                ops.push(cross_pack::cross_pack_forward(gpu, &a.qkv, &a.q, &a.kv, bt, c));
                let weights = Some((&a.preatt, &a.att));
                ops.push(attention::attention_forward(gpu, &a.atty, &a.lse, weights, &a.qkv, b, t, c, nh, false));
                ops.push(matmul::matmul_forward(gpu, &a.out, &a.atty, &p(projw), Some(&p(projb)), bt, c, c));
            }
            Branch::Ffn { fcw, fcb, projw, projb } => {
                let (f, fc) = (cfg.ffn_width() as u32, cfg.fc_width() as u32);
                ops.push(matmul::matmul_forward(gpu, &a.fch, fin, &p(fcw), Some(&p(fcb)), bt, c, fc));
                ops.push(ffn_act_forward(gpu, cfg.ffn, &a.fch_act, &a.fch, bt, f));
                ops.push(matmul::matmul_forward(gpu, &a.out, &a.fch_act, &p(projw), Some(&p(projb)), bt, f, c));
            }
        }
        ops.push(residual::residual_forward(gpu, &a.res, x, &a.out, bt * c));
        if post {
            ops.push(norm_forward(gpu, cfg.norm, &a.ln, &a.mean, &a.rstd, &a.res, &lnw, lnb.as_ref(), bt, c, cfg.norm_eps));
        }
    }

    /// The backward op list, as `CpuModel::seq2seq_backward`.
    fn backward(&self, m: &GpuEncDec) -> Vec<Step> {
        let (gpu, cfg, g) = (&*m.gpu, &m.config, &m.scratch);
        let (b, t, c, v) = (m.b as u32, m.t as u32, cfg.n_embd as u32, cfg.vocab_size as u32);
        let bt = b * t;
        let (p, d) = (|s: Span| m.params.slice(s.offset, s.len), |s: Span| m.grads.slice(s.offset, s.len));
        let lay = &m.layout;
        let mut steps: Vec<Step> =
            [&m.grads, &g.dlogits, &g.dlnf, &g.dstream[0], &g.dmemory].into_iter().map(|t| Step::Zero(t.clone())).collect();
        let run = |steps: &mut Vec<Step>, ops: Vec<Op>| steps.extend(ops.into_iter().map(Step::Run));
        run(&mut steps, vec![softmax_xent::softmax_xent_backward(gpu, &g.dlogits, &g.dlosses, &m.probs, &m.targets, bt, v)]);
        run(&mut steps, matmul::matmul_backward(gpu, &g.dlnf, &d(lay.head()), None, &g.dlogits, &self.lnf[0], &p(lay.head()), bt, c, v));
        let last = self.dec.last().expect("n_layer ≥ 1").output(Self::post(m));
        let (dw, db) = (d(lay.lnfw), lay.lnfb.map(d));
        run(
            &mut steps,
            norm_backward(gpu, cfg.norm, &g.dstream[0], &dw, db.as_ref(), &g.dlnf, last, &p(lay.lnfw), &self.lnf[1], &self.lnf[2], bt, c),
        );
        let at = self.stack_backward(m, &mut steps, &self.dec_subs, &self.dec, &self.dec_encoded, 0);
        let dwpe = lay.wpe.map(d);
        run(&mut steps, encoder::encoder_backward(gpu, &d(lay.wte), dwpe.as_ref(), &g.dstream[at], &m.dec_in, b, t, c));
        // the encoder, from ln_e (whose output every cross-attention read) down
        steps.push(Step::Zero(g.dstream[0].clone()));
        let last = self.enc.last().expect("n_layer ≥ 1").output(Self::post(m));
        let lnew = lay.lnew.expect("encoder-decoder layout");
        let (dw, db) = (d(lnew), lay.lneb.map(d));
        let [_, mean, rstd] = &m.memory;
        run(&mut steps, norm_backward(gpu, cfg.norm, &g.dstream[0], &dw, db.as_ref(), &g.dmemory, last, &p(lnew), mean, rstd, bt, c));
        let at = self.stack_backward(m, &mut steps, &self.enc_subs, &self.enc, &self.src_encoded, 0);
        run(&mut steps, encoder::encoder_backward(gpu, &d(lay.wte), dwpe.as_ref(), &g.dstream[at], &m.src, b, t, c));
        steps
    }

    /// Backward through a stack whose output gradient is in `dstream[at]`; returns where the
    /// input's gradient ends up.
    fn stack_backward(
        &self,
        m: &GpuEncDec,
        steps: &mut Vec<Step>,
        subs: &[Sub],
        bufs: &[SubBufs],
        input: &GpuTensor,
        mut at: usize,
    ) -> usize {
        for i in (0..subs.len()).rev() {
            let x = if i == 0 { input } else { bufs[i - 1].output(Self::post(m)) };
            let (dy, dx) = (&m.scratch.dstream[at], &m.scratch.dstream[1 - at]);
            self.sub_backward(m, steps, &subs[i], &bufs[i], x, dy, dx);
            at = 1 - at;
        }
        at
    }

    /// dx = the gradient of sub(x) given dy (dx overwritten); parameters' gradients and
    /// dmemory accumulate.
    #[allow(clippy::too_many_arguments)]
    fn sub_backward(&self, m: &GpuEncDec, steps: &mut Vec<Step>, s: &Sub, a: &SubBufs, x: &GpuTensor, dy: &GpuTensor, dx: &GpuTensor) {
        let (gpu, cfg, g) = (&*m.gpu, &m.config, &m.scratch);
        let (b, t, c, nh) = (m.b as u32, m.t as u32, cfg.n_embd as u32, cfg.n_head as u32);
        let (bt, post) = (b * t, Self::post(m));
        let (p, d) = (|s: Span| m.params.slice(s.offset, s.len), |s: Span| m.grads.slice(s.offset, s.len));
        let run = |steps: &mut Vec<Step>, ops: Vec<Op>| steps.extend(ops.into_iter().map(Step::Run));
        let zero = |steps: &mut Vec<Step>, ts: &[&GpuTensor]| steps.extend(ts.iter().map(|t| Step::Zero((*t).clone())));
        let (lnw, dlnw, dlnb) = (p(s.lnw), d(s.lnw), s.lnb.map(d));
        // dres: the gradient of x + out
        let dres = if post {
            zero(steps, &[&g.dres]);
            run(steps, norm_backward(gpu, cfg.norm, &g.dres, &dlnw, dlnb.as_ref(), dy, &a.res, &lnw, &a.mean, &a.rstd, bt, c));
            &g.dres
        } else {
            dy
        };
        let fin = if post { x } else { &a.ln };
        zero(steps, &[&g.dfin]);
        match s.branch {
            Branch::SelfAttn { qkvw, qkvb, projw, projb, causal } => {
                zero(steps, &[&g.datty, &g.dqkv]);
                run(steps, matmul::matmul_backward(gpu, &g.datty, &d(projw), Some(&d(projb)), dres, &a.atty, &p(projw), bt, c, c));
                run(
                    steps,
                    attention::attention_backward(gpu, &g.dqkv, &g.delta, &g.datty, &a.qkv, &a.atty, &a.lse, b, t, c, nh, causal).into(),
                );
                if let Some((cos, sin)) = &self.rope {
                    run(steps, vec![rope::rope_backward(gpu, &g.dqkv, cos, sin, b, t, c, nh)]);
                }
                run(steps, matmul::matmul_backward(gpu, &g.dfin, &d(qkvw), Some(&d(qkvb)), &g.dqkv, fin, &p(qkvw), bt, c, 3 * c));
            }
            Branch::Cross { qw, qb, kvw, kvb, projw, projb } => {
                zero(steps, &[&g.datty, &g.dqkv, &g.dq, &g.dkv]);
                run(steps, matmul::matmul_backward(gpu, &g.datty, &d(projw), Some(&d(projb)), dres, &a.atty, &p(projw), bt, c, c));
                run(
                    steps,
                    attention::attention_backward(gpu, &g.dqkv, &g.delta, &g.datty, &a.qkv, &a.atty, &a.lse, b, t, c, nh, false).into(),
                );
                run(steps, vec![cross_pack::cross_pack_backward(gpu, &g.dq, &g.dkv, &g.dqkv, bt, c)]);
                run(steps, matmul::matmul_backward(gpu, &g.dfin, &d(qw), Some(&d(qb)), &g.dq, fin, &p(qw), bt, c, c));
                run(steps, matmul::matmul_backward(gpu, &g.dmemory, &d(kvw), Some(&d(kvb)), &g.dkv, &m.memory[0], &p(kvw), bt, c, 2 * c));
            }
            Branch::Ffn { fcw, fcb, projw, projb } => {
                let (f, fc) = (cfg.ffn_width() as u32, cfg.fc_width() as u32);
                zero(steps, &[&g.dact, &g.dfch]);
                run(steps, matmul::matmul_backward(gpu, &g.dact, &d(projw), Some(&d(projb)), dres, &a.fch_act, &p(projw), bt, f, c));
                run(steps, vec![ffn_act_backward(gpu, cfg.ffn, &g.dfch, &a.fch, &g.dact, bt, f)]);
                run(steps, matmul::matmul_backward(gpu, &g.dfin, &d(fcw), Some(&d(fcb)), &g.dfch, fin, &p(fcw), bt, c, fc));
            }
        }
        if post {
            // dx = dres (the skip path) + dfin (the branch)
            run(steps, vec![residual::residual_forward(gpu, dx, dres, &g.dfin, bt * c)]);
        } else {
            steps.push(Step::Copy { src: Region::from(dres), dst: Region::from(dx) });
            run(steps, norm_backward(gpu, cfg.norm, dx, &dlnw, dlnb.as_ref(), &g.dfin, x, &lnw, &a.mean, &a.rstd, bt, c));
        }
    }
}
