//! The encoder's [CLS] classifier (BERT's sequence classification, without the pooler): a
//! linear head on the final hidden state, trained by cross-entropy at the [CLS] position only.
//!
//! ```text
//! cls_logits = lnf · clsᵀ + cls_b          (B, T, K)  every position, K = n_classes
//! losses     = cross-entropy(cls_logits, targets)      targets: the label at position 0, IGNORE elsewhere
//! ```
//! Every position gets class logits (K is small, and it keeps the op list that of plain
//! matmuls); the targets make only the [CLS] position count, so the loss is the mean over rows.
//! The classifier's loss replaces the masked-LM loss: the LM head still gives `logits` and
//! `probs` for the views, but no gradient.

use crate::cpu;

/// The classifier's activations.
#[derive(Clone, Debug)]
pub struct ClassifierActs {
    pub logits: Vec<f32>, // (B, T, K)
    pub probs: Vec<f32>,  // (B, T, K)
}

impl ClassifierActs {
    pub fn new(bt: usize, k: usize) -> Self {
        ClassifierActs { logits: vec![0.0; bt * k], probs: vec![0.0; bt * k] }
    }
}

/// Class logits and probabilities for every position, and the per-position losses into
/// `losses` (B, T) when targets are given; returns the mean loss over the counted positions.
#[allow(clippy::too_many_arguments)]
pub fn classifier_forward(
    acts: &mut ClassifierActs,
    losses: &mut [f32],      // (B, T)
    lnf: &[f32],             // (B, T, C)
    w: &[f32],               // (K, C)
    bias: &[f32],            // (K)
    targets: Option<&[u32]>, // (B, T)
    bt: usize,
    c: usize,
    k: usize,
) -> Option<f32> {
    cpu::matmul_forward(&mut acts.logits, lnf, w, Some(bias), bt, c, k);
    match targets {
        Some(tg) => {
            cpu::softmax_xent_forward(&mut acts.probs, losses, &acts.logits, tg, bt, k);
            Some(cpu::mean_loss(losses, cpu::counted(tg)))
        }
        None => {
            cpu::softmax_forward(&mut acts.probs, &acts.logits, bt, k);
            None
        }
    }
}

/// Gradient of the mean classifier loss: into `dlnf` (B, T, C) and the classifier's weight and
/// bias gradients (all accumulated).
#[allow(clippy::too_many_arguments)]
pub fn classifier_backward(
    dlnf: &mut [f32],  // (B, T, C)
    dw: &mut [f32],    // (K, C)
    dbias: &mut [f32], // (K)
    acts: &ClassifierActs,
    lnf: &[f32],     // (B, T, C)
    w: &[f32],       // (K, C)
    targets: &[u32], // (B, T)
    bt: usize,
    c: usize,
    k: usize,
) {
    let dlosses = vec![1.0 / cpu::counted(targets) as f32; bt];
    let mut dlogits = vec![0.0; bt * k];
    cpu::softmax_xent_backward(&mut dlogits, &dlosses, &acts.probs, targets, bt, k);
    cpu::matmul_backward(dlnf, dw, Some(dbias), &dlogits, lnf, w, bt, c, k);
}
