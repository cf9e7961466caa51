//! Launches past the device's per-launch limits, against the CPU reference.
//!
//! * `maxStorageBufferBindingSize` (128 MiB on lavapipe and WebGPU's default): the trainer's
//!   gradient norm and AdamW run over the whole parameter buffer, which a model of tens of
//!   millions of parameters makes larger than one binding (`profile_step --cost h100 6 768 6
//!   256 16 65` failed in grad_norm_partial's bind group: "Buffer binding 1 range 171101184
//!   exceeds `max_*_buffer_binding_size` limit 134217728"). They now launch once per piece.
//! * `maxComputeWorkgroupsPerDimension` (65,535): elementwise kernels over more than 65,535 ×
//!   256 elements put their workgroups on a 2-D grid (`context::grid`) and flatten it back.
//!
//! Sizes at the real limits are a few hundred MB; the same paths at small sizes run through
//! `GpuContext::with_smaller_limits`.

use playground_core::cpu::{self, AdamWParams};
use playground_core::train::{CpuTrainer, TrainConfig};
use playground_core::{CpuModel, DeviceLimits, ModelConfig, Rng};
use playground_gpu::context::{grid, pieces, MAX_GRID_X};
use playground_gpu::kernels::{adamw, clip, gelu};
use playground_gpu::readback::{words_to_f32, Region, Staging};
use playground_gpu::{GpuContext, GpuTrainer};
use playground_tests::*;
use std::sync::Arc;

const HP: AdamWParams = AdamWParams { lr: 1e-2, beta1: 0.9, beta2: 0.95, eps: 1e-8, weight_decay: 0.1, step: 3 };

/// A binding of 16 KiB (4,096 floats, one gradient-norm chunk) and room for a whole model in
/// one buffer: only the per-binding path changes.
const SMALL_BINDING: DeviceLimits =
    DeviceLimits { max_buffer_size: 1 << 30, max_storage_buffer_binding_size: 16 << 10, max_compute_workgroups_per_dimension: 65535 };

/// Two contexts that see SMALL_BINDING: with subgroups where the adapter has them, and without
/// (the two reductions of grad_norm).
fn small_binding_or_skip() -> Option<[Arc<GpuContext>; 2]> {
    gpu_or_skip()?;
    let make =
        |features| Arc::new(pollster::block_on(GpuContext::with_optional_features(features)).unwrap().with_smaller_limits(SMALL_BINDING));
    Some([make(playground_gpu::context::OPTIONAL_FEATURES), make(wgpu::Features::empty())])
}

/// CPU reference and GPU for: norm and clip scale over all of `grads`, then AdamW on `params`,
/// `m`, `v` scaled by it (`max_norm` below the norm, so the scale matters). Compared with the
/// tolerances of gpu_vs_cpu/adamw.rs.
fn clipped_adamw_matches_cpu(gpu: &GpuContext, label: &str, n: usize, seed: u64) {
    let mut params = randn(n, 0.5, seed);
    let grads = randn(n, 0.2, seed + 1);
    let (mut m, mut v) = (vec![0.01f32; n], vec![1e-4f32; n]);
    let (g_params, g_m, g_v, g_grads) = (upload(gpu, &params), upload(gpu, &m), upload(gpu, &v), upload(gpu, &grads));
    let (g_norm, g_scale, g_partials) = (zeros(gpu, 1), zeros(gpu, 1), zeros(gpu, clip::partials_len(n as u32)));
    let norm = cpu::grad_norm(&grads);
    let max_norm = 0.5 * norm;
    let scale = cpu::clip_scale(norm, max_norm);
    cpu::adamw_update(&mut params, &mut m, &mut v, &grads, scale, &HP, n);

    let mut ops = clip::grad_norm(gpu, &g_norm, &g_scale, &g_partials, &g_grads, max_norm, n as u32);
    let partial_launches = ops.len() - 1;
    let adamw_ops = adamw::adamw_update(gpu, &g_params, &g_m, &g_v, &g_grads, &g_scale, &HP, n as u32);
    let adamw_launches = adamw_ops.len();
    ops.extend(adamw_ops);
    let got = run_and_read(gpu, &ops, &[&g_norm, &g_scale, &g_params, &g_m, &g_v]);
    println!("{label}: n = {n}, {partial_launches} grad_norm_partial and {adamw_launches} adamw_update launches");
    let binding = gpu.max_binding_floats();
    assert_eq!(partial_launches, n.div_ceil(binding / clip::CHUNK as usize * clip::CHUNK as usize).max(1), "{label}");
    assert_eq!(adamw_launches, n.div_ceil(binding).max(1), "{label}");
    // f32 tree sums on the GPU vs an f64 sum on the CPU, over tens of millions of squares
    assert_close(&format!("{label} grad norm"), &got[0], &[norm], 0.0, 1e-5);
    assert_close(&format!("{label} clip scale"), &got[1], &[scale], 0.0, 1e-5);
    assert_close(&format!("{label} adamw params"), &got[2], &params, 1e-6, 1e-5);
    assert_close(&format!("{label} adamw m"), &got[3], &m, 1e-7, 2e-5);
    assert_close(&format!("{label} adamw v"), &got[4], &v, 1e-8, 4e-5);
}

