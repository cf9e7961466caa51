//! The CPU executor: runs an `Architecture` op by op through `CpuOps`, forward (with the
//! KV cache for decoding) and backward. Every family is the same loop over its stacks and
//! sublayers; this file holds the only copy of the block.
//!
//! ```text
//! stack s:   x = wte[tokens] + pos                        embedded    (B, T, C)
//!            per sublayer: pre-norm  sum = x + out(op(norm(x))), x = sum
//!                          post-norm sum = x + out(op(x)),       x = norm(sum)
//!            norm(x)                                     stack norm  (B, T, C)
//! head:      logits = norm(x) · lmᵀ, probs = softmax        (B, T, V); classifier (B, T, K)
//! ```
//! Cross-attention reads the previous stack's norm (the memory): it packs [Q | K V] and runs
//! the bidirectional attention op.

use super::acts::{Activations, SubActs};
use super::kv_cache::KvCache;
use super::CpuOps;
use crate::ablation::Ablation;
use crate::arch::{Architecture, Linear, NormLayer, Op, Sublayer};
use crate::arch_ops::{ffn_act_backward, ffn_act_forward, ffn_fused_activation, norm_backward, norm_forward};
use crate::config::Positions;
use crate::cpu;
use crate::params::Span;
use crate::trace::Buf;

/// A model's description and parameters, with the ops that run them.
pub struct Executor<'a> {
    pub arch: &'a Architecture,
    pub params: &'a [f32],
    pub ops: &'a dyn CpuOps,
    /// Heads and blocks switched off (inference only); `None` when nothing is.
    pub ablation: Option<&'a Ablation>,
}

/// What `Executor::backward` shows each gradient to: (stack, sublayer, the activation it is
/// the gradient of, values).
pub type Observe<'o> = dyn FnMut(usize, usize, Buf, &[f32]) + 'o;

/// A block's KV cache, for rows from position `pos0` on.
struct CachedRows<'k> {
    pos0: usize,
    maxt: usize,
    kv: &'k mut (Vec<f32>, Vec<f32>), // (kcache, vcache), (NH, maxT, HS) each
}

/// The rows of one forward pass: B sequences of T tokens from position pos0 on.
struct Rows<'r> {
    b: usize,
    t: usize,
    /// Rotary models: cos and sin from pos0 on, (T, HS/2) each.
    rope: Option<(&'r [f32], &'r [f32])>,
}

