//! Decoder inference with a KV cache: each new token runs once through every layer, attending
//! over the keys and values kept from the tokens before it, instead of the whole context
//! being run again for every token generated.
//!
//! ```text
//! forward_cached(cache, tokens):  N new tokens at absolute positions p0 = cache.len() .. p0 + N
//!   x = wte[tokens] + pos[p0 .. p0 + N]                         (N, C)   (rotary: angles at p0 ..)
//!   for each block: the op list of `CpuModel::forward_acts` on N rows, where attention is
//!     kv_cache_write(K, V of the N rows at p0 ..)  then  kv_attention_forward(over 0 ..= p)
//!   logits = lnf(x) · headᵀ                                     (N, V)
//! ```
//! Prefill is one call with the prompt; each following token is a call with N = 1. The logits
//! equal `forward`'s at the same positions. A cache holds at most block_size positions: when
//! it is full, the caller starts again from the last block_size tokens (`Session::generate`).

use super::{check_tokens, CpuModel};
use crate::arch_ops::{ffn_act_forward, ffn_fused_activation, norm_forward};
use crate::config::{ModelConfig, NormPosition};
use crate::cpu;
use crate::error::CoreError;
use crate::params::Span;

/// The keys and values of every position run so far, per layer: (NH, maxT, HS) each.
#[derive(Clone, Debug)]
pub struct KvCache {
    len: usize,
    maxt: usize,
    layers: Vec<(Vec<f32>, Vec<f32>)>, // (kcache, vcache) per layer
}

impl KvCache {
    /// An empty cache for a model of `cfg`: 2·L·block_size·C floats.
    pub fn new(cfg: &ModelConfig) -> Self {
        let n = cfg.block_size * cfg.n_embd;
        KvCache { len: 0, maxt: cfg.block_size, layers: (0..cfg.n_layer).map(|_| (vec![0.0; n], vec![0.0; n])).collect() }
    }

    /// Positions held.
    pub fn len(&self) -> usize {
        self.len
    }

    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// Positions it can hold: the model's block_size.
    pub fn capacity(&self) -> usize {
        self.maxt
    }

    /// Forgets every position (the buffers are kept).
    pub fn clear(&mut self) {
        self.len = 0;
    }
}

/// Only a causal decoder can be run a token at a time: an encoder's early positions attend to
/// later ones, so they change with every token added.
pub fn check_cacheable(cfg: &ModelConfig) -> Result<(), CoreError> {
    if !cfg.causal() {
        return Err(CoreError::Data("a KV cache needs a causal decoder; an encoder attends to every position".into()));
    }
    Ok(())
}

/// The room a call for `n` new tokens needs: the cache and the new tokens within block_size.
pub fn check_room(cfg: &ModelConfig, held: usize, n: usize) -> Result<(), CoreError> {
    if held + n > cfg.block_size {
        return Err(CoreError::TooLong { t: held + n, block_size: cfg.block_size });
    }
    Ok(())
}

