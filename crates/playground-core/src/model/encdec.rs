//! The original Transformer (Vaswani et al. 2017) on the CPU: an encoder reads the source, a
//! decoder writes the target and, in every block, attends to the encoder's output
//! (cross-attention). Built from the same ops as the other families.
//!
//! ```text
//! e = wte[src] + pos                        src_encoded   (B, T, C)
//! for each encoder block: e = sub(e, bidirectional self-attention); e = sub(e, FFN)
//! m = ln_e(e)                               memory        (B, T, C)
//! x = wte[dec_in] + pos                     dec_encoded   (B, T, C)   dec_in = BOS + target shifted right
//! for each decoder block:
//!   x = sub(x, causal self-attention)
//!   x = sub(x, cross-attention: Q = x·Wq, K and V = m·Wkv)
//!   x = sub(x, FFN)
//! logits = ln_f(x) · headᵀ                                (B, T, V)   the embedding is shared
//! sub(x, f) = x + f(norm(x))  (pre-norm)   or   norm(x + f(x))  (post-norm)
//! ```
//! Cross-attention packs [Q | K V] (`cpu::cross_pack`) and runs the bidirectional attention
//! op, so the source and the target share T: both are padded to the batch's T. Rotary
//! positions turn Q and K in self-attention only; learned and sinusoidal positions are added
//! to both streams from one table.

use super::{check_targets, check_tokens, norm_grads, two_spans};
use crate::arch_ops::{ffn_act_backward, ffn_act_forward, norm_backward, norm_forward};
use crate::config::{Family, ModelConfig, NormPosition, Positions};
use crate::cpu;
use crate::error::CoreError;
use crate::params::{BlockParams, CrossParams, Span};
use crate::CpuModel;

/// What a sublayer computes between its norm and its residual connection.
#[derive(Clone, Copy, Debug)]
pub enum Branch {
    /// Self-attention over the stream: bidirectional in the encoder, causal in the decoder.
    SelfAttn {
        qkvw: Span,
        qkvb: Span,
        projw: Span,
        projb: Span,
        causal: bool,
    },
    /// Queries from the stream, keys and values from the encoder's output.
    Cross {
        qw: Span,
        qb: Span,
        kvw: Span,
        kvb: Span,
        projw: Span,
        projb: Span,
    },
    Ffn {
        fcw: Span,
        fcb: Span,
        projw: Span,
        projb: Span,
    },
}

/// One sublayer: its norm's parameters and its branch (`playground-gpu` records the same list).
#[derive(Clone, Copy, Debug)]
pub struct Sub {
    pub lnw: Span,
    pub lnb: Option<Span>,
    pub branch: Branch,
}

fn self_attn(w: &BlockParams, causal: bool) -> Sub {
    let branch = Branch::SelfAttn { qkvw: w.qkvw, qkvb: w.qkvb, projw: w.attprojw, projb: w.attprojb, causal };
    Sub { lnw: w.ln1w, lnb: w.ln1b, branch }
}

fn ffn(w: &BlockParams) -> Sub {
    Sub { lnw: w.ln2w, lnb: w.ln2b, branch: Branch::Ffn { fcw: w.fcw, fcb: w.fcb, projw: w.fcprojw, projb: w.fcprojb } }
}

fn cross(x: &CrossParams) -> Sub {
    let branch = Branch::Cross { qw: x.qw, qb: x.qb, kvw: x.kvw, kvb: x.kvb, projw: x.projw, projb: x.projb };
    Sub { lnw: x.lnw, lnb: x.lnb, branch }
}

