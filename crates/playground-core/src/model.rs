//! `CpuModel`: the decoder-only GPT of nanoGPT and its variants, forward and backward, on
//! the CPU. Ops run in llm.c's order; `playground-gpu`'s `GpuModel` runs the same list.
//!
//! ```text
//! x = wte[tokens] + pos[0..T]                         encoded       (B, T, C)
//!     (pos: learned wpe, the sinusoidal table, or nothing for rotary)
//! for each block l, pre-norm (GPT-2):
//!   x = x + proj(attention(ln1(x)))                   residual2     (B, T, C)
//!   x = x + fcproj(act(fc(ln2(x))))                   residual3     (B, T, C)
//! or post-norm (the original Transformer):
//!   x = ln1(x + proj(attention(x)))                   ln1           (B, T, C)
//!   x = ln2(x + fcproj(act(fc(x))))                   ln2           (B, T, C)
//!     (attention rotates Q and K first for rotary positions; norms are LayerNorm or RMSNorm;
//!      act is GELU, ReLU or SwiGLU)
//! logits = lnf(x) · headᵀ                             head = wte (tied) or lm_head   (B, T, V)
//! loss = mean cross-entropy(logits, targets)
//! ```

mod classifier;
mod encdec;
mod kv_cache;

use crate::ablation::Ablation;
use crate::arch_ops::{ffn_act_backward, ffn_act_forward, ffn_fused_activation, norm_backward, norm_forward};
use crate::config::{ModelConfig, NormPosition, Positions};
use crate::cpu;
use crate::error::CoreError;
use crate::params::{ParamLayout, Span};
use crate::rng::Rng;
use crate::trace::{Act, TraceKey, TraceRequest, TraceTensor};
pub use classifier::{classifier_backward, classifier_forward, ClassifierActs};
pub use encdec::{argmax, single_stream, Branch, EncDecActs, Sub, SubActs};
pub use kv_cache::{check_cacheable, check_room, KvCache};

/// Standard deviation of nanoGPT's initial weights.
pub const INIT_STD: f32 = 0.02;

/// Activations of one transformer block (llm.c's names).
#[derive(Clone, Debug)]
/// Pre-norm: ln1 and ln2 normalize the block input and residual2; post-norm: they normalize
/// residual2 and residual3, and ln2 is the block's output.
pub struct LayerActs {
    pub ln1: Vec<f32>,       // (B, T, C)
    pub ln1_mean: Vec<f32>,  // (B, T)
    pub ln1_rstd: Vec<f32>,  // (B, T)
    pub qkv: Vec<f32>,       // (B, T, 3C)
    pub atty: Vec<f32>,      // (B, T, C)
    pub lse: Vec<f32>,       // (B, NH, T)
    pub preatt: Vec<f32>,    // (B, NH, T, T)
    pub att: Vec<f32>,       // (B, NH, T, T)
    pub attproj: Vec<f32>,   // (B, T, C)
    pub residual2: Vec<f32>, // (B, T, C)
    pub ln2: Vec<f32>,       // (B, T, C)
    pub ln2_mean: Vec<f32>,  // (B, T)
    pub ln2_rstd: Vec<f32>,  // (B, T)
    pub fch: Vec<f32>,       // (B, T, H) or (B, T, 2H) for SwiGLU
    pub fch_gelu: Vec<f32>,  // (B, T, H), after the activation (GELU or another)
    pub fcproj: Vec<f32>,    // (B, T, C)
    pub residual3: Vec<f32>, // (B, T, C)
}

/// Everything a forward pass over (B, T) tokens keeps for the backward pass and the trace.
#[derive(Clone, Debug)]
pub struct Activations {
    pub b: usize,
    pub t: usize,
    pub encoded: Vec<f32>, // (B, T, C)
    pub layers: Vec<LayerActs>,
    pub lnf: Vec<f32>,      // (B, T, C)
    pub lnf_mean: Vec<f32>, // (B, T)
    pub lnf_rstd: Vec<f32>, // (B, T)
    pub logits: Vec<f32>,   // (B, T, V)
    pub probs: Vec<f32>,    // (B, T, V)
    pub losses: Vec<f32>,   // (B, T)
    /// The [CLS] classifier's, when the config has classes.
    pub cls: Option<ClassifierActs>,
}

