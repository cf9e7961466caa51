//! The encoder's [CLS] classifier on the GPU: the op list of
//! `playground_core::model::classifier` (a matmul and a masked cross-entropy, forward and
//! backward), run by the existing kernels.

use crate::context::{GpuContext, Op};
use crate::kernels::{matmul, softmax_xent};
use crate::tensor::GpuTensor;

/// The classifier's parameter views and activations.
pub(crate) struct ClassifierBuffers {
    pub(crate) w: GpuTensor,      // (K, C)
    pub(crate) bias: GpuTensor,   // (K)
    pub(crate) logits: GpuTensor, // (B, T, K)
    pub(crate) probs: GpuTensor,  // (B, T, K)
    pub(crate) k: u32,
}

impl ClassifierBuffers {
    pub(crate) fn new(gpu: &GpuContext, w: GpuTensor, bias: GpuTensor, bt: usize, k: usize) -> Self {
        ClassifierBuffers {
            w,
            bias,
            logits: GpuTensor::zeros(gpu, "cls logits", bt * k),
            probs: GpuTensor::zeros(gpu, "cls probs", bt * k),
            k: k as u32,
        }
    }

    /// cls_logits = lnf·Wᵀ + b; probabilities, and the per-position losses when targets are given.
    pub(crate) fn forward(
        &self,
        gpu: &GpuContext,
        losses: &GpuTensor,          // (B, T)
        lnf: &GpuTensor,             // (B, T, C)
        targets: Option<&GpuTensor>, // (B, T) u32
        bt: u32,
        c: u32,
    ) -> Vec<Op> {
        vec![
            matmul::matmul_forward(gpu, &self.logits, lnf, &self.w, Some(&self.bias), bt, c, self.k),
            softmax_xent::softmax_xent_forward(gpu, &self.probs, losses, &self.logits, targets, bt, self.k),
        ]
    }

    /// Gradients of the mean classifier loss into `dlnf` and the classifier's weights
    /// (accumulated); `dlogits` (B, T, K) is scratch, zeroed by the caller.
    #[allow(clippy::too_many_arguments)]
    pub(crate) fn backward(
        &self,
        gpu: &GpuContext,
        dlnf: &GpuTensor,    // (B, T, C)
        dw: &GpuTensor,      // (K, C)
        dbias: &GpuTensor,   // (K)
        dlogits: &GpuTensor, // (B, T, K)
        dlosses: &GpuTensor, // (B, T)
        lnf: &GpuTensor,     // (B, T, C)
        targets: &GpuTensor, // (B, T) u32
        bt: u32,
        c: u32,
    ) -> Vec<Op> {
        let mut ops = vec![softmax_xent::softmax_xent_backward(gpu, dlogits, dlosses, &self.probs, targets, bt, self.k)];
        ops.extend(matmul::matmul_backward(gpu, dlnf, dw, Some(dbias), dlogits, lnf, &self.w, bt, c, self.k));
        ops
    }
}
