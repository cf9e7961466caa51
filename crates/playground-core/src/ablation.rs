//! Ablation: switching attention heads or whole blocks off to see what they contribute.
//!
//! The forward pass scales each head's output (its HS columns of `atty`, before the output
//! projection) by a per-(layer, head) factor, and a block's two residual branches (`attproj`
//! and `fcproj`) by a per-layer factor, with the op `ablate_forward`. A factor of 0 removes
//! the contribution exactly: an ablated head gives the same result as the model with that
//! head's HS input columns of `attn.c_proj.weight` set to zero; an ablated block passes the
//! residual stream through unchanged.
//!
//! mask: (L·NH + L) = head factors, layer-major, then one factor per layer.

use crate::config::ModelConfig;
use crate::error::CoreError;
use serde::{Deserialize, Serialize};

/// What to switch off, as the page sends it: `{ heads: [[layer, head], ...], layers: [...] }`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AblationSpec {
    #[serde(default)]
    pub heads: Vec<(usize, usize)>,
    #[serde(default)]
    pub layers: Vec<usize>,
}

/// The checked mask for one model.
#[derive(Clone, Debug, PartialEq)]
pub struct Ablation {
    n_layer: usize,
    n_head: usize,
    pub mask: Vec<f32>, // (L·NH + L)
}

impl Ablation {
    /// Checks every layer and head against `cfg`; an empty spec switches nothing off.
    pub fn new(cfg: &ModelConfig, spec: &AblationSpec) -> Result<Self, CoreError> {
        let (l, nh) = (cfg.n_layer, cfg.n_head);
        let mut mask = vec![1.0; l * nh + l];
        for &(layer, head) in &spec.heads {
            check("ablation.layer", layer, l, "layers")?;
            check("ablation.head", head, nh, "heads in each layer")?;
            mask[layer * nh + head] = 0.0;
        }
        for &layer in &spec.layers {
            check("ablation.layer", layer, l, "layers")?;
            mask[l * nh + layer] = 0.0;
        }
        Ok(Ablation { n_layer: l, n_head: nh, mask })
    }

    /// True when something is switched off (an all-ones mask changes nothing).
    pub fn is_active(&self) -> bool {
        self.mask.iter().any(|&s| s != 1.0)
    }

    /// Offset of layer `l`'s NH head factors in `mask`.
    pub fn head_offset(&self, l: usize) -> usize {
        l * self.n_head
    }

    /// Offset of layer `l`'s block factor in `mask`.
    pub fn layer_offset(&self, l: usize) -> usize {
        self.n_layer * self.n_head + l
    }
}

fn check(field: &'static str, value: usize, count: usize, what: &str) -> Result<(), CoreError> {
    if value >= count {
        return Err(CoreError::Config { field, value: value as u64, reason: format!("the model has {count} {what}, numbered from 0") });
    }
    Ok(())
}
