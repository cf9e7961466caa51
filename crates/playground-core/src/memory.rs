//! What a model needs of the engine's memory before it is loaded or trained, and the refusal
//! of what wasm32's 4 GiB cannot hold. A wasm instance that runs out of memory traps and is
//! lost with every model it holds, so the facade asks here first: before a checkpoint's
//! weights are allocated, and before training starts.
//!
//! The estimates count f32 elements of what the engine allocates: the weights, one forward
//! pass's activations (`Activations::new`), and for training the gradients, AdamW's two
//! moments, the last good state a broken step returns to, and the copies an autosave makes.

use crate::arch::Architecture;
use crate::config::ModelConfig;
use crate::error::CoreError;
use crate::model::Activations;

/// All a wasm32 module can address.
pub const WASM32_MEMORY: u64 = 4 << 30;
const F32: u64 = 4; // bytes

/// f32 elements of `Activations::new` for (B, T): what one forward pass keeps (counted through
/// `Activations::with`, so the two cannot drift apart; nothing is allocated).
pub fn activation_elements(config: &ModelConfig, b: usize, t: usize) -> u64 {
    let mut elements = 0u64;
    Activations::with(&Architecture::new(config), b, t, true, &mut |_, n| elements += n as u64);
    elements
}

/// Bytes of a model's weights as f32: what loading it allocates.
pub fn weight_bytes(config: &ModelConfig) -> u64 {
    F32 * config.param_count() as u64
}

/// Bytes one forward pass over `t` tokens allocates on the CPU engine (every activation is
/// kept, for the trace).
pub fn forward_bytes(config: &ModelConfig, t: usize) -> u64 {
    F32 * activation_elements(config, 1, t)
}

/// Bytes training adds to a loaded model, for a batch of `batch` rows of its whole context.
/// On the CPU engine: gradients and AdamW's moments (3 copies of the weights), the last good
/// state (3 more), a step's activations and their gradients, and what an autosave copies out
/// (the weights and both moments, each also as file bytes: 4 more at once). On a GPU the step
/// lives on the device; the wasm memory holds the autosave's copies.
pub fn training_bytes(config: &ModelConfig, batch: usize, on_gpu: bool) -> u64 {
    let p = config.param_count() as u64;
    let export = 4 * p;
    if on_gpu {
        return F32 * export;
    }
    F32 * (6 * p + 2 * activation_elements(config, batch, config.block_size) + export)
}

/// Refuses `needed` more bytes where `in_use` are taken already and the two pass wasm32's 4 GiB.
/// `what` names what the bytes are for, in the page's words.
pub fn check_wasm_memory(what: &str, needed: u64, in_use: u64) -> Result<(), CoreError> {
    if in_use.saturating_add(needed) <= WASM32_MEMORY {
        return Ok(());
    }
    Err(CoreError::DeviceLimit {
        what: format!("{what} ({} beside the {} the engine holds already)", gib(needed), gib(in_use)),
        needed: in_use.saturating_add(needed),
        allowed: WASM32_MEMORY,
        limit: "wasm32 memory (4 GiB)",
    })
}

/// "1.27 GiB".
fn gib(bytes: u64) -> String {
    format!("{:.2} GiB", bytes as f64 / (1u64 << 30) as f64)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::{Family, Ffn};

    /// Elements of every buffer of `a`, as allocated.
    fn elements(a: &Activations) -> u64 {
        let sub = |s: &crate::model::SubActs| {
            [&s.ln, &s.ln_mean, &s.ln_rstd, &s.q, &s.kv, &s.qkv, &s.lse, &s.scores, &s.att, &s.concat, &s.pre, &s.act, &s.out, &s.sum]
                .iter()
                .map(|v| v.len())
                .sum::<usize>()
        };
        let stacks: usize = a
            .stacks
            .iter()
            .map(|st| st.embedded.len() + st.subs.iter().map(sub).sum::<usize>() + st.norm.len() + st.norm_mean.len() + st.norm_rstd.len())
            .sum();
        let cls = a.cls.as_ref().map_or(0, |c| c.logits.len() + c.probs.len());
        (stacks + a.logits.len() + a.probs.len() + a.losses.len() + cls) as u64
    }

    #[test]
    fn activations_are_counted_as_allocated() {
        let base = ModelConfig { vocab_size: 37, block_size: 11, n_layer: 3, n_head: 2, n_embd: 12, ..ModelConfig::default() };
        let classifier = ModelConfig { family: Family::Encoder, n_classes: 5, ..base };
        let encdec = ModelConfig { family: Family::EncoderDecoder, ..base };
        for config in [base, ModelConfig { ffn: Ffn::SwiGlu, ..base }, classifier, encdec] {
            let allocated = elements(&Activations::new(&Architecture::new(&config), 3, 7));
            assert_eq!(activation_elements(&config, 3, 7), allocated, "{config:?}");
            assert!(allocated > 3 * 7 * 2 * 37, "{config:?}: {allocated}");
        }
    }

    #[test]
    fn a_large_checkpoint_loads_but_cannot_train_on_the_cpu_in_wasm32() {
        // 12 layers, C = 1024, V = 30,000, context 1024: about 850 MB as a file (the tied head twice)
        let config = ModelConfig { vocab_size: 30_000, block_size: 1024, n_layer: 12, n_head: 16, n_embd: 1024, ..ModelConfig::default() };
        let file = F32 * (config.param_count() + config.vocab_size * config.n_embd) as u64;
        assert!((800_000_000..900_000_000).contains(&file), "{file}");
        check_wasm_memory("loading", weight_bytes(&config), file).unwrap();
        let loaded = file + weight_bytes(&config);
        check_wasm_memory("a forward pass", forward_bytes(&config, 256), loaded).unwrap();
        let err = check_wasm_memory("training", training_bytes(&config, 1, false), loaded).unwrap_err();
        assert!(matches!(err, CoreError::DeviceLimit { allowed: WASM32_MEMORY, .. }), "{err}");
        assert!(err.to_string().contains("wasm32 memory (4 GiB)"), "{err}");
        // the small default model trains with room to spare
        let small = ModelConfig { vocab_size: 96, block_size: 64, n_layer: 2, n_head: 4, n_embd: 64, ..ModelConfig::default() };
        check_wasm_memory("training", training_bytes(&small, 64, false), 64 << 20).unwrap();
    }
}
