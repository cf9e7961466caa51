//! `CpuModel`: the decoder-only, pre-LayerNorm GPT of nanoGPT, forward and backward, on the
//! CPU. Ops run in llm.c's order; `playground-gpu`'s `GpuModel` runs the same list.
//!
//! ```text
//! x = wte[tokens] + wpe[0..T]                         encoded       (B, T, C)
//! for each block l:
//!   x = x + proj(attention(ln1(x)))                   residual2     (B, T, C)
//!   x = x + fcproj(gelu(fc(ln2(x))))                  residual3     (B, T, C)
//! logits = lnf(x) · wteᵀ                              (tied head)   (B, T, V)
//! loss = mean cross-entropy(logits, targets)
//! ```

use crate::config::{Ffn, ModelConfig};
use crate::cpu;
use crate::error::CoreError;
use crate::params::ParamLayout;
use crate::rng::Rng;
use crate::trace::{Act, TraceKey, TraceRequest, TraceTensor};

/// Standard deviation of nanoGPT's initial weights.
pub const INIT_STD: f32 = 0.02;

/// Activations of one transformer block (llm.c's names).
#[derive(Clone, Debug)]
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
    pub fch: Vec<f32>,       // (B, T, 4C)
    pub fch_gelu: Vec<f32>,  // (B, T, 4C)
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
}

