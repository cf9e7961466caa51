//! The fast CPU engine: every heavy op of [`crate::cpu`] again, with the same name, the same
//! signature (llm.c's order: outputs, inputs, sizes) and the same result up to f32 rounding,
//! written for speed rather than for reading:
//! - matmuls are calls to `matrixmultiply`'s packed GEMM (AVX, FMA or AVX-512 kernels chosen at
//!   run time natively; its SIMD128 kernel in a wasm built with `+simd128`), on strided views,
//!   so transposed operands and `+=` cost nothing extra (`gemm.rs`);
//! - attention is GEMMs per (batch row, head) over blocks of query rows, the causal upper
//!   triangle skipped (`attention.rs`);
//! - norms, softmax-cross-entropy, activations and AdamW run in loops the compiler vectorizes,
//!   with a branch-free `exp`/`erf` (`math.rs`) where the reference calls libm per element;
//! - elementwise steps that follow a matmul run on its rows while they are in cache (the FFN
//!   activation in `matmul_forward_act`), and softmax and cross-entropy are one pass;
//! - work is split into tasks over rows, heads or parameters on rayon's pool (`par.rs`): native
//!   threads, Web Workers in the threaded wasm; the single-threaded wasm runs the same tasks in
//!   order and links no rayon. A small model's training step splits coarser: one shard of the
//!   batch per thread (`train::shards`), whose ops run inside `par::on_this_thread`, unsplit.
//!
//! The reference stays the definition of correct: `tests/tests/fast_vs_cpu/` runs each op here
//! against its `cpu` twin on odd sizes, and the whole model on these ops (`model::Fast`, the
//! CPU engine's) against the reference ops. Ops not listed here (embedding, residual, RoPE,
//! ablation, clipping) are cheap memory passes that the reference already does at speed.

mod adamw;
mod attention;
mod elementwise;
mod gemm;
mod layernorm;
pub mod math;
mod matmul;
pub mod par;
mod rmsnorm;
mod softmax_xent;
mod swiglu;

pub use adamw::adamw_update;
pub use attention::{attention_backward, attention_forward};
pub use elementwise::{gelu_backward, gelu_forward, gelu_tanh_backward, gelu_tanh_forward, relu_backward, relu_forward};
pub use layernorm::{layernorm_backward, layernorm_forward};
pub use matmul::{matmul_backward, matmul_forward, matmul_forward_act};
pub use rmsnorm::{rmsnorm_backward, rmsnorm_forward};
pub use softmax_xent::{softmax_forward, softmax_xent_backward, softmax_xent_forward};
pub use swiglu::{swiglu_backward, swiglu_forward};
