//! The fast engine's sharded training step (a small model's batch cut into one shard of rows
//! per thread, `train::shards`) against the same step unsharded: run in rayon pools of one,
//! two and three threads, so the shards are made whatever cores the machine running the
//! tests has. The first step's loss is the same to the bit (every row's forward is the
//! unsharded one and the losses are summed in batch order) and its gradients agree to f32
//! rounding (a parameter's gradient is summed per shard, then over the shards); the later
//! steps, from weights that differ by that rounding, agree as closely.

use playground_core::model::CpuKernels;
use playground_core::train::{CpuTrainer, StepStats, TrainConfig};
use playground_core::{cpu, Family, ModelConfig};
use playground_tests::*;

/// `steps` training steps in a pool of `threads` threads (so as many shards, at most one per
/// row): each step's statistics and the first step's gradients.
fn train_in_pool(cfg: ModelConfig, b: usize, threads: usize, steps: u64) -> (Vec<StepStats>, Vec<f32>) {
    let pool = rayon::ThreadPoolBuilder::new().num_threads(threads).build().expect("a thread pool");
    pool.install(|| {
        let train = TrainConfig { batch_size: b, learning_rate: 1e-2, warmup_steps: 1, max_steps: 10, ..TrainConfig::default() };
        let mut tr = CpuTrainer::new(spread_model(cfg, 5).with_kernels(CpuKernels::Fast), train).unwrap();
        let t = cfg.block_size;
        let stacks = if cfg.family == Family::EncoderDecoder { 2 } else { 1 };
        let mut first_grads = vec![];
        let stats = (0..steps)
            .map(|step| {
                let inputs: Vec<Vec<u32>> = (0..stacks).map(|s| rand_tokens(b * t, cfg.vocab_size, 40 + step + s)).collect();
                let mut targets = rand_tokens(b * t, cfg.target_range(), 50 + step);
                // the first row counts in no position: its shard's losses add nothing, and the
                // mean is still over the whole batch's counted positions
                targets[..t].fill(cpu::IGNORE);
                let inputs: Vec<&[u32]> = inputs.iter().map(Vec::as_slice).collect();
                let stats = tr.step(&inputs, &targets, b, t).unwrap();
                if step == 0 {
                    first_grads = tr.grads.clone();
                }
                stats
            })
            .collect();
        (stats, first_grads)
    })
}

#[test]
fn sharded_training_steps_match_the_unsharded_step() {
    let base = ModelConfig { vocab_size: 29, block_size: 37, n_layer: 2, n_head: 3, n_embd: 18, ..ModelConfig::default() };
    let configs = [("gpt", base), ("encoder-decoder", ModelConfig { family: Family::EncoderDecoder, ..base })];
    for (name, cfg) in configs {
        let b = 5;
        let (want_stats, want_grads) = train_in_pool(cfg, b, 1, 3);
        // 2 shards of 3 and 2 rows; 3 shards of 2, 2 and 1
        for threads in [2, 3] {
            let (stats, grads) = train_in_pool(cfg, b, threads, 3);
            let label = format!("{name}, {threads} shards");
            assert_eq!(stats[0].loss.to_bits(), want_stats[0].loss.to_bits(), "{label}: loss of the first step");
            assert_close(&format!("{label}: gradients of the first step"), &grads, &want_grads, 1e-7, 1e-4);
            for (got, want) in stats.iter().zip(&want_stats) {
                assert_close(&format!("{label}: loss, step {}", want.step), &[got.loss], &[want.loss], 1e-6, 1e-6);
                assert_close(&format!("{label}: grad norm, step {}", want.step), &[got.grad_norm], &[want.grad_norm], 1e-6, 1e-5);
            }
        }
    }
}