#[test]
fn pieces_cover_the_range_on_aligned_starts() {
    assert_eq!(pieces(0, 100, 64), vec![]);
    assert_eq!(pieces(100, 100, 64), vec![(0, 64), (64, 36)]);
    assert_eq!(pieces(128, 128, 64), vec![(0, 128)]);
    assert_eq!(pieces(300, 4096, 4096), vec![(0, 300)]);
    assert_eq!(pieces(10_000, 5_000, 4096), vec![(0, 4096), (4096, 4096), (8192, 1808)]);
    // a limit below the alignment still makes progress, one aligned step at a time
    assert_eq!(pieces(130, 10, 64), vec![(0, 64), (64, 64), (128, 2)]);
}

#[test]
fn grids_stay_within_the_per_dimension_limit() {
    // up to one workgroup per 32 of u32::MAX elements (the smallest workgroups, 32 wide)
    for n in [0u64, 1, 65_535, 65_536, 65_535 * 3 + 1, (u32::MAX as u64).div_ceil(32)] {
        let [x, y, z] = grid(n);
        assert!(x <= MAX_GRID_X && y <= MAX_GRID_X && z == 1, "grid({n}) = {:?}", [x, y, z]);
        assert!(x as u64 * y as u64 >= n.max(1), "grid({n}) holds too few workgroups");
    }
}

/// Odd sizes over several 16 KiB bindings: partial launches of one chunk each, AdamW pieces
/// of 4,096 floats with a short last one, both reductions.
#[test]
fn clipped_adamw_in_binding_pieces_matches_cpu() {
    let Some(gpus) = small_binding_or_skip() else { return };
    for gpu in gpus {
        for n in [7, 4096, 4097, 3 * 4096 + 1000, 100_003] {
            clipped_adamw_matches_cpu(&gpu, &format!("16 KiB bindings (subgroups: {})", gpu.subgroups()), n, n as u64);
        }
    }
}

/// The real limit: on lavapipe (128 MiB bindings) 2^25 + 12,345 floats is two pieces, the
/// first of 131,072 AdamW workgroups (a 65,535 × 3 grid). A device with larger bindings runs
/// it in one piece.
#[test]
fn clipped_adamw_past_the_binding_limit_matches_cpu() {
    let Some(gpu) = gpu_or_skip() else { return };
    let n = gpu.max_binding_floats().min(1 << 25) + 12_345;
    clipped_adamw_matches_cpu(&gpu, "past the binding limit", n, 500);
}

/// 65,535 × 256 + 1,001 elements: more workgroups than one grid dimension holds.
#[test]
fn gelu_forward_past_the_workgroup_limit_matches_cpu() {
    let Some(gpu) = gpu_or_skip() else { return };
    let n = MAX_GRID_X as usize * gelu::WORKGROUP_SIZE[0] as usize + 1001;
    let inp = randn(n, 3.0, 510);
    let mut want = vec![0.0; n];
    cpu::gelu_forward(&mut want, &inp, n);
    let out = zeros(&gpu, n);
    let op = gelu::gelu_forward(&gpu, &out, &upload(&gpu, &inp), n as u32);
    assert_eq!(op.workgroups, [MAX_GRID_X, 2, 1]);
    let got = run_and_read(&gpu, &[op], &[&out]);
    // as gelu_forward_matches_cpu
    assert_close("gelu past 65,535 workgroups", &got[0], &want, 2e-6, 2e-6);
}

