//! One launcher per WGSL kernel, with the argument order of its CPU reference
//! (`playground_core::cpu`): outputs, inputs, sizes. Each returns an [`Op`] bound to the
//! given tensors; `GpuContext::encode` replays it.
//!
//! [`Op`]: crate::context::Op

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
pub mod reduce;
pub mod relu;
pub mod rmsnorm;
pub mod rope;
pub mod softmax_xent;
pub mod stats;
pub mod swiglu;

/// How a kernel writes an output: added to what is there (the CPU references' `+=`, for an
/// output with several writers), or stored (an output with one writer, which then needs no
/// clearing before the kernel runs).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Write {
    Add,
    Store,
}

impl Write {
    /// The kernels' `ACCUMULATE` (`Constants::accumulate`).
    pub fn accumulate(self) -> bool {
        self == Write::Add
    }
}

/// A uniform struct of four u32 words, for kernels whose only parameter is a length.
#[repr(C)]
#[derive(Clone, Copy, Debug, bytemuck::Pod, bytemuck::Zeroable)]
pub struct LenParams {
    pub n: u32,
    pub _pad: [u32; 3],
}
const _: () = assert!(std::mem::size_of::<LenParams>().is_multiple_of(16));

impl LenParams {
    pub fn new(n: u32) -> Self {
        LenParams { n, _pad: [0; 3] }
    }
}
