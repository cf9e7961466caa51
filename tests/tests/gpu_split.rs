//! Models split over several parameter buffers and with wte bound in vocabulary chunks (what
//! GPT-2 small needs at WebGPU's default limits), forced on any adapter by lowering the limits
//! the model sees: the forward pass and its trace match the CPU reference exactly as the
//! one-buffer path does, and training is refused with the limit named.

use playground_core::train::TrainConfig;
use playground_core::{CoreError, CpuModel, DeviceLimits, ModelConfig, TraceRequest};
use playground_gpu::{GpuContext, GpuError, GpuModel, GpuTrainer};
use playground_tests::*;
use std::sync::Arc;

/// wte is 300×32 floats = 38,400 bytes: three chunks of at most 128 rows under a 16 KiB
/// binding; 140 KB of parameters make three buffers of at most 64 KiB.
const SMALL: DeviceLimits =
    DeviceLimits { max_buffer_size: 64 << 10, max_storage_buffer_binding_size: 16 << 10, max_compute_workgroups_per_dimension: 65535 };

#[test]
fn split_model_matches_cpu_and_refuses_training() {
    let Some(_) = gpu_or_skip() else { return };
    let small = Arc::new(pollster::block_on(GpuContext::new()).unwrap().with_smaller_limits(SMALL));
    let cfg = ModelConfig { vocab_size: 300, block_size: 8, n_layer: 2, n_head: 2, n_embd: 32, ..ModelConfig::default() };
    let cpu = CpuModel::new(cfg, 3).unwrap();
    let mut model = pollster::block_on(GpuModel::new(small.clone(), cfg, &cpu.params, 1)).unwrap();
    assert!(model.is_split());
    // ids in every chunk, the chunk edges included
    let tokens = [0, 127, 128, 255, 256, 299, 5, 200];
    let keys = ["embed.tok", "embed", "block1.head1.att", "lnf", "logits", "probs"];
    let request = TraceRequest::keys(&keys).unwrap();
    let want = cpu.forward(&tokens, &request).unwrap();
    let got = pollster::block_on(model.forward(&tokens, &request)).unwrap();
    for (g, w) in got.trace.iter().zip(&want.trace) {
        let (atol, rtol) = if g.key == "embed.tok" { (0.0, 0.0) } else { (2e-5, 1e-4) };
        assert_close(&format!("split {}", g.key), &g.data, &w.data, atol, rtol);
    }
    // the parameters come back whole from their three buffers
    assert_eq!(pollster::block_on(model.read_params()).unwrap(), cpu.params);

    let err = pollster::block_on(GpuTrainer::new(small, cfg, &cpu.params, TrainConfig { batch_size: 1, ..TrainConfig::default() }))
        .err()
        .expect("a split model cannot train");
    assert!(matches!(err, GpuError::Core(CoreError::DeviceLimit { limit: "maxBufferSize", .. })), "{err}");
}

#[test]
fn a_model_that_fits_is_not_split() {
    let Some(gpu) = gpu_or_skip() else { return };
    let cfg = ModelConfig { vocab_size: 300, block_size: 8, n_layer: 2, n_head: 2, n_embd: 32, ..ModelConfig::default() };
    let cpu = CpuModel::new(cfg, 3).unwrap();
    let model = pollster::block_on(GpuModel::new(gpu, cfg, &cpu.params, 1)).unwrap();
    assert!(!model.is_split());
}

#[test]
fn activations_too_large_for_a_binding_are_refused_by_name() {
    let Some(_) = gpu_or_skip() else { return };
    let small = Arc::new(pollster::block_on(GpuContext::new()).unwrap().with_smaller_limits(SMALL));
    // activations cannot be split: FFN (1×64×128 floats = 32,768 bytes) is refused before allocating
    let cfg = ModelConfig { vocab_size: 300, block_size: 64, n_layer: 1, n_head: 2, n_embd: 32, ..ModelConfig::default() };
    let cpu = CpuModel::new(cfg, 3).unwrap();
    let err = pollster::block_on(GpuModel::new(small, cfg, &cpu.params, 1)).err().expect("refused");
    assert!(err.to_string().contains("FFN activations (B×T×hidden) needs 32768"), "{err}");
}