impl LayerActs {
    /// What the block hands to the next one (and the last block to lnf).
    pub fn output(&self, cfg: &ModelConfig) -> &[f32] {
        match cfg.norm_position {
            NormPosition::Pre => &self.residual3,
            NormPosition::Post => &self.ln2,
        }
    }
}

impl Activations {
    pub fn new(cfg: &ModelConfig, b: usize, t: usize) -> Self {
        let (c, nh, v, f, fc) = (cfg.n_embd, cfg.n_head, cfg.vocab_size, cfg.ffn_width(), cfg.fc_width());
        let bt = b * t;
        let z = |n: usize| vec![0.0f32; n];
        let layers = (0..cfg.n_layer)
            .map(|_| LayerActs {
                ln1: z(bt * c),
                ln1_mean: z(bt),
                ln1_rstd: z(bt),
                qkv: z(bt * 3 * c),
                atty: z(bt * c),
                lse: z(b * nh * t),
                preatt: z(b * nh * t * t),
                att: z(b * nh * t * t),
                attproj: z(bt * c),
                residual2: z(bt * c),
                ln2: z(bt * c),
                ln2_mean: z(bt),
                ln2_rstd: z(bt),
                fch: z(bt * fc),
                fch_gelu: z(bt * f),
                fcproj: z(bt * c),
                residual3: z(bt * c),
            })
            .collect();
        Activations {
            b,
            t,
            encoded: z(bt * c),
            layers,
            lnf: z(bt * c),
            lnf_mean: z(bt),
            lnf_rstd: z(bt),
            logits: z(bt * v),
            probs: z(bt * v),
            losses: z(bt),
            cls: (cfg.n_classes > 0).then(|| ClassifierActs::new(bt, cfg.n_classes)),
        }
    }

