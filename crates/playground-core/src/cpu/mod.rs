//! The CPU reference of every op, forward and backward, in llm.c's argument order:
//! outputs, then inputs, then sizes. Backward functions accumulate (`+=`) into their
//! gradient outputs, so gradients can be summed; zero them before a step.
//!
//! Each file here has a twin in `shaders/` and in `playground-gpu/src/kernels/`, and the
//! tests compare them.

pub mod adamw;
pub mod attention;
pub mod clip;
pub mod encoder;
pub mod gelu;
pub mod gelu_tanh;
pub mod layernorm;
pub mod matmul;
pub mod residual;
pub mod softmax_xent;

pub use adamw::*;
pub use attention::*;
pub use clip::*;
pub use encoder::*;
pub use gelu::*;
pub use gelu_tanh::*;
pub use layernorm::*;
pub use matmul::*;
pub use residual::*;
pub use softmax_xent::*;
