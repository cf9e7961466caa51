//! The GPU recorder: the description's ops, recorded once per shape into a plan of kernel
//! launches, in the order of the CPU executor (`playground_core::model::exec`), forward and
//! backward. Every family is the same loop over stacks and sublayers; ablation, the fused FFN
//! epilogue and the KV cache are options of it.
//!
//! The backward pass keeps the stream's gradient in one of two buffers: pre-norm sublayers
//! add their branch's share to it in place; a post-norm sublayer writes the gradient of its
//! sum into the other buffer, where the branch's input gradient then accumulates. Backward
//! kernels accumulate (`+=`), so a block's scratch is zeroed once before its sublayers, except
//! the gradients a matmul's input gradient stores (`Write::Store`: their one writer), which
//! need no clearing. An elementwise FFN activation's backward runs in the epilogue of the
//! second matmul's input gradient, which stores the first matmul's output gradient (dpre).

use super::kv_cache::Cached;
use super::{GpuModel, PlanKey, SubBufs};
use crate::arch_ops::{ffn_act_backward, ffn_act_forward, norm_backward, norm_forward};
use crate::context::{GpuContext, Op, Step};
use crate::kernels::{ablate, attention, cross_pack, embedding, kv_attention, matmul, rope, softmax_xent, Write};
use crate::tensor::GpuTensor;
use playground_core::arch::{Architecture, AttentionKind, Linear, NormLayer, Op as ArchOp, Sublayer};
use playground_core::arch_ops::ffn_fused_activation;
use playground_core::cpu::Activation;
use playground_core::params::Span;

/// What a sublayer does, for its scratch buffers: self-attention, cross-attention, FFN.
fn role(sub: &Sublayer) -> usize {
    match sub.op {
        ArchOp::Attention(a) if a.kind == AttentionKind::Cross => 1,
        ArchOp::Attention(_) => 0,
        ArchOp::FeedForward(_) => 2,
    }
}

/// One role's backward scratch (B, T, ·); the buffers it does not use hold one element.
struct Scratch {
    dln: GpuTensor,     // (B, T, C) the norm output's gradient (pre-norm)
    dconcat: GpuTensor, // (B, T, C)
    dqkv: GpuTensor,    // (B, T, C + 2·KVC)
    dq: GpuTensor,      // (B, T, C) cross-attention
    dkv: GpuTensor,     // (B, T, 2·KVC) cross-attention
    dact: GpuTensor,    // (B, T, H), SwiGLU's only (the other activations' is never formed)
    dpre: GpuTensor,    // (B, T, H or 2H)
}

/// The gradients and the backward scratch, allocated once per trainer.
pub(crate) struct BackwardBufs {
    pub(crate) grads: GpuTensor, // (padded_len), laid out like the parameters
    /// (B, T), each 1/(counted positions), written per step: the loss is a mean.
    pub(crate) dlosses: GpuTensor,
    dlogits: GpuTensor,      // (B, T, V), or (B, T, K) for the classifier
    dnorm: GpuTensor,        // (B, T, C) the last stack's norm output
    dstream: [GpuTensor; 2], // (B, T, C) the stream's, alternating
    dmemory: GpuTensor,      // (B, T, C) the memory's (an encoder-decoder's)
    delta: GpuTensor,        // (B, NH, T)
    scratch: [Scratch; 3],   // by role
}