    /// The activation a trace locator points into.
    pub fn get(&self, act: Act, layer: usize) -> &[f32] {
        let la = |l: usize| &self.layers[l];
        match act {
            Act::Encoded => &self.encoded,
            Act::Ln1 => &la(layer).ln1,
            Act::Qkv => &la(layer).qkv,
            Act::Atty => &la(layer).atty,
            Act::Preatt => &la(layer).preatt,
            Act::Att => &la(layer).att,
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

/// The model on the CPU: config, layout and the flat parameter buffer.
#[derive(Clone, Debug)]
pub struct CpuModel {
    pub config: ModelConfig,
    pub layout: ParamLayout,
    pub params: Vec<f32>, // layout.padded_len()
    /// Heads and blocks switched off in inference (see `ablation`); `None` in training.
    pub ablation: Option<Ablation>,
}

impl CpuModel {
    /// A freshly initialized model; the same seed gives the same weights on every target.
    pub fn new(config: ModelConfig, seed: u64) -> Result<Self, CoreError> {
        config.validate()?;
        Ok(Self::from_params_unchecked(config, init_params(&config, seed)))
    }

    /// A model from an existing flat parameter buffer (e.g. a checkpoint or the GPU).
    pub fn from_params(config: ModelConfig, params: Vec<f32>) -> Result<Self, CoreError> {
        config.validate()?;
        let layout = ParamLayout::new(&config);
        if params.len() != layout.padded_len() {
            return Err(CoreError::Shape { op: "CpuModel::from_params", expected: vec![layout.padded_len()], got: vec![params.len()] });
        }
        Ok(CpuModel { config, layout, params, ablation: None })
    }

    fn from_params_unchecked(config: ModelConfig, params: Vec<f32>) -> Self {
        CpuModel { layout: ParamLayout::new(&config), config, params, ablation: None }
    }

    /// Inference over one sequence (B = 1), returning the requested trace.
    pub fn forward(&self, tokens: &[u32], request: &TraceRequest) -> Result<ForwardOutput, CoreError> {
        encdec::single_stream(&self.config)?;
        let keys = request.resolve(&self.config)?;
        let t = tokens.len();
        check_tokens(&self.config, tokens, 1, t)?;
        let mut acts = Activations::new(&self.config, 1, t);
        self.forward_acts(&mut acts, tokens, None);
        let trace = keys.iter().map(|k| self.trace_tensor(k, &acts, tokens)).collect();
        Ok(ForwardOutput { loss: None, trace })
    }

    /// Forward over a batch (B, T) with targets: returns the mean loss, keeps activations.
    pub fn forward_train(&self, acts: &mut Activations, tokens: &[u32], targets: &[u32]) -> Result<f32, CoreError> {
        let (b, t) = (acts.b, acts.t);
        encdec::single_stream(&self.config)?;
        check_tokens(&self.config, tokens, b, t)?;
        check_targets(&self.config, targets, b, t)?;
        Ok(self.forward_acts(acts, tokens, Some(targets)).expect("targets given, so a loss"))
    }

    /// The rows added to the token embeddings: wpe (learned), the sinusoidal table, or none
    /// (rotary positions enter inside attention).
    pub fn position_rows(&self, t: usize) -> Option<Vec<f32>> {
        let c = self.config.n_embd;
        match self.config.positions {
            Positions::Learned => self.layout.wpe.map(|s| s.of(&self.params)[..t * c].to_vec()),
            Positions::Sinusoidal => Some(cpu::sinusoidal_table(t, c)),
            Positions::Rotary => None,
        }
    }

    /// The rotary angles' cos and sin, each (T, HS/2), for rotary models.
    fn rope(&self, t: usize) -> Option<(Vec<f32>, Vec<f32>)> {
        (self.config.positions == Positions::Rotary).then(|| cpu::rope_table(t, self.config.head_size(), self.config.rope_theta))
    }

    /// The op list. Tokens must already be checked.
    pub fn forward_acts(&self, acts: &mut Activations, tokens: &[u32], targets: Option<&[u32]>) -> Option<f32> {
        let cfg = &self.config;
        let (b, t, c, nh, v, f, fc) = (acts.b, acts.t, cfg.n_embd, cfg.n_head, cfg.vocab_size, cfg.ffn_width(), cfg.fc_width());
        let bt = b * t;
        let p = &self.params;
        let lay = &self.layout;
        let (norm, post) = (cfg.norm, cfg.norm_position == NormPosition::Post);
        let bias = |s: Option<Span>| s.map(|s| s.of(p));
        cpu::encoder_forward(&mut acts.encoded, tokens, lay.wte.of(p), self.position_rows(t).as_deref(), b, t, c);
        let rope = self.rope(t);
        for l in 0..cfg.n_layer {
            let w = &lay.blocks[l];
            let (prev, rest) = acts.layers.split_at_mut(l);
            let input: &[f32] = if l == 0 { &acts.encoded } else { prev[l - 1].output(cfg) };
            let a = &mut rest[0];
            // attention reads the block input (post-norm) or its norm (pre-norm)
            if !post {
                norm_forward(norm, &mut a.ln1, &mut a.ln1_mean, &mut a.ln1_rstd, input, w.ln1w.of(p), bias(w.ln1b), bt, c, cfg.norm_eps);
            }
            let attn_in: &[f32] = if post { input } else { &a.ln1 };
            cpu::matmul_forward(&mut a.qkv, attn_in, w.qkvw.of(p), Some(w.qkvb.of(p)), bt, c, 3 * c);
            if let Some((cos, sin)) = &rope {
                cpu::rope_forward(&mut a.qkv, cos, sin, b, t, c, nh);
            }
            cpu::attention_forward(&mut a.atty, &mut a.lse, &mut a.preatt, &mut a.att, &a.qkv, b, t, c, nh, cfg.causal());
            let ablate = self.ablation.as_ref().filter(|m| m.is_active());
            if let Some(m) = ablate {
                cpu::ablate_forward(&mut a.atty, &m.mask, m.head_offset(l), bt, nh, c / nh);
            }
            cpu::matmul_forward(&mut a.attproj, &a.atty, w.attprojw.of(p), Some(w.attprojb.of(p)), bt, c, c);
            if let Some(m) = ablate {
                cpu::ablate_forward(&mut a.attproj, &m.mask, m.layer_offset(l), bt, 1, c);
            }
            cpu::residual_forward(&mut a.residual2, input, &a.attproj, bt * c);
            // the FFN reads norm(residual2): ln2 (pre-norm) or ln1 (post-norm)
            let (ffn_in, ffn_skip) = if post {
                norm_forward(
                    norm,
                    &mut a.ln1,
                    &mut a.ln1_mean,
                    &mut a.ln1_rstd,
                    &a.residual2,
                    w.ln1w.of(p),
                    bias(w.ln1b),
                    bt,
                    c,
                    cfg.norm_eps,
                );
                (&a.ln1, &a.ln1)
            } else {
                norm_forward(
                    norm,
                    &mut a.ln2,
                    &mut a.ln2_mean,
                    &mut a.ln2_rstd,
                    &a.residual2,
                    w.ln2w.of(p),
                    bias(w.ln2b),
                    bt,
                    c,
                    cfg.norm_eps,
                );
                (&a.ln2, &a.residual2)
            };
            match ffn_fused_activation(cfg.ffn) {
                Some(act) => cpu::matmul_forward_act(act, &mut a.fch_gelu, &mut a.fch, ffn_in, w.fcw.of(p), Some(w.fcb.of(p)), bt, c, fc),
                None => {
                    cpu::matmul_forward(&mut a.fch, ffn_in, w.fcw.of(p), Some(w.fcb.of(p)), bt, c, fc);
                    ffn_act_forward(cfg.ffn, &mut a.fch_gelu, &a.fch, bt, f);
                }
            }
            cpu::matmul_forward(&mut a.fcproj, &a.fch_gelu, w.fcprojw.of(p), Some(w.fcprojb.of(p)), bt, f, c);
            if let Some(m) = ablate {
                cpu::ablate_forward(&mut a.fcproj, &m.mask, m.layer_offset(l), bt, 1, c);
            }
            cpu::residual_forward(&mut a.residual3, ffn_skip, &a.fcproj, bt * c);
            if post {
                norm_forward(
                    norm,
                    &mut a.ln2,
                    &mut a.ln2_mean,
                    &mut a.ln2_rstd,
                    &a.residual3,
                    w.ln2w.of(p),
                    bias(w.ln2b),
                    bt,
                    c,
                    cfg.norm_eps,
                );
            }
        }
        let last = acts.layers[cfg.n_layer - 1].output(cfg);
        norm_forward(
            norm,
            &mut acts.lnf,
            &mut acts.lnf_mean,
            &mut acts.lnf_rstd,
            last,
            lay.lnfw.of(p),
            bias(lay.lnfb),
            bt,
            c,
            cfg.norm_eps,
        );
        cpu::matmul_forward(&mut acts.logits, &acts.lnf, lay.head().of(p), None, bt, c, v);
        if let (Some(cls), Some(w), Some(clsb)) = (acts.cls.as_mut(), lay.clsw, lay.clsb) {
            // the [CLS] classifier's loss replaces the masked-LM loss
            cpu::softmax_forward(&mut acts.probs, &acts.logits, bt, v);
            return classifier_forward(cls, &mut acts.losses, &acts.lnf, w.of(p), clsb.of(p), targets, bt, c, cfg.n_classes);
        }
        match targets {
            Some(tg) => {
                cpu::softmax_xent_forward(&mut acts.probs, &mut acts.losses, &acts.logits, tg, bt, v);
                Some(cpu::mean_loss(&acts.losses, cpu::counted(tg)))
            }
            None => {
                cpu::softmax_forward(&mut acts.probs, &acts.logits, bt, v);
                None
            }
        }
    }

    /// Gradients of the mean loss of the last `forward_train` into `grads` (overwritten).
    pub fn backward(&self, grads: &mut [f32], acts: &Activations, tokens: &[u32], targets: &[u32]) {
        self.backward_observed(grads, acts, tokens, targets, &mut |_, _, _| {});
    }

    /// `backward`, showing each block's gradient intermediates (B, T, ·) to `observe(layer,
    /// name, values)` as they are made: `dresidual` (into the block's output), `dfch_gelu`,
    /// `dfch`, `dln2`, `dres1` (into the stream after attention), `datty`, `dqkv`, `dln1`.
    pub fn backward_observed(
        &self,
        grads: &mut [f32],
        acts: &Activations,
        tokens: &[u32],
        targets: &[u32],
        observe: &mut dyn FnMut(usize, &'static str, &[f32]),
    ) {
        let cfg = &self.config;
        let (b, t, c, nh, v, f, fc) = (acts.b, acts.t, cfg.n_embd, cfg.n_head, cfg.vocab_size, cfg.ffn_width(), cfg.fc_width());
        let bt = b * t;
        let p = &self.params;
        let lay = &self.layout;
        let (norm, post) = (cfg.norm, cfg.norm_position == NormPosition::Post);
        grads.fill(0.0);
        let mut dlnf = vec![0.0; bt * c];
        if let (Some(cls), Some(w), Some(bias)) = (&acts.cls, lay.clsw, lay.clsb) {
            let (dw, db) = two_spans(grads, w, bias);
            classifier_backward(&mut dlnf, dw, db, cls, &acts.lnf, w.of(p), targets, bt, c, cfg.n_classes);
        } else {
            // the loss is the mean over the counted positions (all B·T unless targets are IGNORE)
            let dlosses = vec![1.0 / cpu::counted(targets) as f32; bt];
            let mut dlogits = vec![0.0; bt * v];
            cpu::softmax_xent_backward(&mut dlogits, &dlosses, &acts.probs, targets, bt, v);
            // logits = lnf · headᵀ: a tied head's weight gradient lands in dwte
            cpu::matmul_backward(&mut dlnf, lay.head().of_mut(grads), None, &dlogits, &acts.lnf, lay.head().of(p), bt, c, v);
        }
        // the gradient flowing along the residual stream, from the top block down
        let mut dresidual = vec![0.0; bt * c];
        let last = acts.layers[cfg.n_layer - 1].output(cfg);
        let (dw, db) = norm_grads(grads, lay.lnfw, lay.lnfb);
        norm_backward(norm, &mut dresidual, dw, db, &dlnf, last, lay.lnfw.of(p), &acts.lnf_mean, &acts.lnf_rstd, bt, c);
        let rope = self.rope(t);
        let mut g = BlockGrads::new(cfg, bt);
        for l in (0..cfg.n_layer).rev() {
            let w = &lay.blocks[l];
            let a = &acts.layers[l];
            let input: &[f32] = if l == 0 { &acts.encoded } else { acts.layers[l - 1].output(cfg) };
            g.zero();
            observe(l, "dresidual", &dresidual);
            if post {
                // forward was: ln2 = norm(residual3), residual3 = ln1 + fcproj(act(fc(ln1)));
                // dresidual holds d ln2; dstream becomes d residual3, then d ln1
                let (dw, db) = norm_grads(grads, w.ln2w, w.ln2b);
                norm_backward(norm, &mut g.dstream, dw, db, &dresidual, &a.residual3, w.ln2w.of(p), &a.ln2_mean, &a.ln2_rstd, bt, c);
                let (dw, db) = two_spans(grads, w.fcprojw, w.fcprojb);
                cpu::matmul_backward(&mut g.dfch_gelu, dw, Some(db), &g.dstream, &a.fch_gelu, w.fcprojw.of(p), bt, f, c);
                ffn_act_backward(cfg.ffn, &mut g.dfch, &a.fch, &g.dfch_gelu, bt, f);
                let (dw, db) = two_spans(grads, w.fcw, w.fcb);
                cpu::matmul_backward(&mut g.dstream, dw, Some(db), &g.dfch, &a.ln1, w.fcw.of(p), bt, c, fc);
                // ln1 = norm(residual2): dresidual becomes d residual2
                dresidual.fill(0.0);
                let (dw, db) = norm_grads(grads, w.ln1w, w.ln1b);
                norm_backward(norm, &mut dresidual, dw, db, &g.dstream, &a.residual2, w.ln1w.of(p), &a.ln1_mean, &a.ln1_rstd, bt, c);
            } else {
                // forward was: residual3 = residual2 + fcproj(act(fc(ln2(residual2))))
                // dresidual already holds the skip path's share; the FFN branch adds to it.
                let (dw, db) = two_spans(grads, w.fcprojw, w.fcprojb);
                cpu::matmul_backward(&mut g.dfch_gelu, dw, Some(db), &dresidual, &a.fch_gelu, w.fcprojw.of(p), bt, f, c);
                ffn_act_backward(cfg.ffn, &mut g.dfch, &a.fch, &g.dfch_gelu, bt, f);
                let (dw, db) = two_spans(grads, w.fcw, w.fcb);
                cpu::matmul_backward(&mut g.dln2, dw, Some(db), &g.dfch, &a.ln2, w.fcw.of(p), bt, c, fc);
                let (dw, db) = norm_grads(grads, w.ln2w, w.ln2b);
                norm_backward(norm, &mut dresidual, dw, db, &g.dln2, &a.residual2, w.ln2w.of(p), &a.ln2_mean, &a.ln2_rstd, bt, c);
            }
            observe(l, "dres1", &dresidual);
            // forward was: residual2 = input + attproj(attention(qkv(x))), x = ln1(input) or input
            let (dw, db) = two_spans(grads, w.attprojw, w.attprojb);
            cpu::matmul_backward(&mut g.datty, dw, Some(db), &dresidual, &a.atty, w.attprojw.of(p), bt, c, c);
            cpu::attention_backward(&mut g.dqkv, &g.datty, &a.qkv, &a.att, b, t, c, nh, cfg.causal());
            if let Some((cos, sin)) = &rope {
                cpu::rope_backward(&mut g.dqkv, cos, sin, b, t, c, nh);
            }
            let (dw, db) = two_spans(grads, w.qkvw, w.qkvb);
            if post {
                cpu::matmul_backward(&mut dresidual, dw, Some(db), &g.dqkv, input, w.qkvw.of(p), bt, c, 3 * c);
            } else {
                cpu::matmul_backward(&mut g.dln1, dw, Some(db), &g.dqkv, &a.ln1, w.qkvw.of(p), bt, c, 3 * c);
                let (dw, db) = norm_grads(grads, w.ln1w, w.ln1b);
                norm_backward(norm, &mut dresidual, dw, db, &g.dln1, input, w.ln1w.of(p), &a.ln1_mean, &a.ln1_rstd, bt, c);
            }
            for (name, v) in [
                ("dfch_gelu", &g.dfch_gelu),
                ("dfch", &g.dfch),
                ("dln2", &g.dln2),
                ("datty", &g.datty),
                ("dqkv", &g.dqkv),
                ("dln1", &g.dln1),
            ] {
                observe(l, name, v);
            }
        }
        match lay.wpe {
            Some(wpe) => {
                let (dwte, dwpe) = two_spans(grads, lay.wte, wpe);
                cpu::encoder_backward(dwte, Some(dwpe), &dresidual, tokens, b, t, c);
            }
            None => cpu::encoder_backward(lay.wte.of_mut(grads), None, &dresidual, tokens, b, t, c),
        }
    }

    /// One traced tensor for batch row 0.
    pub fn trace_tensor(&self, key: &TraceKey, acts: &Activations, tokens: &[u32]) -> TraceTensor {
        let t = acts.t;
        let c = self.config.n_embd;
        let (shape, axes) = key.shape(&self.config, t);
        let data = match key.locate(&self.config, t) {
            Some(loc) => loc.extract(acts.get(loc.act, loc.layer)),
            None => match key {
                TraceKey::Tokens => tokens[..t].iter().map(|&id| id as f32).collect(),
                TraceKey::EmbedTok => tokens[..t]
                    .iter()
                    .flat_map(|&id| self.layout.wte.of(&self.params)[id as usize * c..(id as usize + 1) * c].to_vec())
                    .collect(),
                TraceKey::EmbedPos => self.position_rows(t).expect("TraceKey::parse refuses embed.pos for rotary models"),
                TraceKey::ClsProbs => {
                    let k = self.config.n_classes;
                    acts.cls.as_ref().expect("TraceKey::parse refuses cls_probs without classes").probs[..t * k].to_vec()
                }
                _ => unreachable!("every other key has a locator"),
            },
        };
        TraceTensor { key: key.name(), shape, axes, data }
    }
}

/// Per-block gradient scratch for `backward`, allocated once per call.
struct BlockGrads {
    dfch_gelu: Vec<f32>, // (B, T, H)
    dfch: Vec<f32>,      // (B, T, H) or (B, T, 2H)
    dln2: Vec<f32>,      // (B, T, C)
    datty: Vec<f32>,     // (B, T, C)
    dqkv: Vec<f32>,      // (B, T, 3C)
    dln1: Vec<f32>,      // (B, T, C)
    dstream: Vec<f32>,   // (B, T, C), post-norm: the gradient between the two norms
}

impl BlockGrads {
    fn new(cfg: &ModelConfig, bt: usize) -> Self {
        let c = cfg.n_embd;
        let z = |n| vec![0.0; n];
        BlockGrads {
            dfch_gelu: z(bt * cfg.ffn_width()),
            dfch: z(bt * cfg.fc_width()),
            dln2: z(bt * c),
            datty: z(bt * c),
            dqkv: z(bt * 3 * c),
            dln1: z(bt * c),
            dstream: z(bt * c),
        }
    }
    fn zero(&mut self) {
        for v in [&mut self.dfch_gelu, &mut self.dfch, &mut self.dln2, &mut self.datty, &mut self.dqkv, &mut self.dln1, &mut self.dstream] {
            v.fill(0.0);
        }
    }
}

/// A norm's weight gradient and, for LayerNorm, its bias gradient, borrowed mutably at once.
fn norm_grads(buf: &mut [f32], w: Span, b: Option<Span>) -> (&mut [f32], Option<&mut [f32]>) {
    match b {
        Some(b) => {
            let (dw, db) = two_spans(buf, w, b);
            (dw, Some(db))
        }
        None => (w.of_mut(buf), None),
    }
}

/// Two disjoint spans of one buffer, borrowed mutably at once.
fn two_spans(buf: &mut [f32], a: Span, b: Span) -> (&mut [f32], &mut [f32]) {
    assert!(a.end() <= b.offset || b.end() <= a.offset, "spans overlap");
    if a.offset < b.offset {
        let (lo, hi) = buf.split_at_mut(b.offset);
        (&mut lo[a.offset..a.end()], &mut hi[..b.len])
    } else {
        let (lo, hi) = buf.split_at_mut(a.offset);
        (&mut hi[..a.len], &mut lo[b.offset..b.end()])
    }
}
