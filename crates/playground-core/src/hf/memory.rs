//! What a model will cost before any of it is loaded: the bytes to download, and the
//! memory its f32 weights and one forward pass over the context take in the engine; and the
//! refusals of what wasm32's 4 GiB or the GPU device cannot hold, naming the limit and size.

use super::config::HfConfig;
use crate::config::DeviceLimits;
use crate::error::CoreError;
use serde::Serialize;

/// All a wasm32 module can address.
pub const WASM32_MEMORY: u64 = 4 << 30;

/// Bytes, as the page shows them before loading.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct MemoryEstimate {
    /// The weight files.
    pub download_bytes: u64,
    /// The weights as f32 (a tied head once).
    pub weights_bytes: u64,
    /// One traced forward pass over `context` tokens: every layer's activations (their K and
    /// V are the generation cache), attention maps, logits and probabilities.
    pub activations_bytes: u64,
    /// Tokens of context the estimate is for.
    pub context: usize,
}

impl MemoryEstimate {
    /// For `config` run over `context` tokens; `download_bytes` where known (the files'
    /// sizes), else from the parameter count and config.json's dtype.
    pub fn new(config: &HfConfig, download_bytes: Option<u64>, context: usize) -> MemoryEstimate {
        let params = config.param_count();
        let stored = match config.dtype.as_deref() {
            Some("bfloat16" | "float16") => 2,
            _ => 4,
        };
        let (t, c, v, l) = (context as u64, config.hidden_size as u64, config.vocab_size as u64, config.num_layers as u64);
        let (nh, kv, hs, h) =
            (config.num_heads as u64, config.num_kv_heads as u64, config.head_dim as u64, config.intermediate_size as u64);
        // per layer: ln1, attention output, its projection, residual, ln2, FFN output, residual
        // (7C per token), q, k, v, the FFN's gate+up and activation (3H), and the scores and
        // weights of every head (2·NH·T²)
        let per_layer = t * (7 * c + (nh + 2 * kv) * hs + 3 * h) + 2 * nh * t * t;
        MemoryEstimate {
            download_bytes: download_bytes.unwrap_or(params * stored),
            weights_bytes: params * 4,
            activations_bytes: 4 * (l * per_layer + 2 * t * v),
            context,
        }
    }

    /// Weights and activations together: what the engine's memory must hold.
    pub fn total_bytes(&self) -> u64 {
        self.weights_bytes + self.activations_bytes
    }

    /// Refuses what wasm32 cannot address, and on a GPU, a tensor bigger than one storage
    /// binding (the token embedding and an untied head excepted: the GPU model splits them
    /// over several bindings).
    pub fn check(&self, config: &HfConfig, device: Option<&DeviceLimits>) -> Result<(), CoreError> {
        if self.total_bytes() > WASM32_MEMORY {
            return Err(CoreError::DeviceLimit {
                what: format!("{} parameters as f32 and a forward pass over {} tokens", config.param_count(), self.context),
                needed: self.total_bytes(),
                allowed: WASM32_MEMORY,
                limit: "wasm32 memory (4 GiB)",
            });
        }
        let Some(device) = device else { return Ok(()) };
        let (t, nh) = (self.context as u64, config.num_heads as u64);
        let largest = [
            ("logits (T×V)", t * config.vocab_size as u64),
            ("attention weights of one layer (NH×T×T)", nh * t * t),
            ("FFN activations (T×2H)", t * 2 * config.intermediate_size as u64),
            ("FFN weight (H×C)", (config.intermediate_size * config.hidden_size) as u64),
        ];
        for (what, elements) in largest {
            if elements * 4 > device.max_storage_buffer_binding_size {
                return Err(CoreError::DeviceLimit {
                    what: what.into(),
                    needed: elements * 4,
                    allowed: device.max_storage_buffer_binding_size,
                    limit: "maxStorageBufferBindingSize",
                });
            }
        }
        Ok(())
    }
}