impl Activations {
    pub fn new(cfg: &ModelConfig, b: usize, t: usize) -> Self {
        let (c, nh, v, f) = (cfg.n_embd, cfg.n_head, cfg.vocab_size, cfg.ffn_width());
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
                fch: z(bt * f),
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
    if t == 0 || b == 0 {
        return Err(CoreError::EmptyText);
    }
    if t > cfg.block_size {
        return Err(CoreError::TooLong { t, block_size: cfg.block_size });
    }
    if tokens.len() != b * t {
        return Err(CoreError::BatchShape { got: tokens.len(), b, t });
    }
    if let Some(&id) = tokens.iter().find(|&&id| id as usize >= cfg.vocab_size) {
        return Err(CoreError::TokenOutOfRange { id, vocab: cfg.vocab_size });
    }
    Ok(())
}

/// nanoGPT's initialization: N(0, 0.02) for embeddings and Linear weights, scaled by
/// 1/√(2L) for the projections that write into the residual stream; biases 0; LayerNorm 1, 0.
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
        Ok(CpuModel { config, layout, params })
    }

    fn from_params_unchecked(config: ModelConfig, params: Vec<f32>) -> Self {
        CpuModel { layout: ParamLayout::new(&config), config, params }
    }

    /// Inference over one sequence (B = 1), returning the requested trace.
    pub fn forward(&self, tokens: &[u32], request: &TraceRequest) -> Result<ForwardOutput, CoreError> {
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
        check_tokens(&self.config, tokens, b, t)?;
        check_tokens(&self.config, targets, b, t)?;
        Ok(self.forward_acts(acts, tokens, Some(targets)).expect("targets given, so a loss"))
    }

    /// The op list. Tokens must already be checked.
    pub fn forward_acts(&self, acts: &mut Activations, tokens: &[u32], targets: Option<&[u32]>) -> Option<f32> {
        let cfg = &self.config;
        let (b, t, c, nh, v, f) = (acts.b, acts.t, cfg.n_embd, cfg.n_head, cfg.vocab_size, cfg.ffn_width());
        let bt = b * t;
        let p = &self.params;
        let lay = &self.layout;
        cpu::encoder_forward(&mut acts.encoded, tokens, lay.wte.of(p), lay.wpe.of(p), b, t, c);
        for l in 0..cfg.n_layer {
            let w = &lay.blocks[l];
            let (prev, rest) = acts.layers.split_at_mut(l);
            let residual: &[f32] = if l == 0 { &acts.encoded } else { &prev[l - 1].residual3 };
            let a = &mut rest[0];
            cpu::layernorm_forward(&mut a.ln1, &mut a.ln1_mean, &mut a.ln1_rstd, residual, w.ln1w.of(p), w.ln1b.of(p), bt, c);
            cpu::matmul_forward(&mut a.qkv, &a.ln1, w.qkvw.of(p), Some(w.qkvb.of(p)), bt, c, 3 * c);
            cpu::attention_forward(&mut a.atty, &mut a.lse, &mut a.preatt, &mut a.att, &a.qkv, b, t, c, nh);
            cpu::matmul_forward(&mut a.attproj, &a.atty, w.attprojw.of(p), Some(w.attprojb.of(p)), bt, c, c);
            cpu::residual_forward(&mut a.residual2, residual, &a.attproj, bt * c);
            cpu::layernorm_forward(&mut a.ln2, &mut a.ln2_mean, &mut a.ln2_rstd, &a.residual2, w.ln2w.of(p), w.ln2b.of(p), bt, c);
            cpu::matmul_forward(&mut a.fch, &a.ln2, w.fcw.of(p), Some(w.fcb.of(p)), bt, c, f);
            match cfg.ffn {
                Ffn::GeluTanh => cpu::gelu_tanh_forward(&mut a.fch_gelu, &a.fch, bt * f),
                _ => cpu::gelu_forward(&mut a.fch_gelu, &a.fch, bt * f),
            }
            cpu::matmul_forward(&mut a.fcproj, &a.fch_gelu, w.fcprojw.of(p), Some(w.fcprojb.of(p)), bt, f, c);
            cpu::residual_forward(&mut a.residual3, &a.residual2, &a.fcproj, bt * c);
        }
        let last = &acts.layers[cfg.n_layer - 1].residual3;
        cpu::layernorm_forward(&mut acts.lnf, &mut acts.lnf_mean, &mut acts.lnf_rstd, last, lay.lnfw.of(p), lay.lnfb.of(p), bt, c);
        cpu::matmul_forward(&mut acts.logits, &acts.lnf, lay.wte.of(p), None, bt, c, v);
        match targets {
            Some(tg) => {
                cpu::softmax_xent_forward(&mut acts.probs, &mut acts.losses, &acts.logits, tg, bt, v);
                Some(cpu::mean_loss(&acts.losses))
            }
            None => {
                cpu::softmax_forward(&mut acts.probs, &acts.logits, bt, v);
                None
            }
        }
    }

    /// Gradients of the mean loss of the last `forward_train` into `grads` (overwritten).
    pub fn backward(&self, grads: &mut [f32], acts: &Activations, tokens: &[u32], targets: &[u32]) {
        let cfg = &self.config;
        let (b, t, c, nh, v, f) = (acts.b, acts.t, cfg.n_embd, cfg.n_head, cfg.vocab_size, cfg.ffn_width());
        let bt = b * t;
        let p = &self.params;
        let lay = &self.layout;
        grads.fill(0.0);
        // the loss is the mean over B·T positions
        let dlosses = vec![1.0 / bt as f32; bt];
        let mut dlogits = vec![0.0; bt * v];
        cpu::softmax_xent_backward(&mut dlogits, &dlosses, &acts.probs, targets, bt, v);
        let mut dlnf = vec![0.0; bt * c];
        // tied head: logits = lnf · wteᵀ, so its weight gradient lands in dwte
        cpu::matmul_backward(&mut dlnf, lay.wte.of_mut(grads), None, &dlogits, &acts.lnf, lay.wte.of(p), bt, c, v);
        // the gradient flowing along the residual stream, from the top block down
        let mut dresidual = vec![0.0; bt * c];
        let last = &acts.layers[cfg.n_layer - 1].residual3;
        let (dw, db) = two_spans(grads, lay.lnfw, lay.lnfb);
        cpu::layernorm_backward(&mut dresidual, dw, db, &dlnf, last, lay.lnfw.of(p), &acts.lnf_mean, &acts.lnf_rstd, bt, c);
        let mut g = BlockGrads::new(cfg, bt);
        for l in (0..cfg.n_layer).rev() {
            let w = &lay.blocks[l];
            let a = &acts.layers[l];
            let residual: &[f32] = if l == 0 { &acts.encoded } else { &acts.layers[l - 1].residual3 };
            g.zero();
            // forward was: residual3 = residual2 + fcproj(gelu(fc(ln2(residual2))))
            // dresidual already holds the skip path's share; the FFN branch adds to it.
            let (dw, db) = two_spans(grads, w.fcprojw, w.fcprojb);
            cpu::matmul_backward(&mut g.dfch_gelu, dw, Some(db), &dresidual, &a.fch_gelu, w.fcprojw.of(p), bt, f, c);
            match cfg.ffn {
                Ffn::GeluTanh => cpu::gelu_tanh_backward(&mut g.dfch, &a.fch, &g.dfch_gelu, bt * f),
                _ => cpu::gelu_backward(&mut g.dfch, &a.fch, &g.dfch_gelu, bt * f),
            }
            let (dw, db) = two_spans(grads, w.fcw, w.fcb);
            cpu::matmul_backward(&mut g.dln2, dw, Some(db), &g.dfch, &a.ln2, w.fcw.of(p), bt, c, f);
            let (dw, db) = two_spans(grads, w.ln2w, w.ln2b);
            cpu::layernorm_backward(&mut dresidual, dw, db, &g.dln2, &a.residual2, w.ln2w.of(p), &a.ln2_mean, &a.ln2_rstd, bt, c);
            // forward was: residual2 = residual + attproj(attention(qkv(ln1(residual))))
            let (dw, db) = two_spans(grads, w.attprojw, w.attprojb);
            cpu::matmul_backward(&mut g.datty, dw, Some(db), &dresidual, &a.atty, w.attprojw.of(p), bt, c, c);
            cpu::attention_backward(&mut g.dqkv, &g.datty, &a.qkv, &a.att, b, t, c, nh);
            let (dw, db) = two_spans(grads, w.qkvw, w.qkvb);
            cpu::matmul_backward(&mut g.dln1, dw, Some(db), &g.dqkv, &a.ln1, w.qkvw.of(p), bt, c, 3 * c);
            let (dw, db) = two_spans(grads, w.ln1w, w.ln1b);
            cpu::layernorm_backward(&mut dresidual, dw, db, &g.dln1, residual, w.ln1w.of(p), &a.ln1_mean, &a.ln1_rstd, bt, c);
        }
        let (dwte, dwpe) = two_spans(grads, lay.wte, lay.wpe);
        cpu::encoder_backward(dwte, dwpe, &dresidual, tokens, b, t, c);
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
                TraceKey::EmbedPos => self.layout.wpe.of(&self.params)[..t * c].to_vec(),
                _ => unreachable!("every other key has a locator"),
            },
        };
        TraceTensor { key: key.name(), shape, axes, data }
    }
}

