//! Times every kernel of one training step on the native GPU (wall clock over repeated
//! launches), to find the ops that dominate a step.
//!   cargo run --release -p playground-tools --bin profile_step -- [L C NH T B V]

use playground_core::train::TrainConfig;
use playground_core::{CpuModel, ModelConfig};
use playground_gpu::{GpuContext, GpuTrainer, SharedGpu};
use std::collections::BTreeMap;
use std::time::Instant;

fn main() {
    let args: Vec<usize> = std::env::args().skip(1).map(|a| a.parse().expect("sizes are numbers")).collect();
    let [l, c, nh, t, b, v] = args.try_into().unwrap_or([2, 32, 2, 16, 16, 10]);
    let config = ModelConfig { vocab_size: v, block_size: t, n_layer: l, n_head: nh, n_embd: c, ..ModelConfig::default() };
    let gpu = SharedGpu::new(pollster::block_on(GpuContext::new()).expect("a GPU adapter"));
    println!("adapter: {}; L{l} C{c} NH{nh} T{t} B{b} V{v}", gpu.adapter_name());
    let params = CpuModel::new(config, 1).expect("valid config").params;
    let trainer =
        pollster::block_on(GpuTrainer::new(gpu.clone(), config, &params, TrainConfig { batch_size: b, ..TrainConfig::default() }))
            .expect("trainer");
    const REPS: u32 = 20;
    // warm-up: the first launch of a pipeline can include driver work (lavapipe compiles
    // shader variants lazily), which is not part of a step
    let mut encoder = gpu.device.create_command_encoder(&Default::default());
    gpu.encode(&mut encoder, trainer.step_ops());
    gpu.queue.submit([encoder.finish()]);
    gpu.device.poll(wgpu::PollType::wait_indefinitely()).expect("poll");
    let mut per_kernel: BTreeMap<&'static str, (f64, u32)> = BTreeMap::new();
    let mut total = 0.0;
    for op in trainer.step_ops() {
        let mut encoder = gpu.device.create_command_encoder(&Default::default());
        gpu.encode(&mut encoder, std::iter::repeat_n(op, REPS as usize));
        let start = Instant::now();
        gpu.queue.submit([encoder.finish()]);
        gpu.device.poll(wgpu::PollType::wait_indefinitely()).expect("poll");
        let ms = start.elapsed().as_secs_f64() * 1e3 / REPS as f64;
        let e = per_kernel.entry(op.kernel.source().name).or_default();
        e.0 += ms;
        e.1 += 1;
        total += ms;
    }
    let mut rows: Vec<_> = per_kernel.into_iter().collect();
    rows.sort_by(|a, b| b.1 .0.total_cmp(&a.1 .0));
    println!("{:<28} {:>9} {:>6} {:>7}", "kernel", "ms/step", "calls", "share");
    for (name, (ms, calls)) in rows {
        println!("{name:<28} {ms:>9.3} {calls:>6} {:>6.1}%", 100.0 * ms / total);
    }
    println!("{:<28} {total:>9.3}", "total");
}