/// The activations of one sublayer; the buffers its branch does not use are empty.
#[derive(Clone, Debug)]
pub struct SubActs {
    pub ln: Vec<f32>,      // (B, T, C) norm(x) (pre-norm) or norm(res), the output (post-norm)
    pub ln_mean: Vec<f32>, // (B, T)
    pub ln_rstd: Vec<f32>, // (B, T)
    pub q: Vec<f32>,       // (B, T, C) cross-attention's queries
    pub kv: Vec<f32>,      // (B, T, 2C) cross-attention's keys and values
    pub qkv: Vec<f32>,     // (B, T, 3C) attention's input (packed, for cross-attention)
    pub atty: Vec<f32>,    // (B, T, C)
    pub lse: Vec<f32>,     // (B, NH, T)
    pub preatt: Vec<f32>,  // (B, NH, T, T)
    pub att: Vec<f32>,     // (B, NH, T, T) query rows, key columns
    pub fch: Vec<f32>,     // (B, T, H) or (B, T, 2H) for SwiGLU
    pub fch_act: Vec<f32>, // (B, T, H)
    pub out: Vec<f32>,     // (B, T, C) the branch's output projection
    pub res: Vec<f32>,     // (B, T, C) x + out
}

impl SubActs {
    fn new(cfg: &ModelConfig, branch: &Branch, b: usize, t: usize) -> Self {
        let (bt, c, nh) = (b * t, cfg.n_embd, cfg.n_head);
        let z = |n: usize| vec![0.0f32; n];
        let (attn, is_cross) = match branch {
            Branch::SelfAttn { .. } => (true, false),
            Branch::Cross { .. } => (true, true),
            Branch::Ffn { .. } => (false, false),
        };
        let when = |on: bool, n: usize| if on { z(n) } else { Vec::new() };
        SubActs {
            ln: z(bt * c),
            ln_mean: z(bt),
            ln_rstd: z(bt),
            q: when(is_cross, bt * c),
            kv: when(is_cross, bt * 2 * c),
            qkv: when(attn, bt * 3 * c),
            atty: when(attn, bt * c),
            lse: when(attn, b * nh * t),
            preatt: when(attn, b * nh * t * t),
            att: when(attn, b * nh * t * t),
            fch: when(!attn, bt * cfg.fc_width()),
            fch_act: when(!attn, bt * cfg.ffn_width()),
            out: z(bt * c),
            res: z(bt * c),
        }
    }

    /// What the sublayer hands on: the residual sum (pre-norm) or its norm (post-norm).
    pub fn output(&self, post: bool) -> &[f32] {
        if post {
            &self.ln
        } else {
            &self.res
        }
    }
}

/// Everything an encoder-decoder's forward pass over (B, T) keeps.
#[derive(Clone, Debug)]
pub struct EncDecActs {
    pub b: usize,
    pub t: usize,
    pub src_encoded: Vec<f32>, // (B, T, C)
    /// Two sublayers per encoder block: self-attention, FFN.
    pub enc: Vec<SubActs>,
    pub memory: Vec<f32>,      // (B, T, C) ln_e of the encoder's output
    pub memory_mean: Vec<f32>, // (B, T)
    pub memory_rstd: Vec<f32>, // (B, T)
    pub dec_encoded: Vec<f32>, // (B, T, C)
    /// Three sublayers per decoder block: self-attention, cross-attention, FFN.
    pub dec: Vec<SubActs>,
    pub lnf: Vec<f32>,      // (B, T, C)
    pub lnf_mean: Vec<f32>, // (B, T)
    pub lnf_rstd: Vec<f32>, // (B, T)
    pub logits: Vec<f32>,   // (B, T, V)
    pub probs: Vec<f32>,    // (B, T, V)
    pub losses: Vec<f32>,   // (B, T)
}

impl EncDecActs {
    pub fn new(model: &CpuModel, b: usize, t: usize) -> Self {
        let (cfg, (enc, dec)) = (&model.config, model.sublayers());
        let (bt, c, v) = (b * t, cfg.n_embd, cfg.vocab_size);
        let z = |n: usize| vec![0.0f32; n];
        let acts = |subs: &[Sub]| subs.iter().map(|s| SubActs::new(cfg, &s.branch, b, t)).collect();
        EncDecActs {
            b,
            t,
            src_encoded: z(bt * c),
            enc: acts(&enc),
            memory: z(bt * c),
            memory_mean: z(bt),
            memory_rstd: z(bt),
            dec_encoded: z(bt * c),
            dec: acts(&dec),
            lnf: z(bt * c),
            lnf_mean: z(bt),
            lnf_rstd: z(bt),
            logits: z(bt * v),
            probs: z(bt * v),
            losses: z(bt),
        }
    }

