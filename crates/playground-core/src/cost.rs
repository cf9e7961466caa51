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
//! - a head tied to wte costs FLOPs but no parameters of its own; an untied head and a [CLS]
//!   classifier have their own;
//! - parameters are counted from the model's `ParamLayout`, so every architecture variant
//!   (RMSNorm's missing biases, rotary or sinusoidal positions without wpe, SwiGLU's gate)
//!   counts exactly what its checkpoint holds.
//!
//! Memory of the attention maps: the softmax weights `att` kept for the backward pass,
//! (B, NH, T, T) per layer, 4 bytes each.

use crate::architecture::{Family, Ffn, Positions};
use crate::config::ModelConfig;
use crate::error::CoreError;
use crate::params::ParamLayout;
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
    if cfg.family == Family::EncoderDecoder {
        return Err(CoreError::Architecture {
            field: "family",
            value: "encoder_decoder".into(),
            reason: "the cost view covers decoder and encoder models".into(),
        });
    }
    let layout = ParamLayout::new(cfg);
    // parameters of the tensors whose names `pick` accepts
    let count = |pick: &dyn Fn(&str) -> bool| -> u64 { layout.tensors().iter().filter(|p| pick(&p.name)).map(|p| p.numel() as u64).sum() };
    let (v, l, nh, c, h, fc) = (cfg.vocab_size, cfg.n_layer, cfg.n_head, cfg.n_embd, cfg.ffn_width(), cfg.fc_width());
    let [v, l, nh, c, h, fc, t64, b, k] = [v, l, nh, c, h, fc, t, batch, cfg.n_classes].map(|x| x as u64);
    let mm = |m: u64, n: u64, k: u64| 2 * m * n * k;
    let bt = b * t64;
    let part =
        |part, formula, params, forward_flops: u64| PartCost { part, formula, params, forward_flops, train_flops: 3 * forward_flops };
    let embeddings = match cfg.positions {
        Positions::Learned => "wte V·C + wpe block·C",
        _ => "wte V·C (the positions are computed, not learned)",
    };
    let ffn = match cfg.ffn {
        Ffn::SwiGlu => "L·(2H·C + C·H + biases), H ≈ 8C/3; 2·BT·C·2H + 2·BT·H·C per layer",
        _ => "L·(4C·C + 4C + 4C·C + C); 2·2·BT·C·4C per layer",
    };
    let head = if k > 0 {
        part("classifier at [CLS]", "K·C + K; 2·B·C·K", count(&|n| n.starts_with("classifier.")), mm(b, k, c))
    } else if cfg.tie_head {
        part("output head (tied to wte)", "2·BT·C·V", 0, mm(bt, v, c))
    } else {
        part("output head (its own matrix)", "V·C; 2·BT·C·V", count(&|n| n == "lm_head.weight"), mm(bt, v, c))
    };
    let parts = vec![
        part("embeddings", embeddings, count(&|n| n == "transformer.wte.weight" || n == "transformer.wpe.weight"), 0),
        part("attention Q, K, V", "L·(3C·C + 3C); 2·BT·C·3C per layer", count(&|n| n.contains(".attn.c_attn.")), l * mm(bt, 3 * c, c)),
        part("attention scores and mix", "2 · (2·T·T·HS) · NH per sequence and layer", 0, l * b * nh * 2 * mm(t64, t64, c / nh)),
        part("attention output", "L·(C·C + C); 2·BT·C·C per layer", count(&|n| n.contains(".attn.c_proj.")), l * mm(bt, c, c)),
        part("feed-forward", ffn, count(&|n| n.contains(".mlp.")), l * (mm(bt, fc, c) + mm(bt, c, h))),
        part("layer norms", "(2L + 1)·2C (RMSNorm: no biases, half)", count(&|n| n.contains(".ln_")), 0),
        head,
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
