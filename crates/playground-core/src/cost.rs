//! What a model costs: parameters, floating-point operations and attention-map memory, per
//! part, for a config and a sequence length.
//!
//! Conventions (those of Kaplan et al. 2020 and the PaLM appendix):
//! - a matmul of (m, k)·(k, n) costs 2·m·n·k FLOPs (one multiply, one add per term);
//! - only matmuls are counted; LayerNorm, softmax, GELU and residual adds are O(T·C) each
//!   and left out, as is the embedding lookup (no arithmetic);
//! - attention counts the full T×T score and mix matmuls (2·T·T·HS each per head), though
//!   the causal mask makes half of them zeros: that is what a dense kernel computes;
//! - a training step is forward + backward, and the backward costs twice the forward (one
//!   matmul for the input's gradient, one for the weight's), so 3× the forward;
//! - the head is tied to wte: it costs FLOPs but no parameters of its own.
//!
//! Memory of the attention maps: the softmax weights `att` kept for the backward pass,
//! (B, NH, T, T) per layer, 4 bytes each.

use crate::config::ModelConfig;
use crate::error::CoreError;
use serde::Serialize;

/// Parameters and FLOPs of one part of the model, summed over all layers.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct PartCost {
    pub part: &'static str,
    /// The formula, in the shape letters, for the page.
    pub formula: &'static str,
    pub params: u64,
    pub forward_flops: u64,
    pub train_flops: u64,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Cost {
    pub t: usize,
    pub batch: usize,
    pub parts: Vec<PartCost>,
    pub params: u64,
    pub forward_flops: u64,
    pub train_flops: u64,
    /// The part of `forward_flops` that grows with T² (scores and mix).
    pub quadratic_flops: u64,
    pub attention_map_bytes: u64,
}

/// The cost of a forward pass over `batch` sequences of `t` tokens, and of a training step.
pub fn cost(cfg: &ModelConfig, t: usize, batch: usize) -> Result<Cost, CoreError> {
    cfg.validate()?;
    if t == 0 || t > cfg.block_size {
        return Err(CoreError::TooLong { t, block_size: cfg.block_size });
    }
    if batch == 0 {
        return Err(CoreError::Config { field: "batch_size", value: 0, reason: "must be at least 1".into() });
    }
    let (v, maxt, l, nh, c, f) = (cfg.vocab_size, cfg.block_size, cfg.n_layer, cfg.n_head, cfg.n_embd, cfg.ffn_width());
    let [v, maxt, l, nh, c, f, t64, b] = [v, maxt, l, nh, c, f, t, batch].map(|x| x as u64);
    let mm = |m: u64, n: u64, k: u64| 2 * m * n * k;
    let bt = b * t64;
    let part =
        |part, formula, params, forward_flops: u64| PartCost { part, formula, params, forward_flops, train_flops: 3 * forward_flops };
    let parts = vec![
        part("embeddings", "wte V·C + wpe block·C", v * c + maxt * c, 0),
        part("attention Q, K, V", "L·(3C·C + 3C); 2·BT·C·3C per layer", l * (3 * c * c + 3 * c), l * mm(bt, 3 * c, c)),
        part("attention scores and mix", "2 · (2·T·T·HS) · NH per sequence and layer", 0, l * b * nh * 2 * mm(t64, t64, c / nh)),
        part("attention output", "L·(C·C + C); 2·BT·C·C per layer", l * (c * c + c), l * mm(bt, c, c)),
        part("feed-forward", "L·(4C·C + 4C + 4C·C + C); 2·2·BT·C·4C per layer", l * (2 * f * c + f + c), l * 2 * mm(bt, f, c)),
        part("layer norms", "(2L + 1)·2C", (2 * l + 1) * 2 * c, 0),
        part("output head (tied to wte)", "2·BT·C·V", 0, mm(bt, v, c)),
    ];
    let quadratic_flops = parts[2].forward_flops;
    Ok(Cost {
        t,
        batch,
        params: parts.iter().map(|p| p.params).sum(),
        forward_flops: parts.iter().map(|p| p.forward_flops).sum(),
        train_flops: parts.iter().map(|p| p.train_flops).sum(),
        quadratic_flops,
        attention_map_bytes: 4 * b * l * nh * t64 * t64,
        parts,
    })
}