impl Executor<'_> {
    fn p(&self, s: Span) -> &[f32] {
        s.of(self.params)
    }

    /// The rows added to the token embeddings for positions 0..t: wpe (learned), the
    /// sinusoidal table, or none (rotary positions enter inside attention).
    pub fn position_rows(&self, t: usize) -> Option<Vec<f32>> {
        let c = self.arch.config.n_embd;
        match self.arch.embedding.positions {
            Positions::Learned => self.arch.embedding.wpe.map(|s| self.p(s)[..t * c].to_vec()),
            Positions::Sinusoidal => Some(cpu::sinusoidal_table(t, c)),
            Positions::Rotary => None,
        }
    }

    /// Runs stack `s` over `tokens` (B, T); a later stack's cross-attention reads the norm of
    /// the one before (the memory). With a cache (B = 1), the rows sit after the positions it
    /// holds, and self-attention appends their keys and values and attends over all of them.
    pub fn stack_forward(&self, acts: &mut Activations, s: usize, tokens: &[u32], mut cache: Option<&mut KvCache>) {
        let (b, t, c, hs) = (acts.b, acts.t, self.arch.config.n_embd, self.arch.config.head_size());
        let (post, stack) = (self.arch.post_norm(), &self.arch.stacks[s]);
        let pos0 = cache.as_ref().map_or(0, |k| k.len());
        let (done, rest) = acts.stacks.split_at_mut(s);
        let memory: &[f32] = done.last().map_or(&[], |m| &m.norm);
        let a = &mut rest[0];
        let pos = self.position_rows(pos0 + t);
        self.ops.embedding_forward(&mut a.embedded, tokens, self.p(self.arch.embedding.wte), pos.as_ref().map(|r| &r[pos0 * c..]), b, t, c);
        let table = self.rope_table(pos0 + t);
        let rope = table.as_ref().map(|(cos, sin)| (&cos[pos0 * hs / 2..], &sin[pos0 * hs / 2..]));
        let rows = Rows { b, t, rope };
        for (i, sub) in stack.sublayers.iter().enumerate() {
            let (before, from) = a.subs.split_at_mut(i);
            let x = before.last().map_or(&a.embedded[..], |p| p.output(post));
            let cached = cache.as_deref_mut().map(|k| CachedRows { pos0, maxt: k.maxt(), kv: k.layer(sub.block) });
            self.sublayer_forward(sub, &mut from[0], x, memory, &rows, cached);
        }
        let last = a.subs.last().expect("a stack has sublayers").output(post);
        self.norm_forward(&stack.norm, &mut a.norm, &mut a.norm_mean, &mut a.norm_rstd, last, b * t);
        if let Some(k) = cache {
            k.advance(t);
        }
    }

    /// One sublayer: norm, op and residual, in the config's order; with `cached` (decoding),
    /// self-attention runs over the block's KV cache.
    fn sublayer_forward(&self, sub: &Sublayer, a: &mut SubActs, x: &[f32], memory: &[f32], r: &Rows, cached: Option<CachedRows>) {
        let (b, t, bt, c) = (r.b, r.t, r.b * r.t, self.arch.config.n_embd);
        let post = self.arch.post_norm();
        let ablate = |x: &mut [f32], offset: usize, groups: usize| {
            if let Some(m) = self.ablation {
                self.ops.ablate_forward(x, &m.mask, offset, bt, groups, c / groups);
            }
        };
        let layer_offset = self.ablation.map_or(0, |m| m.layer_offset(sub.block));
        if !post {
            self.norm_forward(&sub.norm, &mut a.ln, &mut a.ln_mean, &mut a.ln_rstd, x, bt);
        }
        let inp: &[f32] = if post { x } else { &a.ln };
        match &sub.op {
            Op::Attention(at) => {
                let (nh, nkv) = (at.n_head, at.n_kv_head);
                match at.kv {
                    None => self.linear(&mut a.qkv, inp, &at.qkv, bt),
                    Some(kv) => {
                        self.linear(&mut a.q, inp, &at.qkv, bt);
                        self.linear(&mut a.kv, memory, &kv, bt);
                        self.ops.cross_pack_forward(&mut a.qkv, &a.q, &a.kv, bt, c, kv.out / 2);
                    }
                }
                if let (true, Some((cos, sin))) = (at.rotary, r.rope) {
                    self.ops.rope_forward(&mut a.qkv, cos, sin, b, t, c, nh, nkv);
                }
                match cached {
                    Some(CachedRows { pos0, maxt, kv: (kc, vc) }) => {
                        self.ops.kv_cache_write(kc, vc, &a.qkv, t, pos0, c, nh, nkv, maxt);
                        self.ops.kv_attention_forward(&mut a.concat, &a.qkv, kc, vc, t, pos0, c, nh, nkv, maxt);
                    }
                    None => {
                        let (concat, lse, scores, att) = (&mut a.concat, &mut a.lse, &mut a.scores, &mut a.att);
                        self.ops.attention_forward(concat, lse, scores, att, &a.qkv, b, t, c, nh, nkv, at.causal());
                    }
                }
                ablate(&mut a.concat, self.ablation.map_or(0, |m| m.head_offset(sub.block)), nh);
                self.linear(&mut a.out, &a.concat, &at.proj, bt);
            }
            Op::FeedForward(f) => {
                let (w, bias) = (self.p(f.fc.weight), f.fc.bias.map(|s| self.p(s)));
                match ffn_fused_activation(f.activation) {
                    Some(act) => self.ops.matmul_forward_act(act, &mut a.act, &mut a.pre, inp, w, bias, bt, f.fc.inp, f.fc.out),
                    None => {
                        self.linear(&mut a.pre, inp, &f.fc, bt);
                        ffn_act_forward(self.ops, f.activation, &mut a.act, &a.pre, bt, f.width);
                    }
                }
                self.linear(&mut a.out, &a.act, &f.proj, bt);
            }
        }
        ablate(&mut a.out, layer_offset, 1);
        self.ops.residual_forward(&mut a.sum, x, &a.out, bt * c);
        if post {
            self.norm_forward(&sub.norm, &mut a.ln, &mut a.ln_mean, &mut a.ln_rstd, &a.sum, bt);
        }
    }

    /// Logits and probabilities from the last stack's norm, and the classifier's where there
    /// is one (its loss replaces the LM's); the mean loss when targets are given.
    pub fn head_forward(&self, acts: &mut Activations, targets: Option<&[u32]>) -> Option<f32> {
        let (bt, v) = (acts.b * acts.t, self.arch.config.vocab_size);
        let x = &acts.stacks.last().expect("one stack at least").norm;
        self.linear(&mut acts.logits, x, &self.arch.head.lm, bt);
        match (&self.arch.head.classifier, &mut acts.cls) {
            (Some(k), Some(cls)) => {
                self.ops.softmax_forward(&mut acts.probs, &acts.logits, bt, v);
                self.linear(&mut cls.logits, x, k, bt);
                self.loss_forward(&mut cls.probs, &mut acts.losses, &cls.logits, targets, bt, k.out)
            }
            _ => self.loss_forward(&mut acts.probs, &mut acts.losses, &acts.logits, targets, bt, v),
        }
    }

    fn loss_forward(
        &self,
        probs: &mut [f32],
        losses: &mut [f32],
        logits: &[f32],
        targets: Option<&[u32]>,
        rows: usize,
        v: usize,
    ) -> Option<f32> {
        match targets {
            Some(tg) => {
                self.ops.softmax_xent_forward(probs, losses, logits, tg, rows, v);
                Some(cpu::mean_loss(losses, cpu::counted(tg)))
            }
            None => {
                self.ops.softmax_forward(probs, logits, rows, v);
                None
            }
        }
    }

    /// Gradients of the mean loss of the forward pass kept in `acts` into `grads`
    /// (overwritten); `inputs` are each stack's tokens, and the mean is over `counted`
    /// positions (`cpu::counted` of the targets; of the whole batch when `acts` holds a shard
    /// of it). Each sublayer shows its gradients to `observe(stack, sublayer, buffer, values)`
    /// as it makes them, named by the activation they are the gradient of (`Buf::Ln`: of the
    /// norm's output; `Buf::Sum`: of x + out).
    #[allow(clippy::too_many_arguments)]
    pub fn backward(
        &self,
        grads: &mut [f32],
        acts: &Activations,
        inputs: &[&[u32]],
        targets: &[u32],
        counted: usize,
        observe: &mut Observe,
    ) {
        let (b, t, c) = (acts.b, acts.t, self.arch.config.n_embd);
        let (bt, post) = (b * t, self.arch.post_norm());
        grads.fill(0.0);
        let top = acts.stacks.last().expect("one stack at least");
        // the loss is the mean over the counted positions (all B·T unless targets are IGNORE)
        let dlosses = vec![1.0 / counted as f32; bt];
        let (probs, head) = match (&acts.cls, &self.arch.head.classifier) {
            (Some(cls), Some(k)) => (&cls.probs, k),
            _ => (&acts.probs, &self.arch.head.lm),
        };
        let mut dlogits = vec![0.0; bt * head.out];
        self.ops.softmax_xent_backward(&mut dlogits, &dlosses, probs, targets, bt, head.out);
        // logits = norm · headᵀ: a tied head's weight gradient lands in dwte
        let mut dnorm = vec![0.0; bt * c];
        self.linear_backward(grads, &mut dnorm, &dlogits, &top.norm, head, bt);
        let table = self.rope_table(t);
        let rows = Rows { b, t, rope: table.as_ref().map(|(cos, sin)| (&cos[..], &sin[..])) };
        // the stacks from the last down; cross-attention gathers the gradient of the memory
        // (the norm of the stack before) in `dnorm` again
        for (s, stack) in self.arch.stacks.iter().enumerate().rev() {
            let sa = &acts.stacks[s];
            let memory: &[f32] = if s > 0 { &acts.stacks[s - 1].norm } else { &[] };
            let last = sa.subs.last().expect("a stack has sublayers").output(post);
            let mut dx = vec![0.0; bt * c];
            let dout = std::mem::replace(&mut dnorm, vec![0.0; bt * c]);
            self.norm_backward(grads, &mut dx, &dout, last, &stack.norm, &sa.norm_mean, &sa.norm_rstd, bt);
            for (i, sub) in stack.sublayers.iter().enumerate().rev() {
                let x = if i == 0 { &sa.embedded } else { sa.subs[i - 1].output(post) };
                dx =
                    self.sublayer_backward(grads, sub, &sa.subs[i], x, memory, &rows, &dx, &mut dnorm, &mut |buf, v| observe(s, i, buf, v));
            }
            let e = &self.arch.embedding;
            let (dwte, dwpe) = weight_and_bias(grads, e.wte, e.wpe);
            self.ops.embedding_backward(dwte, dwpe, &dx, inputs[s], b, t, c);
        }
    }

    /// dx, the gradient of the sublayer's input x, from dy, that of its output; parameter
    /// gradients and (cross-attention) `dmemory` accumulate.
    #[allow(clippy::too_many_arguments)]
    fn sublayer_backward(
        &self,
        grads: &mut [f32],
        sub: &Sublayer,
        a: &SubActs,
        x: &[f32],
        memory: &[f32],
        r: &Rows,
        dy: &[f32],
        dmemory: &mut [f32],
        observe: &mut dyn FnMut(Buf, &[f32]),
    ) -> Vec<f32> {
        let (b, t, bt, c) = (r.b, r.t, r.b * r.t, self.arch.config.n_embd);
        let post = self.arch.post_norm();
        let z = |n: usize| vec![0.0f32; n];
        // dres: the gradient of sum = x + out
        let dres = if post {
            // forward was: ln = norm(sum), the output
            observe(Buf::Ln, dy);
            let mut dres = z(bt * c);
            self.norm_backward(grads, &mut dres, dy, &a.sum, &sub.norm, &a.ln_mean, &a.ln_rstd, bt);
            dres
        } else {
            dy.to_vec()
        };
        observe(Buf::Sum, &dres);
        // the skip path; post-norm: the op's input is x itself, whose gradient gathers here too
        let mut dx = dres.clone();
        let mut dln = (!post).then(|| z(bt * c));
        let (inp, dinp): (&[f32], &mut [f32]) = match &mut dln {
            Some(dln) => (&a.ln, dln),
            None => (x, &mut dx),
        };
        match &sub.op {
            Op::Attention(at) => {
                // forward was: out = concat · projᵀ, concat = attention(rope(qkv))
                let mut dconcat = z(bt * c);
                self.linear_backward(grads, &mut dconcat, &dres, &a.concat, &at.proj, bt);
                let mut dqkv = z(bt * at.qkv_width());
                let (nh, nkv) = (at.n_head, at.n_kv_head);
                self.ops.attention_backward(&mut dqkv, &dconcat, &a.qkv, &a.att, b, t, c, nh, nkv, at.causal());
                if let (true, Some((cos, sin))) = (at.rotary, r.rope) {
                    self.ops.rope_backward(&mut dqkv, cos, sin, b, t, c, nh, nkv);
                }
                observe(Buf::Concat, &dconcat);
                observe(Buf::Qkv, &dqkv);
                match at.kv {
                    None => self.linear_backward(grads, dinp, &dqkv, inp, &at.qkv, bt),
                    Some(kv) => {
                        // forward was: qkv = [q | kv], q from the stream, kv from the memory
                        let (mut dq, mut dkv) = (z(bt * c), z(bt * kv.out));
                        self.ops.cross_pack_backward(&mut dq, &mut dkv, &dqkv, bt, c, kv.out / 2);
                        self.linear_backward(grads, dinp, &dq, inp, &at.qkv, bt);
                        self.linear_backward(grads, dmemory, &dkv, memory, &kv, bt);
                    }
                }
            }
            Op::FeedForward(f) => {
                // forward was: out = proj(act(fc(inp)))
                let mut dact = z(bt * f.width);
                self.linear_backward(grads, &mut dact, &dres, &a.act, &f.proj, bt);
                let mut dpre = z(bt * f.fc.out);
                ffn_act_backward(self.ops, f.activation, &mut dpre, &a.pre, &dact, bt, f.width);
                observe(Buf::Act, &dact);
                observe(Buf::Pre, &dpre);
                self.linear_backward(grads, dinp, &dpre, inp, &f.fc, bt);
            }
        }
        if let Some(dln) = dln {
            // forward was: ln = norm(x); the norm's gradient joins the skip path's
            observe(Buf::Ln, &dln);
            self.norm_backward(grads, &mut dx, &dln, x, &sub.norm, &a.ln_mean, &a.ln_rstd, bt);
        }
        dx
    }

    /// The rotary angles' cos and sin, each (T, HS/2), for rotary models.
    fn rope_table(&self, t: usize) -> Option<(Vec<f32>, Vec<f32>)> {
        (self.arch.embedding.positions == Positions::Rotary)
            .then(|| cpu::rope_table(t, self.arch.config.head_size(), self.arch.config.rope_theta))
    }

    /// out (rows, lin.out) = inp (rows, lin.inp) · Wᵀ + b.
    fn linear(&self, out: &mut [f32], inp: &[f32], lin: &Linear, rows: usize) {
        self.ops.matmul_forward(out, inp, self.p(lin.weight), lin.bias.map(|s| self.p(s)), rows, lin.inp, lin.out);
    }

    /// Accumulates the gradients of `linear` into dinp and the layer's weight and bias.
    fn linear_backward(&self, grads: &mut [f32], dinp: &mut [f32], dout: &[f32], inp: &[f32], lin: &Linear, rows: usize) {
        let (dw, db) = weight_and_bias(grads, lin.weight, lin.bias);
        self.ops.matmul_backward(dinp, dw, db, dout, inp, self.p(lin.weight), rows, lin.inp, lin.out);
    }

    fn norm_forward(&self, n: &NormLayer, out: &mut [f32], mean: &mut [f32], rstd: &mut [f32], inp: &[f32], rows: usize) {
        let (w, bias) = (self.p(n.weight), n.bias.map(|s| self.p(s)));
        let cfg = &self.arch.config;
        norm_forward(self.ops, n.kind, out, mean, rstd, inp, w, bias, rows, cfg.n_embd, cfg.norm_eps);
    }

    #[allow(clippy::too_many_arguments)]
    fn norm_backward(
        &self,
        grads: &mut [f32],
        dinp: &mut [f32],
        dout: &[f32],
        inp: &[f32],
        n: &NormLayer,
        mean: &[f32],
        rstd: &[f32],
        rows: usize,
    ) {
        let (dw, db) = weight_and_bias(grads, n.weight, n.bias);
        norm_backward(self.ops, n.kind, dinp, dw, db, dout, inp, self.p(n.weight), mean, rstd, rows, self.arch.config.n_embd);
    }
}

/// A weight's gradient and, where there is one, its bias's (or wpe's), borrowed mutably at once.
fn weight_and_bias(buf: &mut [f32], w: Span, b: Option<Span>) -> (&mut [f32], Option<&mut [f32]>) {
    let Some(b) = b else { return (w.of_mut(buf), None) };
    assert!(w.end() <= b.offset || b.end() <= w.offset, "spans overlap");
    if w.offset < b.offset {
        let (lo, hi) = buf.split_at_mut(b.offset);
        (&mut lo[w.offset..w.end()], Some(&mut hi[..b.len]))
    } else {
        let (lo, hi) = buf.split_at_mut(w.offset);
        (&mut hi[..w.len], Some(&mut lo[b.offset..b.end()]))
    }
}