    /// Decoder block `layer`'s cross-attention weights (B, NH, T, T): target rows, source columns.
    pub fn cross_att(&self, layer: usize) -> &[f32] {
        &self.dec[3 * layer + 1].att
    }

    /// Self-attention weights (B, NH, T, T) of encoder block `layer` (`encoder`), or of decoder
    /// block `layer` (causal): query rows, key columns.
    pub fn self_att(&self, encoder: bool, layer: usize) -> &[f32] {
        if encoder {
            &self.enc[2 * layer].att
        } else {
            &self.dec[3 * layer].att
        }
    }
}

/// The sizes and tables every sublayer reads.
struct Ctx<'a> {
    cfg: &'a ModelConfig,
    p: &'a [f32],
    b: usize,
    t: usize,
    rope: Option<&'a (Vec<f32>, Vec<f32>)>,
}

impl Ctx<'_> {
    fn post(&self) -> bool {
        self.cfg.norm_position == NormPosition::Post
    }

    /// y = sub(x): the norm, the branch and the residual, in the config's order.
    fn sub_forward(&self, s: &Sub, a: &mut SubActs, x: &[f32], memory: &[f32]) {
        let (cfg, p, b, t) = (self.cfg, self.p, self.b, self.t);
        let (bt, c, nh, post) = (b * t, cfg.n_embd, cfg.n_head, self.post());
        let bias = |s: Option<Span>| s.map(|s| s.of(p));
        if !post {
            norm_forward(cfg.norm, &mut a.ln, &mut a.ln_mean, &mut a.ln_rstd, x, s.lnw.of(p), bias(s.lnb), bt, c, cfg.norm_eps);
        }
        let fin: &[f32] = if post { x } else { &a.ln };
        match s.branch {
            Branch::SelfAttn { qkvw, qkvb, projw, projb, causal } => {
                cpu::matmul_forward(&mut a.qkv, fin, qkvw.of(p), Some(qkvb.of(p)), bt, c, 3 * c);
                if let Some((cos, sin)) = self.rope {
                    cpu::rope_forward(&mut a.qkv, cos, sin, b, t, c, nh);
                }
                cpu::attention_forward(&mut a.atty, &mut a.lse, &mut a.preatt, &mut a.att, &a.qkv, b, t, c, nh, causal);
                cpu::matmul_forward(&mut a.out, &a.atty, projw.of(p), Some(projb.of(p)), bt, c, c);
            }
            Branch::Cross { qw, qb, kvw, kvb, projw, projb } => {
                cpu::matmul_forward(&mut a.q, fin, qw.of(p), Some(qb.of(p)), bt, c, c);
                cpu::matmul_forward(&mut a.kv, memory, kvw.of(p), Some(kvb.of(p)), bt, c, 2 * c);
                cpu::cross_pack_forward(&mut a.qkv, &a.q, &a.kv, bt, c);
                cpu::attention_forward(&mut a.atty, &mut a.lse, &mut a.preatt, &mut a.att, &a.qkv, b, t, c, nh, false);
                cpu::matmul_forward(&mut a.out, &a.atty, projw.of(p), Some(projb.of(p)), bt, c, c);
            }
            Branch::Ffn { fcw, fcb, projw, projb } => {
                let (f, fc) = (cfg.ffn_width(), cfg.fc_width());
                cpu::matmul_forward(&mut a.fch, fin, fcw.of(p), Some(fcb.of(p)), bt, c, fc);
                ffn_act_forward(cfg.ffn, &mut a.fch_act, &a.fch, bt, f);
                cpu::matmul_forward(&mut a.out, &a.fch_act, projw.of(p), Some(projb.of(p)), bt, f, c);
            }
        }
        cpu::residual_forward(&mut a.res, x, &a.out, bt * c);
        if post {
            norm_forward(cfg.norm, &mut a.ln, &mut a.ln_mean, &mut a.ln_rstd, &a.res, s.lnw.of(p), bias(s.lnb), bt, c, cfg.norm_eps);
        }
    }

    /// dx = the gradient of sub(x) given dy; parameter gradients and (cross-attention)
    /// dmemory accumulate.
    #[allow(clippy::too_many_arguments)]
    fn sub_backward(
        &self,
        grads: &mut [f32],
        s: &Sub,
        a: &SubActs,
        x: &[f32],
        memory: &[f32],
        dy: &[f32],
        dx: &mut [f32],
        dmemory: &mut [f32],
    ) {
        let (cfg, p, b, t) = (self.cfg, self.p, self.b, self.t);
        let (bt, c, nh, post) = (b * t, cfg.n_embd, cfg.n_head, self.post());
        let z = |n: usize| vec![0.0f32; n];
        // dres: the gradient of x + out
        let mut dres = z(bt * c);
        if post {
            let (dw, db) = norm_grads(grads, s.lnw, s.lnb);
            norm_backward(cfg.norm, &mut dres, dw, db, dy, &a.res, s.lnw.of(p), &a.ln_mean, &a.ln_rstd, bt, c);
        } else {
            dres.copy_from_slice(dy);
        }
        dx.copy_from_slice(&dres); // the skip path
        let fin: &[f32] = if post { x } else { &a.ln };
        let mut dfin = z(bt * c);
        match s.branch {
            Branch::SelfAttn { qkvw, qkvb, projw, projb, causal } => {
                let (mut datty, mut dqkv) = (z(bt * c), z(bt * 3 * c));
                let (dw, db) = two_spans(grads, projw, projb);
                cpu::matmul_backward(&mut datty, dw, Some(db), &dres, &a.atty, projw.of(p), bt, c, c);
                cpu::attention_backward(&mut dqkv, &datty, &a.qkv, &a.att, b, t, c, nh, causal);
                if let Some((cos, sin)) = self.rope {
                    cpu::rope_backward(&mut dqkv, cos, sin, b, t, c, nh);
                }
                let (dw, db) = two_spans(grads, qkvw, qkvb);
                cpu::matmul_backward(&mut dfin, dw, Some(db), &dqkv, fin, qkvw.of(p), bt, c, 3 * c);
            }
            Branch::Cross { qw, qb, kvw, kvb, projw, projb } => {
                let (mut datty, mut dqkv, mut dq, mut dkv) = (z(bt * c), z(bt * 3 * c), z(bt * c), z(bt * 2 * c));
                let (dw, db) = two_spans(grads, projw, projb);
                cpu::matmul_backward(&mut datty, dw, Some(db), &dres, &a.atty, projw.of(p), bt, c, c);
                cpu::attention_backward(&mut dqkv, &datty, &a.qkv, &a.att, b, t, c, nh, false);
                cpu::cross_pack_backward(&mut dq, &mut dkv, &dqkv, bt, c);
                let (dw, db) = two_spans(grads, qw, qb);
                cpu::matmul_backward(&mut dfin, dw, Some(db), &dq, fin, qw.of(p), bt, c, c);
                let (dw, db) = two_spans(grads, kvw, kvb);
                cpu::matmul_backward(dmemory, dw, Some(db), &dkv, memory, kvw.of(p), bt, c, 2 * c);
            }
            Branch::Ffn { fcw, fcb, projw, projb } => {
                let (f, fc) = (cfg.ffn_width(), cfg.fc_width());
                let (mut dact, mut dfch) = (z(bt * f), z(bt * fc));
                let (dw, db) = two_spans(grads, projw, projb);
                cpu::matmul_backward(&mut dact, dw, Some(db), &dres, &a.fch_act, projw.of(p), bt, f, c);
                ffn_act_backward(cfg.ffn, &mut dfch, &a.fch, &dact, bt, f);
                let (dw, db) = two_spans(grads, fcw, fcb);
                cpu::matmul_backward(&mut dfin, dw, Some(db), &dfch, fin, fcw.of(p), bt, c, fc);
            }
        }
        if post {
            for (d, g) in dx.iter_mut().zip(&dfin) {
                *d += g;
            }
        } else {
            let (dw, db) = norm_grads(grads, s.lnw, s.lnb);
            norm_backward(cfg.norm, dx, dw, db, &dfin, x, s.lnw.of(p), &a.ln_mean, &a.ln_rstd, bt, c);
        }
    }

    /// Runs the sublayers in order from `input`; the last one's output is the stack's.
    fn stack_forward(&self, subs: &[Sub], acts: &mut [SubActs], input: &[f32], memory: &[f32]) {
        for i in 0..subs.len() {
            let (prev, rest) = acts.split_at_mut(i);
            let x = if i == 0 { input } else { prev[i - 1].output(self.post()) };
            self.sub_forward(&subs[i], &mut rest[0], x, memory);
        }
    }

    /// The gradient of the stack's input from that of its output (`dy`, overwritten on the way).
    #[allow(clippy::too_many_arguments)]
    fn stack_backward(
        &self,
        grads: &mut [f32],
        subs: &[Sub],
        acts: &[SubActs],
        input: &[f32],
        memory: &[f32],
        dy: &mut Vec<f32>,
        dmemory: &mut [f32],
    ) {
        let mut dx = vec![0.0; dy.len()];
        for i in (0..subs.len()).rev() {
            let x = if i == 0 { input } else { acts[i - 1].output(self.post()) };
            self.sub_backward(grads, &subs[i], &acts[i], x, memory, dy, &mut dx, dmemory);
            std::mem::swap(dy, &mut dx);
        }
    }
}