impl CpuModel {
    /// Runs `tokens` at the positions after those in `cache`, appends their keys and values,
    /// and returns their logits (N, V).
    pub fn forward_cached(&self, cache: &mut KvCache, tokens: &[u32]) -> Result<Vec<f32>, CoreError> {
        let cfg = &self.config;
        super::single_stream(cfg)?;
        check_cacheable(cfg)?;
        let (n, p0) = (tokens.len(), cache.len);
        check_tokens(cfg, tokens, 1, n)?;
        check_room(cfg, p0, n)?;
        if cache.maxt != cfg.block_size || cache.layers.len() != cfg.n_layer || cache.layers[0].0.len() != cfg.block_size * cfg.n_embd {
            return Err(CoreError::Data("this KV cache was made for another model".into()));
        }
        let (c, nh, v, f, fc, maxt) = (cfg.n_embd, cfg.n_head, cfg.vocab_size, cfg.ffn_width(), cfg.fc_width(), cfg.block_size);
        let (p, lay) = (&self.params, &self.layout);
        let (norm, eps, post) = (cfg.norm, cfg.norm_eps, cfg.norm_position == NormPosition::Post);
        let bias = |s: Option<Span>| s.map(|s| s.of(p));
        let z = |len: usize| vec![0.0f32; len];
        // the residual stream of the N rows, and one block's scratch (reused by every block)
        let mut x = z(n * c); // (N, C)
        let (mut ln, mut mean, mut rstd) = (z(n * c), z(n), z(n)); // (N, C), (N), (N)
        let (mut qkv, mut atty, mut attproj, mut res2) = (z(n * 3 * c), z(n * c), z(n * c), z(n * c));
        let (mut fch, mut act, mut fcproj) = (z(n * fc), z(n * f), z(n * c)); // (N, H|2H), (N, H), (N, C)
        let pos = self.position_rows(p0 + n);
        cpu::encoder_forward(&mut x, tokens, lay.wte.of(p), pos.as_ref().map(|r| &r[p0 * c..]), 1, n, c);
        let rope = self.rope(p0 + n);
        let half = cfg.head_size() / 2;
        let ablate = self.ablation.as_ref().filter(|m| m.is_active());
        for (l, (kc, vc)) in cache.layers.iter_mut().enumerate() {
            let w = &lay.blocks[l];
            if !post {
                norm_forward(norm, &mut ln, &mut mean, &mut rstd, &x, w.ln1w.of(p), bias(w.ln1b), n, c, eps);
            }
            cpu::matmul_forward(&mut qkv, if post { &x } else { &ln }, w.qkvw.of(p), Some(w.qkvb.of(p)), n, c, 3 * c);
            if let Some((cos, sin)) = &rope {
                cpu::rope_forward(&mut qkv, &cos[p0 * half..], &sin[p0 * half..], 1, n, c, nh);
            }
            cpu::kv_cache_write(kc, vc, &qkv, n, p0, c, nh, maxt);
            cpu::kv_attention_forward(&mut atty, &qkv, kc, vc, n, p0, c, nh, maxt);
            if let Some(m) = ablate {
                cpu::ablate_forward(&mut atty, &m.mask, m.head_offset(l), n, nh, c / nh);
            }
            cpu::matmul_forward(&mut attproj, &atty, w.attprojw.of(p), Some(w.attprojb.of(p)), n, c, c);
            if let Some(m) = ablate {
                cpu::ablate_forward(&mut attproj, &m.mask, m.layer_offset(l), n, 1, c);
            }
            cpu::residual_forward(&mut res2, &x, &attproj, n * c);
            // the FFN reads norm(residual2): ln2 (pre-norm) or ln1 (post-norm), both into `ln`
            let (nw, nb) = if post { (w.ln1w, w.ln1b) } else { (w.ln2w, w.ln2b) };
            norm_forward(norm, &mut ln, &mut mean, &mut rstd, &res2, nw.of(p), bias(nb), n, c, eps);
            match ffn_fused_activation(cfg.ffn) {
                Some(a) => cpu::matmul_forward_act(a, &mut act, &mut fch, &ln, w.fcw.of(p), Some(w.fcb.of(p)), n, c, fc),
                None => {
                    cpu::matmul_forward(&mut fch, &ln, w.fcw.of(p), Some(w.fcb.of(p)), n, c, fc);
                    ffn_act_forward(cfg.ffn, &mut act, &fch, n, f);
                }
            }
            cpu::matmul_forward(&mut fcproj, &act, w.fcprojw.of(p), Some(w.fcprojb.of(p)), n, f, c);
            if let Some(m) = ablate {
                cpu::ablate_forward(&mut fcproj, &m.mask, m.layer_offset(l), n, 1, c);
            }
            cpu::residual_forward(&mut x, if post { &ln } else { &res2 }, &fcproj, n * c);
            if post {
                norm_forward(norm, &mut ln, &mut mean, &mut rstd, &x, w.ln2w.of(p), bias(w.ln2b), n, c, eps);
                x.copy_from_slice(&ln);
            }
        }
        cache.len = p0 + n;
        norm_forward(norm, &mut ln, &mut mean, &mut rstd, &x, lay.lnfw.of(p), bias(lay.lnfb), n, c, eps);
        let mut logits = z(n * v);
        cpu::matmul_forward(&mut logits, &ln, lay.head().of(p), None, n, c, v);
        Ok(logits)
    }
}
