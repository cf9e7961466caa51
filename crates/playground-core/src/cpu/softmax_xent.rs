//! Softmax and cross-entropy over the vocabulary, CPU reference for
//! `shaders/softmax_xent_*.wgsl`.
//!
//! probs (rows, V) = softmax(logits); losses (rows) = −log probs[target].
//! The backward is fused (llm.c): dlogits = (probs − onehot(target))·dloss.
//! A row whose target is [`IGNORE`] is not counted: its loss is 0 and it gets no gradient
//! (masked-LM training predicts only the masked positions; PyTorch's `ignore_index`).

/// The target id of a row that is not part of the loss.
pub const IGNORE: u32 = u32::MAX;

/// Rows whose target counts towards the loss.
pub fn counted(targets: &[u32], // (rows)
) -> usize {
    targets.iter().filter(|&&t| t != IGNORE).count()
}

/// Softmax of every row; the row max is subtracted for stability.
pub fn softmax_forward(
    probs: &mut [f32], // (rows, V)
    logits: &[f32],    // (rows, V)
    rows: usize,
    v: usize,
) {
    for r in 0..rows {
        let x = &logits[r * v..(r + 1) * v];
        let p = &mut probs[r * v..(r + 1) * v];
        let maxv = x.iter().copied().fold(f32::NEG_INFINITY, f32::max);
        let mut sum = 0.0;
        for i in 0..v {
            p[i] = (x[i] - maxv).exp();
            sum += p[i];
        }
        for pi in p.iter_mut() {
            *pi /= sum;
        }
    }
}

pub fn softmax_xent_forward(
    probs: &mut [f32],  // (rows, V)
    losses: &mut [f32], // (rows)
    logits: &[f32],     // (rows, V)
    targets: &[u32],    // (rows)
    rows: usize,
    v: usize,
) {
    softmax_forward(probs, logits, rows, v);
    for r in 0..rows {
        // −log p computed from the logits (log-sum-exp) rather than from the rounded p
        if targets[r] == IGNORE {
            losses[r] = 0.0;
            continue;
        }
        let x = &logits[r * v..(r + 1) * v];
        let maxv = x.iter().copied().fold(f32::NEG_INFINITY, f32::max);
        let lse = maxv + x.iter().map(|&xi| (xi - maxv).exp()).sum::<f32>().ln();
        losses[r] = lse - x[targets[r] as usize];
    }
}

/// The mean of the per-position losses over the `count` counted rows (ignored rows hold 0):
/// the training loss (reference for `step_stats.wgsl`).
pub fn mean_loss(
    losses: &[f32], // (rows)
    count: usize,
) -> f32 {
    losses.iter().sum::<f32>() / count as f32
}

/// dlogits = (probs − onehot(target))·dlosses, and 0 in the rows whose target is IGNORE;
/// stored: each element has one writer.
pub fn softmax_xent_backward(
    dlogits: &mut [f32], // (rows, V)
    dlosses: &[f32],     // (rows)
    probs: &[f32],       // (rows, V)
    targets: &[u32],     // (rows)
    rows: usize,
    v: usize,
) {
    for r in 0..rows {
        let row = &mut dlogits[r * v..(r + 1) * v];
        if targets[r] == IGNORE {
            row.fill(0.0);
            continue;
        }
        let d = dlosses[r];
        let tgt = targets[r] as usize;
        for i in 0..v {
            let indicator = if i == tgt { 1.0 } else { 0.0 };
            row[i] = (probs[r * v + i] - indicator) * d;
        }
    }
}