/// Refuses the single-stream entry points (`forward`, `forward_train`) for an encoder-decoder.
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

impl CpuModel {
    /// The encoder's and the decoder's sublayers, in order.
    pub fn sublayers(&self) -> (Vec<Sub>, Vec<Sub>) {
        Self::sublayer_list(&self.layout)
    }

    /// The encoder's and the decoder's sublayers of an encoder-decoder layout.
    pub fn sublayer_list(lay: &crate::ParamLayout) -> (Vec<Sub>, Vec<Sub>) {
        let enc = lay.blocks.iter().flat_map(|w| [self_attn(w, false), ffn(w)]).collect();
        let dec = lay.dec_blocks.iter().zip(&lay.cross).flat_map(|(w, x)| [self_attn(w, true), cross(x), ffn(w)]).collect();
        (enc, dec)
    }

    fn ctx<'a>(&'a self, b: usize, t: usize, rope: Option<&'a (Vec<f32>, Vec<f32>)>) -> Ctx<'a> {
        Ctx { cfg: &self.config, p: &self.params, b, t, rope }
    }

    fn rope_tables(&self, t: usize) -> Option<(Vec<f32>, Vec<f32>)> {
        (self.config.positions == Positions::Rotary).then(|| cpu::rope_table(t, self.config.head_size(), self.config.rope_theta))
    }

