//! The CPU reference of every op, forward and backward, in llm.c's argument order:
//! outputs, then inputs, then sizes. Backward functions accumulate (`+=`) into their
//! gradient outputs, so gradients can be summed; zero them before a step.
//!
//! Each file here has a twin in `shaders/` and in `playground-gpu/src/kernels/`, and the
//! tests compare them. `positions.rs` is the exception: it computes constant tables (the
//! sinusoidal positions, the rotary angles) that the GPU receives uploaded.

pub mod ablate;
pub mod adamw;
pub mod attention;
pub mod clip;
pub mod cross_pack;
pub mod embedding;
pub mod gelu;
pub mod gelu_tanh;
pub mod kv_attention;
pub mod layernorm;
pub mod matmul;
pub mod positions;
pub mod relu;
pub mod residual;
pub mod rmsnorm;
pub mod rope;
pub mod softmax_xent;
pub mod swiglu;

pub use ablate::*;
pub use adamw::*;
pub use attention::*;
pub use clip::*;
pub use cross_pack::*;
pub use embedding::*;
pub use gelu::*;
pub use gelu_tanh::*;
pub use kv_attention::*;
pub use layernorm::*;
pub use matmul::*;
pub use positions::*;
pub use relu::*;
pub use residual::*;
pub use rmsnorm::*;
pub use rope::*;
pub use softmax_xent::*;
pub use swiglu::*;