impl BackwardBufs {
    pub(crate) fn new(gpu: &GpuContext, arch: &Architecture, b: usize) -> Self {
        let cfg = &arch.config;
        let (t, c, nh) = (cfg.block_size, cfg.n_embd, cfg.n_head);
        let bt = b * t;
        let z = |label: &str, n: usize| GpuTensor::zeros_or_empty(gpu, label, n);
        let scratch = [0, 1, 2].map(|r| {
            let sub = arch.sublayers().map(|(_, s)| s).find(|s| role(s) == r);
            let (a, f) = match sub.map(|s| s.op) {
                Some(ArchOp::Attention(a)) => (Some(a), None),
                Some(ArchOp::FeedForward(f)) => (None, Some(f)),
                None => (None, None),
            };
            let cross = a.and_then(|a| a.kv);
            let unfused = f.filter(|f| ffn_fused_activation(f.activation).is_none());
            Scratch {
                dln: z("dln", sub.map_or(0, |_| bt * c)),
                dconcat: z("dconcat", a.map_or(0, |_| bt * c)),
                dqkv: z("dqkv", a.map_or(0, |a| bt * a.qkv_width())),
                dq: z("dq", cross.map_or(0, |_| bt * c)),
                dkv: z("dkv", cross.map_or(0, |kv| bt * kv.out)),
                dact: z("dact", unfused.map_or(0, |f| bt * f.width)),
                dpre: z("dpre", f.map_or(0, |f| bt * f.fc.out)),
            }
        });
        let head = arch.head.classifier.unwrap_or(arch.head.lm);
        BackwardBufs {
            grads: z("grads", arch.layout.padded_len()),
            dlosses: GpuTensor::from_slice(gpu, "dlosses", &vec![1.0 / bt as f32; bt]),
            dlogits: z("dlogits", bt * head.out),
            dnorm: z("dnorm", bt * c),
            dstream: [z("dstream", bt * c), z("dstream", bt * c)],
            dmemory: z("dmemory", if arch.stacks.len() > 1 { bt * c } else { 0 }),
            delta: z("delta", b * nh * t),
            scratch,
        }
    }
}

/// A norm's input: inp, or inp and (sum, branch) where the residual add sum = inp + branch runs
/// in the norm's kernel first.
type NormInput<'t> = (&'t GpuTensor, Option<(&'t GpuTensor, &'t GpuTensor)>);

/// Records the ops of one plan of `m` for (B, T).
struct Recorder<'m> {
    m: &'m GpuModel,
    gpu: &'m GpuContext,
    b: u32,
    t: u32,
    steps: Vec<Step>,
}

impl<'m> Recorder<'m> {
    fn new(m: &'m GpuModel, b: usize, t: usize) -> Self {
        Recorder { m, gpu: &m.gpu, b: b as u32, t: t as u32, steps: Vec::new() }
    }

    fn run(&mut self, ops: impl IntoIterator<Item = Op>) {
        self.steps.extend(ops.into_iter().map(Step::Run));
    }