/// A model whose parameters (~27k floats) are larger than one 16 KiB binding trains as the CPU
/// does: the gradient norm and AdamW launch per piece, everything else is unchanged.
#[test]
fn training_with_parameters_past_one_binding_matches_cpu() {
    let Some([gpu, _]) = small_binding_or_skip() else { return };
    let cfg = ModelConfig { vocab_size: 37, block_size: 8, n_layer: 2, n_head: 2, n_embd: 32, ..ModelConfig::default() };
    let train = TrainConfig { batch_size: 2, learning_rate: 1e-2, grad_clip: 1.0, ..TrainConfig::default() };
    let model = CpuModel::new(cfg, 5).unwrap();
    let mut gpu_trainer = pollster::block_on(GpuTrainer::new(gpu, cfg, &model.params, train)).unwrap();
    assert!(!gpu_trainer.model.is_split(), "one parameter buffer; only its bindings are cut");
    let (_, tail) = gpu_trainer.recorded();
    let count = |name: &str| tail.iter().filter(|op| op.kernel.source().name.starts_with(name)).count();
    let len = model.arch.layout.padded_len();
    assert!(count("grad_norm_partial") > 1 && count("adamw_update") > 2, "{len} floats in pieces of 4,096");
    let mut cpu_trainer = CpuTrainer::new(model, train).unwrap();
    let mut rng = Rng::new(1);
    let stream = rand_tokens(200, cfg.vocab_size, 77);
    for step in 0..3 {
        let (x, y) = playground_core::data::batch(&stream, 2, cfg.block_size, &mut rng);
        let want = cpu_trainer.step(&[&x], &y, 2, cfg.block_size).unwrap();
        gpu_trainer.submit_step(&[&x], &y).unwrap();
        let got = pollster::block_on(gpu_trainer.read_stats()).unwrap();
        // as training.rs
        assert_close(&format!("pieces: loss step {step}"), &[got[0].loss], &[want.loss], 1e-5, 1e-5);
        assert_close(&format!("pieces: grad norm step {step}"), &[got[0].grad_norm], &[want.grad_norm], 1e-6, 1e-4);
        let params = pollster::block_on(gpu_trainer.model.read_params()).unwrap();
        assert_close(&format!("pieces: params after step {step}"), &params, &cpu_trainer.model.params, 1e-2 * train.learning_rate, 1e-4);
    }
    let opt = pollster::block_on(gpu_trainer.read_optimizer()).unwrap();
    assert_close("pieces: adam m", &opt.m, &cpu_trainer.opt.m, 1e-6, 1e-3);
    assert_close("pieces: adam v", &opt.v, &cpu_trainer.opt.v, 1e-8, 1e-3);
}

/// A norm's parameter gradients as a GPU records them: chunks of 256 rows, longer where the
/// partials would pass the scratch budget (which stays within one binding) or the chunks the
/// grid's 65,535 along z.
#[test]
fn norm_gradient_chunks_stay_within_scratch_and_grid() {
    use playground_gpu::context::SCRATCH_BUDGET;
    use playground_gpu::kernels::layernorm::param_chunk_rows;
    let Some(gpu) = gpu_as_h100_or_skip() else { return };
    assert_eq!(param_chunk_rows(&gpu, 16_384, 2 * 384), 256, "the baby GPT's chunks");
    for (rows, partial_len) in [(1u32 << 20, 2 * 2048), (1 << 20, 2 * 4096), (4_190_208, 2 * 8192), (4_190_208, 8), (1, 8)] {
        let chunk = param_chunk_rows(&gpu, rows, partial_len);
        let chunks = rows.div_ceil(chunk);
        assert!(chunk >= 256 && chunks <= MAX_GRID_X, "{rows} rows: {chunks} chunks of {chunk}");
        assert!(chunks as usize * partial_len as usize <= SCRATCH_BUDGET, "{rows} rows × {partial_len}: {chunks} chunks");
    }
}

/// Reads larger than the staging buffer go through it in turns (a 135M-parameter model's 538 MB
/// of weights asked for one 1 GiB buffer, past `maxBufferSize`): regions at odd offsets and of
/// odd lengths, one empty and one longer than a turn, come back whole with every cap, down to
/// one word a turn.
#[test]
fn readback_past_the_staging_buffer_goes_in_turns() {
    let Some(gpu) = gpu_or_skip() else { return };
    let (a, b, c) = (randn(10_007, 1.0, 1), randn(3, 1.0, 2), randn(2_500, 1.0, 3));
    let (ga, gb, gc) = (upload(&gpu, &a), upload(&gpu, &b), upload(&gpu, &c));
    let regions = [
        Region { buffer: ga.buffer.clone(), offset: ga.offset + 5 * 4, len: 10_000 },
        Region { buffer: gb.buffer.clone(), offset: gb.offset, len: 0 },
        Region::from(&gb),
        Region { buffer: gc.buffer.clone(), offset: gc.offset + 4, len: 2_499 },
    ];
    let want = [&a[5..10_005], &[][..], &b[..], &c[1..]];
    for max_bytes in [4, 4_096, 4 * 10_003, 1 << 20] {
        let encoder = gpu.device.create_command_encoder(&wgpu::CommandEncoderDescriptor { label: Some("test readback") });
        let got = pollster::block_on(Staging::with_max_bytes(max_bytes).read(&gpu, encoder, &regions)).expect("readback");
        for (i, (got, want)) in got.into_iter().zip(want).enumerate() {
            assert_eq!(words_to_f32(got), want.to_vec(), "region {i}, staging of {max_bytes} bytes");
        }
    }
}