/// Per-block gradient scratch for `backward`, allocated once per call.
struct BlockGrads {
    dfch_gelu: Vec<f32>, // (B, T, 4C)
    dfch: Vec<f32>,      // (B, T, 4C)
    dln2: Vec<f32>,      // (B, T, C)
    datty: Vec<f32>,     // (B, T, C)
    dqkv: Vec<f32>,      // (B, T, 3C)
    dln1: Vec<f32>,      // (B, T, C)
}

impl BlockGrads {
    fn new(cfg: &ModelConfig, bt: usize) -> Self {
        let c = cfg.n_embd;
        let z = |n| vec![0.0; n];
        BlockGrads {
            dfch_gelu: z(bt * cfg.ffn_width()),
            dfch: z(bt * cfg.ffn_width()),
            dln2: z(bt * c),
            datty: z(bt * c),
            dqkv: z(bt * 3 * c),
            dln1: z(bt * c),
        }
    }
    fn zero(&mut self) {
        for v in [&mut self.dfch_gelu, &mut self.dfch, &mut self.dln2, &mut self.datty, &mut self.dqkv, &mut self.dln1] {
            v.fill(0.0);
        }
    }
}

/// Two disjoint spans of one buffer, borrowed mutably at once.
fn two_spans(buf: &mut [f32], a: crate::params::Span, b: crate::params::Span) -> (&mut [f32], &mut [f32]) {
    assert!(a.end() <= b.offset || b.end() <= a.offset, "spans overlap");
    if a.offset < b.offset {
        let (lo, hi) = buf.split_at_mut(b.offset);
        (&mut lo[a.offset..a.end()], &mut hi[..b.len])
    } else {
        let (lo, hi) = buf.split_at_mut(a.offset);
        (&mut hi[..a.len], &mut lo[b.offset..b.end()])
    }
}
