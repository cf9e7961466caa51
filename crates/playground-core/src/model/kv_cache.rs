//! Decoder inference with a KV cache: each new token runs once through every layer, attending
//! over the keys and values kept from the tokens before it, instead of the whole context
//! being run again for every token generated.
//!
//! ```text
//! forward_cached(cache, tokens):  N new tokens at absolute positions p0 = cache.len() .. p0 + N
//!   the executor's forward over N rows from position p0 on, where self-attention is
//!     kv_cache_write(K, V of the N rows at p0 ..)  then  kv_attention_forward(over 0 ..= p)
//!   logits                                                      (N, V)
//! ```
//! Prefill is one call with the prompt; each following token is a call with N = 1. The logits
//! equal `forward`'s at the same positions. A cache holds at most block_size positions: when
//! it is full, the caller starts again from the last block_size tokens (`Session::generate`).

use super::{check_tokens, single_stream, Activations, CpuModel};
use crate::config::ModelConfig;
use crate::error::CoreError;

/// The keys and values of every position run so far, per block: (NKV, maxT, HS) each.
#[derive(Clone, Debug)]
pub struct KvCache {
    len: usize,
    maxt: usize,
    layers: Vec<(Vec<f32>, Vec<f32>)>, // (kcache, vcache) per block
}

impl KvCache {
    /// An empty cache for a model of `cfg`: 2·L·block_size·KVC floats.
    pub fn new(cfg: &ModelConfig) -> Self {
        let n = Self::layer_len(cfg);
        KvCache { len: 0, maxt: cfg.block_size, layers: (0..cfg.n_layer).map(|_| (vec![0.0; n], vec![0.0; n])).collect() }
    }

    /// Floats of one block's K (or V) cache.
    fn layer_len(cfg: &ModelConfig) -> usize {
        cfg.block_size * cfg.kv_width()
    }

    /// Whether the cache was made for a model of `cfg`.
    fn fits(&self, cfg: &ModelConfig) -> bool {
        self.maxt == cfg.block_size && self.layers.len() == cfg.n_layer && self.layers[0].0.len() == Self::layer_len(cfg)
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

    pub(super) fn maxt(&self) -> usize {
        self.maxt
    }

    /// Block `l`'s (kcache, vcache).
    pub(super) fn layer(&mut self, l: usize) -> &mut (Vec<f32>, Vec<f32>) {
        &mut self.layers[l]
    }

    /// Counts `n` more positions as held.
    pub(super) fn advance(&mut self, n: usize) {
        self.len += n;
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
        single_stream(cfg)?;
        check_cacheable(cfg)?;
        let n = tokens.len();
        check_tokens(cfg, tokens, 1, n)?;
        check_room(cfg, cache.len, n)?;
        if !cache.fits(cfg) {
            return Err(CoreError::Data("this KV cache was made for another model".into()));
        }
        let mut acts = Activations::new(&self.arch, 1, n);
        let exec = self.executor();
        exec.stack_forward(&mut acts, 0, tokens, Some(cache));
        exec.head_forward(&mut acts, None);
        Ok(acts.logits)
    }
}