    fn zero<'t>(&mut self, tensors: impl IntoIterator<Item = &'t GpuTensor>) {
        self.steps.extend(tensors.into_iter().map(|t| Step::Zero(t.clone())));
    }

    /// (B·T, C, post-norm)
    fn sizes(&self) -> (u32, u32, bool) {
        (self.b * self.t, self.m.config.n_embd as u32, self.m.arch.post_norm())
    }

    /// A parameter's view, and its gradient's in `grads`.
    fn p(&self, s: Span) -> GpuTensor {
        self.m.parts.view(s)
    }

    fn linear(&mut self, out: &GpuTensor, inp: &GpuTensor, lin: &Linear) {
        let bias = lin.bias.map(|s| self.p(s));
        let ops =
            matmul::matmul_forward(self.gpu, out, inp, &self.p(lin.weight), bias.as_ref(), self.b * self.t, lin.inp as u32, lin.out as u32);
        self.run(ops);
    }

    /// dinp: stored where it is this linear's alone (`Write::Store`), else added to. With
    /// `act` (and pre), inp was act(pre) and dinp is pre's gradient (the activation's backward
    /// in the input gradient's epilogue).
    #[allow(clippy::too_many_arguments)]
    fn linear_backward(
        &mut self,
        grads: &GpuTensor,
        dinp: &GpuTensor,
        dinp_write: Write,
        dout: &GpuTensor,
        inp: &GpuTensor,
        lin: &Linear,
        act: Option<(Activation, &GpuTensor)>,
    ) {
        let d = |s: Span| grads.slice(s.offset, s.len);
        let (dw, db) = (d(lin.weight), lin.bias.map(d));
        let (rows, k, n) = (self.b * self.t, lin.inp as u32, lin.out as u32);
        let w = self.p(lin.weight);
        self.run(matmul::matmul_backward(self.gpu, dinp, &dw, db.as_ref(), dout, inp, &w, act, rows, k, n, dinp_write));
    }

    /// out = norm(inp), or with `residual` (sum, branch) the residual add before the norm in
    /// its kernel: sum = inp + branch stored, out = norm(sum).
    fn norm(&mut self, n: &NormLayer, out: &GpuTensor, mean: &GpuTensor, rstd: &GpuTensor, (inp, residual): NormInput) {
        let (bt, c, _) = self.sizes();
        let bias = n.bias.map(|s| self.p(s));
        let w = self.p(n.weight);
        self.run([norm_forward(self.gpu, n.kind, out, mean, rstd, residual, inp, &w, bias.as_ref(), bt, c, self.m.config.norm_eps)]);
    }

    #[allow(clippy::too_many_arguments)]
    fn norm_backward(
        &mut self,
        grads: &GpuTensor,
        n: &NormLayer,
        dinp: &GpuTensor,
        dout: &GpuTensor,
        inp: &GpuTensor,
        mean: &GpuTensor,
        rstd: &GpuTensor,
        write: Write,
    ) {
        let (bt, c, _) = self.sizes();
        let d = |s: Span| grads.slice(s.offset, s.len);
        let (dw, db) = (d(n.weight), n.bias.map(d));
        self.run(norm_backward(self.gpu, n.kind, dinp, &dw, db.as_ref(), dout, inp, &self.p(n.weight), mean, rstd, bt, c, write));
    }

    /// Stack `s`: embedding, sublayers, final norm. Pre-norm, a sublayer's residual add runs in
    /// the kernel of the norm after it (the next sublayer's, or the stack's final norm), which
    /// reads the sublayer's input and output and stores their sum; post-norm, in its own norm's.
    fn stack_forward(&mut self, s: usize, key: &PlanKey) {
        let (m, (b, t), (_, c, post)) = (self.m, (self.b, self.t), self.sizes());
        let (stack, a) = (&m.arch.stacks[s], &m.acts.stacks[s]);
        let (tokens, wte) = match &m.vocab {
            None => (&m.inputs[s], &m.wte),
            // split wte: the rows were gathered before the plan runs; position i reads row i
            Some(vocab) => (&vocab.positions, &vocab.gathered[s]),
        };
        self.run([embedding::embedding_forward(self.gpu, &a.embedded, tokens, wte, m.pos.as_ref(), b, t, c)]);
        let memory = s.checked_sub(1).map(|prev| &m.acts.stacks[prev].norm);
        let input = |i: usize| if i == 0 { &a.embedded } else { a.subs[i - 1].output(post) };
        // what the norm before sublayer i (pre-norm), or the final one (i = the count), reads
        let norm_input = |i: usize| -> NormInput {
            match i.checked_sub(1) {
                Some(j) if !post => (input(j), Some((&a.subs[j].sum, &a.subs[j].out))),
                _ => (input(i), None),
            }
        };
        for (i, sub) in stack.sublayers.iter().enumerate() {
            self.sublayer_forward(sub, &a.subs[i], input(i), norm_input(i), memory, key);
        }
        self.norm(&stack.norm, &a.norm, &a.norm_mean, &a.norm_rstd, norm_input(stack.sublayers.len()));
    }

    /// One sublayer, as `Executor::sublayer_forward`; pre-norm, its norm reads `norm_input` (x,
    /// or the previous sublayer's residual add to run first) and its own residual add is left
    /// to the next norm (`stack_forward`).
    fn sublayer_forward(
        &mut self,
        sub: &Sublayer,
        a: &SubBufs,
        x: &GpuTensor,
        norm_input: NormInput,
        memory: Option<&GpuTensor>,
        key: &PlanKey,
    ) {
        let (m, gpu, (b, t), (bt, c, post)) = (self.m, self.gpu, (self.b, self.t), self.sizes());
        let mask = m.ablation.as_ref().filter(|_| key.ablate);
        let (nh, l) = (m.config.n_head as u32, sub.block as u32);
        if !post {
            self.norm(&sub.norm, &a.ln, &a.ln_mean, &a.ln_rstd, norm_input);
        }
        let inp = if post { x } else { &a.ln };
        match &sub.op {
            ArchOp::Attention(at) => {
                let nkv = at.n_kv_head as u32;
                match (at.kv, memory) {
                    (Some(kv), Some(memory)) => {
                        self.linear(&a.q, inp, &at.qkv);
                        self.linear(&a.kv, memory, &kv);
                        self.run([cross_pack::cross_pack_forward(gpu, &a.qkv, &a.q, &a.kv, bt, c, kv.out as u32 / 2)]);
                    }
                    _ => self.linear(&a.qkv, inp, &at.qkv),
                }
                if let (true, Some((cos, sin))) = (at.rotary, &m.rope) {
                    self.run([rope::rope_forward(gpu, &a.qkv, cos, sin, b, t, c, nh, nkv)]);
                }
                // with a KV cache: this block's new keys and values join the cache, and a few
                // rows after a prefill attend over it (a prefill, from position 0, is plain attention)
                let kv = m.kv.as_ref().filter(|_| key.cached != Cached::No);
                if let Some(kv) = kv {
                    let (kc, vc) = &kv.layers[sub.block];
                    self.run([kv_attention::kv_cache_write(gpu, kc, vc, &a.qkv, t, 0, c, nh, nkv, kv.maxt)]);
                }
                let op = match kv.filter(|_| key.cached == Cached::Step) {
                    Some(kv) => {
                        let (kc, vc) = &kv.layers[sub.block];
                        kv_attention::kv_attention_forward(gpu, &a.concat, &kv.att, &a.qkv, kc, vc, t, 0, c, nh, nkv, kv.maxt)
                    }
                    None => {
                        let weights = key.keep_weights.then_some((&a.scores, &a.att));
                        attention::attention_forward(gpu, &a.concat, &a.lse, weights, &a.qkv, b, t, c, nh, nkv, at.causal())
                    }
                };
                self.run([op]);
                if let Some(mask) = mask {
                    self.run([ablate::ablate_forward(gpu, &a.concat, mask, l * nh, bt, nh, c / nh)]);
                }
                self.linear(&a.out, &a.concat, &at.proj);
            }
            ArchOp::FeedForward(f) => {
                let (fc, h) = (&f.fc, f.width as u32);
                match ffn_fused_activation(f.activation) {
                    Some(act) => {
                        let bias = fc.bias.map(|s| self.p(s));
                        let w = self.p(fc.weight);
                        self.run(matmul::matmul_forward_act(gpu, act, &a.act, &a.pre, inp, &w, bias.as_ref(), bt, c, fc.out as u32));
                    }
                    None => {
                        self.linear(&a.pre, inp, fc);
                        self.run([ffn_act_forward(gpu, f.activation, &a.act, &a.pre, bt, h)]);
                    }
                }
                self.linear(&a.out, &a.act, &f.proj);
            }
        }
        if let Some(mask) = mask {
            self.run([ablate::ablate_forward(gpu, &a.out, mask, m.config.n_layer as u32 * nh + l, bt, 1, c)]);
        }
        if post {
            // sum = x + out, then ln = norm(sum), one kernel
            self.norm(&sub.norm, &a.ln, &a.ln_mean, &a.ln_rstd, (x, Some((&a.sum, &a.out))));
        }
    }

    /// Logits and probabilities; the classifier's, whose loss replaces the LM's.
    fn head_forward(&mut self, with_targets: bool) {
        let (m, gpu, (bt, c, _)) = (self.m, self.gpu, self.sizes());
        let (a, v) = (&m.acts, m.config.vocab_size as u32);
        let x = &a.stacks.last().expect("one stack at least").norm;
        match &m.vocab {
            None => self.linear(&a.logits, x, &m.arch.head.lm),
            // split wte (a tied head): the logits come chunk by chunk
            Some(vocab) => self.steps.extend(vocab.head(gpu, &a.logits, x, bt as usize, c as usize, v as usize)),
        }
        let targets = with_targets.then_some(&m.targets);
        match (&a.cls, &m.arch.head.classifier) {
            (Some(cls), Some(k)) => {
                self.run([softmax_xent::softmax_xent_forward(gpu, &a.probs, &a.losses, &a.logits, None, bt, v)]);
                self.linear(&cls.logits, x, k);
                self.run([softmax_xent::softmax_xent_forward(gpu, &cls.probs, &a.losses, &cls.logits, targets, bt, k.out as u32)]);
            }
            _ => self.run([softmax_xent::softmax_xent_forward(gpu, &a.probs, &a.losses, &a.logits, targets, bt, v)]),
        }
    }

    /// The backward of the forward plan with targets, into `g`.
    fn backward(&mut self, g: &BackwardBufs) {
        let (m, gpu, (b, t), (bt, c, post)) = (self.m, self.gpu, (self.b, self.t), self.sizes());
        let (arch, a) = (&m.arch, &m.acts);
        let stacks = arch.stacks.len();
        // the parameters' gradients are added to (a tied head's and the embedding's both land in
        // dwte), so they start at zero, as does an encoder's output's, which every decoder layer
        // adds to; every other gradient's first writer stores it
        self.zero([&g.grads]);
        if stacks > 1 {
            self.zero([&g.dmemory]);
        }
        let top = &a.stacks[stacks - 1].norm;
        let (probs, head) = match (&a.cls, &arch.head.classifier) {
            (Some(cls), Some(k)) => (&cls.probs, k),
            _ => (&a.probs, &arch.head.lm),
        };
        self.run([softmax_xent::softmax_xent_backward(gpu, &g.dlogits, &g.dlosses, probs, &m.targets, bt, head.out as u32)]);
        // logits = norm · headᵀ: a tied head's weight gradient lands in dwte
        self.linear_backward(&g.grads, &g.dnorm, Write::Store, &g.dlogits, top, head, None);
        let mut cur = 0; // which of dstream holds the stream's gradient
        for (s, stack) in arch.stacks.iter().enumerate().rev() {
            let sa = &a.stacks[s];
            let dout = if s + 1 == stacks { &g.dnorm } else { &g.dmemory };
            let last = sa.subs.last().expect("a stack has sublayers").output(post);
            self.norm_backward(&g.grads, &stack.norm, &g.dstream[cur], dout, last, &sa.norm_mean, &sa.norm_rstd, Write::Store);
            let memory = s.checked_sub(1).map(|prev| &a.stacks[prev].norm);
            // every scratch gradient has one writer, which stores it: dln, dconcat, dact and dpre
            // their matmul or activation, dqkv the attention's backward, dq and dkv its unpacking
            for (i, sub) in stack.sublayers.iter().enumerate().rev() {
                let x = if i == 0 { &sa.embedded } else { sa.subs[i - 1].output(post) };
                cur = self.sublayer_backward(g, sub, &sa.subs[i], x, memory, cur);
            }
            let e = &arch.embedding;
            let d = |s: Span| g.grads.slice(s.offset, s.len);
            let dwpe = e.wpe.map(d);
            self.run(embedding::embedding_backward(gpu, &d(e.wte), dwpe.as_ref(), &g.dstream[cur], &m.inputs[s], b, t, c));
        }
    }

    /// As `Executor::sublayer_backward`, with the stream's gradient in `g.dstream[cur]`;
    /// returns where the gradient of the sublayer's input ends up.
    fn sublayer_backward(
        &mut self,
        g: &BackwardBufs,
        sub: &Sublayer,
        a: &SubBufs,
        x: &GpuTensor,
        memory: Option<&GpuTensor>,
        cur: usize,
    ) -> usize {
        let (m, gpu, (b, t), (bt, c, post)) = (self.m, self.gpu, (self.b, self.t), self.sizes());
        let sc = &g.scratch[role(sub)];
        let dy = &g.dstream[cur];
        // dres: the gradient of sum = x + out
        let (dres, next) = if post {
            // forward was: ln = norm(sum); the other buffer becomes dres, then dx
            let other = &g.dstream[1 - cur];
            self.norm_backward(&g.grads, &sub.norm, other, dy, &a.sum, &a.ln_mean, &a.ln_rstd, Write::Store);
            (other, 1 - cur)
        } else {
            (dy, cur)
        };
        // post-norm: the op's input is x itself, whose gradient gathers into dres (the skip path)
        let (inp, dinp, dinp_write) = if post { (x, dres, Write::Add) } else { (&a.ln, &sc.dln, Write::Store) };
        match &sub.op {
            ArchOp::Attention(at) => {
                // forward was: out = concat · projᵀ, concat = attention(rope(qkv))
                self.linear_backward(&g.grads, &sc.dconcat, Write::Store, dres, &a.concat, &at.proj, None);
                let (nh, nkv) = (at.n_head as u32, at.n_kv_head as u32);
                self.run(attention::attention_backward(
                    gpu,
                    &sc.dqkv,
                    &g.delta,
                    &sc.dconcat,
                    &a.qkv,
                    &a.concat,
                    &a.lse,
                    b,
                    t,
                    c,
                    nh,
                    nkv,
                    at.causal(),
                ));
                if let (true, Some((cos, sin))) = (at.rotary, &m.rope) {
                    self.run([rope::rope_backward(gpu, &sc.dqkv, cos, sin, b, t, c, nh, nkv)]);
                }
                match (at.kv, memory) {
                    (Some(kv), Some(memory)) => {
                        // forward was: qkv = [q | kv], q from the stream, kv from the memory
                        self.run([cross_pack::cross_pack_backward(gpu, &sc.dq, &sc.dkv, &sc.dqkv, bt, c, kv.out as u32 / 2)]);
                        self.linear_backward(&g.grads, dinp, dinp_write, &sc.dq, inp, &at.qkv, None);
                        self.linear_backward(&g.grads, &g.dmemory, Write::Add, &sc.dkv, memory, &kv, None);
                    }
                    _ => self.linear_backward(&g.grads, dinp, dinp_write, &sc.dqkv, inp, &at.qkv, None),
                }
            }
            ArchOp::FeedForward(f) => {
                // forward was: out = proj(act(fc(inp))), pre = fc(inp)
                match ffn_fused_activation(f.activation) {
                    // pre's gradient from proj's input gradient in one kernel, stored
                    Some(act) => self.linear_backward(&g.grads, &sc.dpre, Write::Store, dres, &a.act, &f.proj, Some((act, &a.pre))),
                    None => {
                        self.linear_backward(&g.grads, &sc.dact, Write::Store, dres, &a.act, &f.proj, None);
                        self.run([ffn_act_backward(gpu, f.activation, &sc.dpre, &a.pre, &sc.dact, bt, f.width as u32)]);
                    }
                }
                self.linear_backward(&g.grads, dinp, dinp_write, &sc.dpre, inp, &f.fc, None);
            }
        }
        if !post {
            // forward was: ln = norm(x); its gradient joins the skip path's in dy
            self.norm_backward(&g.grads, &sub.norm, dy, &sc.dln, x, &a.ln_mean, &a.ln_rstd, Write::Add);
        }
        next
    }
}

impl GpuModel {
    /// The forward op list for `key`, every stack then the head.
    pub(crate) fn record_forward(&self, key: PlanKey) -> Vec<Step> {
        let mut r = Recorder::new(self, key.b, key.t);
        for s in 0..self.arch.stacks.len() {
            r.stack_forward(s, &key);
        }
        r.head_forward(key.with_targets);
        r.steps
    }

    /// The backward op list of the forward plan with targets for (B, T), into `g`.
    pub(crate) fn record_backward(&self, g: &BackwardBufs, b: usize, t: usize) -> Vec<Step> {
        let mut r = Recorder::new(self, b, t);
        r.backward(g);
        r.steps
    }
}
