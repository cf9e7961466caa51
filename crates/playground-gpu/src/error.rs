//! The GPU crate's error type. Messages are written for the person at the browser.

use playground_core::CoreError;
use thiserror::Error;

#[derive(Debug, Error)]
pub enum GpuError {
    #[error("WebGPU is not available (no adapter). Use a browser with WebGPU enabled, e.g. a recent Chrome or Edge; the playground falls back to the CPU.")]
    NoAdapter,

    #[error("the GPU adapter offers {limit} = {available}, but the playground needs {needed}")]
    AdapterLimit { limit: &'static str, needed: u64, available: u64 },

    #[error("failed to acquire a WebGPU device: {0}")]
    RequestDevice(#[from] wgpu::RequestDeviceError),

    #[error("shader {shader} was rejected: {message}")]
    Shader { shader: &'static str, message: String },

    #[error("reading results back from the GPU failed: {0}")]
    Readback(String),

    #[error("the GPU ran out of memory: {0}. Try a smaller model, batch or context.")]
    OutOfMemory(String),

    #[error("the GPU device was lost: {0}")]
    DeviceLost(String),

    #[error(transparent)]
    Core(#[from] CoreError),
}