    fn check_encdec(&self, b: usize, t: usize, streams: &[&[u32]]) -> Result<(), CoreError> {
        if self.config.family != Family::EncoderDecoder {
            return Err(CoreError::Architecture {
                field: "family",
                value: format!("{:?}", self.config.family),
                reason: "only an encoder-decoder reads a source and a target".into(),
            });
        }
        streams.iter().try_for_each(|s| check_tokens(&self.config, s, b, t))
    }

    /// Runs the encoder over `src` (B, T) into `acts.memory`.
    pub fn seq2seq_encode(&self, acts: &mut EncDecActs, src: &[u32]) -> Result<(), CoreError> {
        let (b, t, c) = (acts.b, acts.t, self.config.n_embd);
        self.check_encdec(b, t, &[src])?;
        let (p, lay) = (&self.params, &self.layout);
        let rope = self.rope_tables(t);
        let ctx = self.ctx(b, t, rope.as_ref());
        let (enc, _) = self.sublayers();
        cpu::encoder_forward(&mut acts.src_encoded, src, lay.wte.of(p), self.position_rows(t).as_deref(), b, t, c);
        ctx.stack_forward(&enc, &mut acts.enc, &acts.src_encoded, &[]);
        let last = acts.enc.last().expect("n_layer ≥ 1").output(ctx.post());
        let lnw = lay.lnew.expect("encoder-decoder layout");
        norm_forward(
            self.config.norm,
            &mut acts.memory,
            &mut acts.memory_mean,
            &mut acts.memory_rstd,
            last,
            lnw.of(p),
            lay.lneb.map(|s| s.of(p)),
            b * t,
            c,
            self.config.norm_eps,
        );
        Ok(())
    }

