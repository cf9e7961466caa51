//! WGSL kernels and the GPU model of Transformer Playground, on wgpu: WebGPU in the
//! browser, Vulkan natively (Mesa lavapipe in tests, real GPUs in benchmarks).
//!
//! Every kernel in `shaders/` has a launcher in [`kernels`] with the argument order of its
//! CPU reference in `playground_core::cpu`; `GpuModel` records the architecture description
//! the CPU executor runs, and `Session` drives a model of any family for the page.

pub mod arch_ops;
pub mod context;
pub mod counters;
pub mod device;
pub mod engine;
pub mod error;
pub mod inspect;
pub mod kernels;
pub mod launch_tuning;
pub mod model;
pub mod readback;
pub mod session;
pub mod shaders;
mod split;
pub mod tensor;
pub mod train;
pub mod wgsl_minify;

pub use context::{GpuContext, SharedGpu};
pub use counters::BufferStats;
pub use device::DeviceFacts;
pub use engine::{Batch, Engine};
pub use error::GpuError;
pub use model::GpuModel;
pub use session::Session;
pub use shaders::{Kernel, ShaderSource};
pub use tensor::GpuTensor;
pub use train::GpuTrainer;
