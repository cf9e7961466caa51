//! The wasm memory the engines share: every allocation is counted (bytes allocated and not yet
//! freed), so what a model or a training run will need is checked against wasm32's 4 GiB
//! beside what is held already (`playground_core::memory`), and refused with a typed error
//! rather than trapping the instance with every model it holds.

use crate::errors::to_js;
use playground_core::hf::{HfConfig, MemoryEstimate};
use playground_core::memory::{check_wasm_memory, forward_bytes, training_bytes, weight_bytes};
use playground_core::train::TrainConfig;
use playground_core::{CoreError, ModelConfig};
use wasm_bindgen::JsValue;

#[cfg(target_arch = "wasm32")]
mod counting {
    use std::alloc::{GlobalAlloc, Layout, System};
    use std::sync::atomic::{AtomicUsize, Ordering};

    pub static LIVE: AtomicUsize = AtomicUsize::new(0);

    struct Counting;

    unsafe impl GlobalAlloc for Counting {
        unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
            let ptr = unsafe { System.alloc(layout) };
            if !ptr.is_null() {
                LIVE.fetch_add(layout.size(), Ordering::Relaxed);
            }
            ptr
        }
        unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
            let ptr = unsafe { System.alloc_zeroed(layout) };
            if !ptr.is_null() {
                LIVE.fetch_add(layout.size(), Ordering::Relaxed);
            }
            ptr
        }
        unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
            unsafe { System.dealloc(ptr, layout) };
            LIVE.fetch_sub(layout.size(), Ordering::Relaxed);
        }
        unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
            let out = unsafe { System.realloc(ptr, layout, new_size) };
            if !out.is_null() {
                LIVE.fetch_sub(layout.size(), Ordering::Relaxed);
                LIVE.fetch_add(new_size, Ordering::Relaxed);
            }
            out
        }
    }

    #[global_allocator]
    static ALLOCATOR: Counting = Counting;
}

/// Bytes allocated and not freed (0 where the facade is not built for wasm32).
fn in_use() -> u64 {
    #[cfg(target_arch = "wasm32")]
    let live = counting::LIVE.load(std::sync::atomic::Ordering::Relaxed) as u64;
    #[cfg(not(target_arch = "wasm32"))]
    let live = 0;
    live
}

/// Refuses a model whose weights wasm32's 4 GiB cannot hold beside what is held already;
/// asked before they are allocated.
pub fn check_weights(config: &ModelConfig) -> Result<(), CoreError> {
    let what = format!("the weights of this model ({} parameters as f32)", config.param_count());
    check_wasm_memory(&what, weight_bytes(config), in_use())
}

/// Refuses a Hugging Face model whose weights and one forward pass (`estimate`) wasm32's 4 GiB
/// cannot hold beside what is held already; asked before its weights are downloaded.
pub fn check_estimate(config: &HfConfig, estimate: &MemoryEstimate) -> Result<(), CoreError> {
    estimate.check(config, None)?;
    let what = format!("{} parameters as f32 and a forward pass over {} tokens", config.param_count(), estimate.context);
    check_wasm_memory(&what, estimate.total_bytes(), in_use())
}

/// Refuses a CPU forward pass over `t` tokens whose activations do not fit.
pub fn check_forward(config: &ModelConfig, t: usize) -> Result<(), JsValue> {
    check_wasm_memory(&format!("a forward pass over {t} tokens on the CPU engine"), forward_bytes(config, t), in_use()).map_err(to_js)
}

/// Refuses training that does not fit: asked before it starts.
pub fn check_training(config: &ModelConfig, train: &TrainConfig, on_gpu: bool) -> Result<(), JsValue> {
    let what = if on_gpu {
        "training on WebGPU (the autosave's copies of the weights and of AdamW's moments)".to_string()
    } else {
        format!(
            "training on the CPU engine (gradients, AdamW's moments, the last good state, the autosave's copies, and the activations of batch {} × {} tokens)",
            train.batch_size, config.block_size
        )
    };
    check_wasm_memory(&what, training_bytes(config, train.batch_size, on_gpu), in_use()).map_err(to_js)
}