    /// Runs the decoder over `dec_in` (B, T), attending to the memory of the last
    /// `seq2seq_encode`; returns the mean loss when targets are given.
    pub fn seq2seq_decode(&self, acts: &mut EncDecActs, dec_in: &[u32], targets: Option<&[u32]>) -> Result<Option<f32>, CoreError> {
        let (b, t, c, v) = (acts.b, acts.t, self.config.n_embd, self.config.vocab_size);
        self.check_encdec(b, t, &[dec_in])?;
        if let Some(tg) = targets {
            check_targets(&self.config, tg, b, t)?;
        }
        let (p, lay, bt) = (&self.params, &self.layout, b * t);
        let rope = self.rope_tables(t);
        let ctx = self.ctx(b, t, rope.as_ref());
        let (_, dec) = self.sublayers();
        cpu::encoder_forward(&mut acts.dec_encoded, dec_in, lay.wte.of(p), self.position_rows(t).as_deref(), b, t, c);
        ctx.stack_forward(&dec, &mut acts.dec, &acts.dec_encoded, &acts.memory);
        let last = acts.dec.last().expect("n_layer ≥ 1").output(ctx.post());
        norm_forward(
            self.config.norm,
            &mut acts.lnf,
            &mut acts.lnf_mean,
            &mut acts.lnf_rstd,
            last,
            lay.lnfw.of(p),
            lay.lnfb.map(|s| s.of(p)),
            bt,
            c,
            self.config.norm_eps,
        );
        cpu::matmul_forward(&mut acts.logits, &acts.lnf, lay.head().of(p), None, bt, c, v);
        Ok(match targets {
            Some(tg) => {
                cpu::softmax_xent_forward(&mut acts.probs, &mut acts.losses, &acts.logits, tg, bt, v);
                Some(cpu::mean_loss(&acts.losses, cpu::counted(tg)))
            }
            None => {
                cpu::softmax_forward(&mut acts.probs, &acts.logits, bt, v);
                None
            }
        })
    }

    /// Encoder and decoder with teacher forcing: `dec_in` is the target shifted right behind
    /// BOS, `targets` the target (IGNORE on padding). Returns the mean loss.
    pub fn seq2seq_forward(&self, acts: &mut EncDecActs, src: &[u32], dec_in: &[u32], targets: &[u32]) -> Result<f32, CoreError> {
        self.seq2seq_encode(acts, src)?;
        Ok(self.seq2seq_decode(acts, dec_in, Some(targets))?.expect("targets given, so a loss"))
    }

