//! Coarse-grained parallelism for the fast engine's training step on small models: the batch
//! is cut into one shard of rows per thread, each shard runs the whole forward and backward
//! on its own thread with its own activations and gradients (its ops split no further), and
//! the shards' gradients are summed afterwards in shard order.
//!
//! A small model's step is a hundred-odd ops of a few hundred microseconds each; split op by
//! op, every op pays a hand-off to the pool and a wait for its slowest task, which on two
//! threads ate most of the second thread's gain. Here the step pays one hand-off.
//!
//! The results depend only on the number of shards, never on timing: each row's forward is
//! the unsharded one (every op works row by row or head by head), the loss sums the rows'
//! losses in batch order as `cpu::mean_loss` does, and a parameter's gradient is its sum over
//! each shard's rows, then over the shards in order (the unsharded step sums over all rows at
//! once, so the two differ by f32 rounding only).

use crate::cpu;
use crate::error::CoreError;
use crate::fast::par::{self, prelude::*};
use crate::model::{check_inputs, check_targets, Activations, CpuKernels, CpuModel};
use std::ops::Range;

/// Floats that the shards' gradient buffers may hold in all (64 MB): each shard keeps one as
/// large as the model, so a model of 4M parameters gets at most 4 shards and one past 8M none
/// (its ops are large enough to split well one by one), however many threads there are.
const GRAD_FLOATS: usize = 1 << 24;

/// Shards for a step of `b` rows: one per thread for a small model on the fast engine, at
/// most one per row and `GRAD_FLOATS` of gradients; 1 (no sharding) otherwise.
pub fn count(model: &CpuModel, b: usize) -> usize {
    if model.kernels != CpuKernels::Fast {
        return 1;
    }
    par::threads().min(b).min(GRAD_FLOATS / model.params.len().max(1)).max(1)
}

/// One shard: its rows of the batch, their activations and their gradients.
struct Shard {
    rows: Range<usize>,
    acts: Activations,
    grads: Vec<f32>,
}

/// The shards of a (B, T) batch, kept between steps so that a step allocates none of them.
pub struct Shards {
    b: usize,
    t: usize,
    parts: Vec<Shard>,
}

impl Shards {
    /// `n` shards of B rows as even as they go (the first ones one row longer).
    pub fn new(model: &CpuModel, b: usize, t: usize, n: usize) -> Self {
        let mut row = 0;
        let parts = (0..n)
            .map(|i| {
                let rows = row..row + b / n + usize::from(i < b % n);
                row = rows.end;
                let acts = Activations::new(&model.arch, rows.len(), t);
                Shard { rows, acts, grads: vec![0.0; model.params.len()] }
            })
            .collect();
        Shards { b, t, parts }
    }

    /// Whether these shards cut a (b, t) batch into n.
    pub fn fit(&self, b: usize, t: usize, n: usize) -> bool {
        (self.b, self.t, self.parts.len()) == (b, t, n)
    }

    /// Forward and backward of `model` on the batch, shard by shard side by side: returns the
    /// mean loss and writes the batch's gradients into `grads` (overwritten).
    pub fn forward_backward(&mut self, model: &CpuModel, grads: &mut [f32], inputs: &[&[u32]], targets: &[u32]) -> Result<f32, CoreError> {
        let (b, t) = (self.b, self.t);
        check_inputs(&model.arch, inputs, b, t)?;
        check_targets(&model.config, targets, b, t)?;
        // the mean is over the whole batch's counted positions, whichever shard holds them
        let counted = cpu::counted(targets);
        self.parts.par_iter_mut().for_each(|sh| {
            par::on_this_thread(|| {
                let at = sh.rows.start * t..sh.rows.end * t;
                let inputs: Vec<&[u32]> = inputs.iter().map(|s| &s[at.clone()]).collect();
                let targets = &targets[at];
                let exec = model.executor();
                for (s, tokens) in inputs.iter().enumerate() {
                    exec.stack_forward(&mut sh.acts, s, tokens, None);
                }
                exec.head_forward(&mut sh.acts, Some(targets));
                exec.backward(&mut sh.grads, &sh.acts, &inputs, targets, counted, &mut |_, _, _, _| {});
            })
        });
        self.sum_grads(grads);
        // cpu::mean_loss over the whole batch: the same sum, in the same order
        Ok(self.parts.iter().flat_map(|sh| &sh.acts.losses).sum::<f32>() / counted as f32)
    }

    /// grads = the shards' gradients summed in shard order, over chunks of parameters on the pool.
    fn sum_grads(&self, grads: &mut [f32]) {
        let chunk = par::rows_per_task(grads.len(), self.parts.len());
        grads.par_chunks_mut(chunk).enumerate().for_each(|(i, g)| {
            let at = i * chunk..i * chunk + g.len();
            g.copy_from_slice(&self.parts[0].grads[at.clone()]);
            for sh in &self.parts[1..] {
                g.iter_mut().zip(&sh.grads[at.clone()]).for_each(|(g, &x)| *g += x);
            }
        });
    }
}