    /// Gradients of the mean loss of the last `seq2seq_forward` into `grads` (overwritten).
    pub fn seq2seq_backward(&self, grads: &mut [f32], acts: &EncDecActs, src: &[u32], dec_in: &[u32], targets: &[u32]) {
        let cfg = &self.config;
        let (b, t, c, v) = (acts.b, acts.t, cfg.n_embd, cfg.vocab_size);
        let (p, lay, bt) = (&self.params, &self.layout, b * t);
        let rope = self.rope_tables(t);
        let ctx = self.ctx(b, t, rope.as_ref());
        let (enc, dec) = self.sublayers();
        grads.fill(0.0);
        let dlosses = vec![1.0 / cpu::counted(targets) as f32; bt];
        let mut dlogits = vec![0.0; bt * v];
        cpu::softmax_xent_backward(&mut dlogits, &dlosses, &acts.probs, targets, bt, v);
        let mut dlnf = vec![0.0; bt * c];
        cpu::matmul_backward(&mut dlnf, lay.head().of_mut(grads), None, &dlogits, &acts.lnf, lay.head().of(p), bt, c, v);
        // the decoder, from ln_f down to its embedding; dmemory collects every cross-attention's share
        let mut dstream = vec![0.0; bt * c];
        let last = acts.dec.last().expect("n_layer ≥ 1").output(ctx.post());
        let (dw, db) = norm_grads(grads, lay.lnfw, lay.lnfb);
        norm_backward(cfg.norm, &mut dstream, dw, db, &dlnf, last, lay.lnfw.of(p), &acts.lnf_mean, &acts.lnf_rstd, bt, c);
        let mut dmemory = vec![0.0; bt * c];
        ctx.stack_backward(grads, &dec, &acts.dec, &acts.dec_encoded, &acts.memory, &mut dstream, &mut dmemory);
        self.embedding_backward(grads, &dstream, dec_in, b, t);
        // the encoder, from ln_e down to its embedding
        let mut dstream = vec![0.0; bt * c];
        let last = acts.enc.last().expect("n_layer ≥ 1").output(ctx.post());
        let lnew = lay.lnew.expect("encoder-decoder layout");
        let (dw, db) = norm_grads(grads, lnew, lay.lneb);
        norm_backward(cfg.norm, &mut dstream, dw, db, &dmemory, last, lnew.of(p), &acts.memory_mean, &acts.memory_rstd, bt, c);
        ctx.stack_backward(grads, &enc, &acts.enc, &acts.src_encoded, &[], &mut dstream, &mut []);
        self.embedding_backward(grads, &dstream, src, b, t);
    }

    /// Accumulates one stream's embedding gradient into dwte (and dwpe when learned).
    fn embedding_backward(&self, grads: &mut [f32], dencoded: &[f32], tokens: &[u32], b: usize, t: usize) {
        let (lay, c) = (&self.layout, self.config.n_embd);
        match lay.wpe {
            Some(wpe) => {
                let (dwte, dwpe) = two_spans(grads, lay.wte, wpe);
                cpu::encoder_backward(dwte, Some(dwpe), dencoded, tokens, b, t, c);
            }
            None => cpu::encoder_backward(lay.wte.of_mut(grads), None, dencoded, tokens, b, t, c),
        }
    }

    /// Step-by-step (greedy) decoding of one source row (T tokens): the decoder is fed BOS and
    /// then its own previous outputs, and position k's most likely token becomes output k.
    /// Returns the T outputs; the encoder runs once.
    pub fn greedy_decode(&self, src: &[u32], bos: u32) -> Result<Vec<u32>, CoreError> {
        let t = src.len();
        let mut acts = EncDecActs::new(self, 1, t);
        self.seq2seq_encode(&mut acts, src)?;
        let v = self.config.vocab_size;
        // positions after k do not reach position k (causal self-attention), so BOS pads them
        let mut dec_in = vec![bos; t];
        let mut out = Vec::with_capacity(t);
        for k in 0..t {
            self.seq2seq_decode(&mut acts, &dec_in, None)?;
            let next = argmax(&acts.logits[k * v..(k + 1) * v]);
            out.push(next);
            if k + 1 < t {
                dec_in[k + 1] = next;
            }
        }
        Ok(out)
    }
}

/// The index of the largest value (the first of equals).
pub fn argmax(row: &[f32]) -> u32 {
    row.iter().enumerate().fold((0, f32::NEG_INFINITY), |best, (i, &x)| if x > best.1 { (i, x) } else { best }).0 as u32
}
