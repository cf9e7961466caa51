//! Training, GPU vs CPU reference: the same steps give the same losses, gradient norms,
//! gradients, parameters and optimizer moments; a tiny model overfits one batch; a broken step
//! changes nothing and a snapshot rolls back.

use playground_core::data::batch;
use playground_core::data::classify::classify_batch;
use playground_core::data::mlm::mlm_batch;
use playground_core::train::{CpuTrainer, TrainConfig};
use playground_core::{CpuModel, Family, ModelConfig, Rng};
use playground_gpu::{DeviceFacts, GpuContext, GpuTrainer, Kernel};
use playground_tests::*;

fn train_config(batch_size: usize) -> TrainConfig {
    TrainConfig { batch_size, learning_rate: 1e-2, min_lr: 1e-3, warmup_steps: 2, max_steps: 20, grad_clip: 1.0, ..TrainConfig::default() }
}

/// A seeded stream of tokens to cut batches from.
fn data(v: usize) -> Vec<u32> {
    rand_tokens(500, v, 77)
}

#[test]
fn gpu_training_steps_match_cpu() {
    let Some(gpu) = gpu_or_skip() else { return };
    for cfg in [
        ModelConfig { vocab_size: 13, block_size: 8, n_layer: 2, n_head: 3, n_embd: 15, ..ModelConfig::default() },
        ModelConfig { vocab_size: 65, block_size: 16, n_layer: 1, n_head: 1, n_embd: 32, ..ModelConfig::default() },
        // BERT-style: bidirectional attention, masked-LM batches (the last id is [MASK])
        ModelConfig { vocab_size: 13, block_size: 9, n_layer: 2, n_head: 3, n_embd: 15, family: Family::Encoder, ..ModelConfig::default() },
        // the [CLS] classifier on "balanced brackets?" (its 8-character vocabulary, 2 classes)
        ModelConfig {
            vocab_size: 8,
            block_size: 11,
            n_layer: 1,
            n_head: 2,
            n_embd: 14,
            family: Family::Encoder,
            n_classes: 2,
            ..ModelConfig::default()
        },
    ] {
        let b = 3;
        let train = train_config(b);
        let model = CpuModel::new(cfg, 5).unwrap();
        let mut gpu_trainer = pollster::block_on(GpuTrainer::new(gpu.clone(), cfg, &model.params, train)).unwrap();
        let mut cpu_trainer = CpuTrainer::new(model, train).unwrap();
        let stream = data(cfg.vocab_size - 1);
        let mut rng = Rng::new(1);
        let next_batch = |b: usize, rng: &mut Rng| match (cfg.family, cfg.n_classes) {
            (Family::Encoder, 0) => mlm_batch(&stream, b, cfg.block_size, cfg.vocab_size as u32 - 1, rng),
            (Family::Encoder, _) => classify_batch(b, cfg.block_size, rng),
            _ => batch(&stream, b, cfg.block_size, rng),
        };
        let tag = format!("{:?} K{} V{} C{} NH{} L{}", cfg.family, cfg.n_classes, cfg.vocab_size, cfg.n_embd, cfg.n_head, cfg.n_layer);
        for step in 0..4 {
            let (x, y) = next_batch(b, &mut rng);
            let want = cpu_trainer.step(&[&x], &y, b, cfg.block_size).unwrap();
            gpu_trainer.submit_step(&[&x], &y).unwrap();
            let got = pollster::block_on(gpu_trainer.read_stats()).unwrap();
            assert_eq!(got.len(), 1);
            assert_eq!((got[0].step, got[0].lr), (want.step, want.lr));
            assert_close(&format!("{tag} loss step {step}"), &[got[0].loss], &[want.loss], 1e-5, 1e-5);
            assert_close(&format!("{tag} grad norm step {step}"), &[got[0].grad_norm], &[want.grad_norm], 1e-6, 1e-4);
            let grads = pollster::block_on(gpu_trainer.read_grads()).unwrap();
            // gradients pass back through every layer: matmul sums in other orders on the GPU
            assert_close(&format!("{tag} grads step {step}"), &grads, &cpu_trainer.grads, 2e-6, 1e-3);
            let params = pollster::block_on(gpu_trainer.model.read_params()).unwrap();
            // AdamW divides each gradient by its own RMS, so a weight whose gradient is zero up
            // to rounding moves by a sizeable, sign-sensitive fraction of lr: allow 1% of lr
            assert_close(&format!("{tag} params after step {step}"), &params, &cpu_trainer.model.params, 1e-2 * train.learning_rate, 1e-4);
        }
        let opt = pollster::block_on(gpu_trainer.read_optimizer()).unwrap();
        assert_eq!(opt.step, cpu_trainer.opt.step);
        assert_close(&format!("{tag} adam m"), &opt.m, &cpu_trainer.opt.m, 1e-6, 1e-3);
        assert_close(&format!("{tag} adam v"), &opt.v, &cpu_trainer.opt.v, 1e-8, 1e-3);
        let (x, y) = next_batch(2, &mut rng);
        let want = cpu_trainer.eval(&[&x], &y, 2, cfg.block_size).unwrap();
        let got = pollster::block_on(gpu_trainer.model.loss(&[&x], &y, 2, cfg.block_size)).unwrap();
        assert_close(&format!("{tag} eval loss"), &[got], &[want], 1e-5, 1e-4);
    }
}

/// The step as a real GPU records it (128×128 tiles, weight gradients split over M, norm
/// gradients summed in chunks of rows, attention with the head in registers), run on lavapipe:
/// the CPU reference's losses, gradients and parameters. 9 × 64 = 576 rows give two slices and
/// three chunks; the head's 13 columns take the scalar loads; heads of 36 channels the _regs64
/// forward and dQ and dK/dV over two lanes a key row.
#[test]
fn gpu_training_steps_match_cpu_as_an_h100_records_them() {
    let Some(gpu) = gpu_as_h100_or_skip() else { return };
    let cfg = ModelConfig { vocab_size: 13, block_size: 64, n_layer: 2, n_head: 2, n_embd: 72, ..ModelConfig::default() };
    let b = 9;
    let train = train_config(b);
    let model = CpuModel::new(cfg, 5).unwrap();
    let mut gpu_trainer = pollster::block_on(GpuTrainer::new(gpu.clone(), cfg, &model.params, train)).unwrap();
    let (plan, _) = gpu_trainer.recorded();
    let launched = |name: &str| plan.iter().any(|s| matches!(s, playground_gpu::context::Step::Run(op) if op.kernel.source().name == name));
    assert!(launched("reduce_partials") && launched("matmul_forward") && launched("matmul_backward_weight_scalar"), "the GPU's paths");
    let attention = ["attention_forward_regs64", "attention_backward_query_regs64", "attention_backward_kv_lanes64"];
    assert!(attention.iter().all(|k| launched(k)), "{attention:?}");
    steps_match_cpu(&mut gpu_trainer, CpuTrainer::new(model, train).unwrap(), b);
}

/// Heads of 128 channels, as an H100 records them: the attention kernels with each row over four
/// lanes (attention_*_lanes); a block of 65 rows crosses their 64-row blocks; the FFN
/// projection's forward split over K (its 2 blocks would keep 2 of an H100's 132 units
/// busy). One layer: with two, AdamW's first step moves a weight whose gradient is ~1e-8 by ±lr on the sign of
/// rounding, past the params' tolerance (the per-row kernels, as lavapipe records the step, too).
#[test]
fn gpu_training_steps_with_heads_of_128_match_cpu_as_an_h100_records_them() {
    let Some(gpu) = gpu_as_h100_or_skip() else { return };
    let cfg = ModelConfig { vocab_size: 13, block_size: 65, n_layer: 1, n_head: 1, n_embd: 128, ..ModelConfig::default() };
    let (b, model) = (2, CpuModel::new(cfg, 5).unwrap());
    let mut gpu_trainer = pollster::block_on(GpuTrainer::new(gpu.clone(), cfg, &model.params, train_config(b))).unwrap();
    let (plan, _) = gpu_trainer.recorded();
    let launched = |name: &str| plan.iter().any(|s| matches!(s, playground_gpu::context::Step::Run(op) if op.kernel.source().name == name));
    assert!(["forward_lanes", "backward_query_lanes", "backward_kv_lanes"].iter().all(|k| launched(&format!("attention_{k}"))));
    // the FFN projection's K of 512 in two slices, summed with its bias by the second stage
    assert!(launched("reduce_partials_forward"), "the forward split over K");
    steps_match_cpu(&mut gpu_trainer, CpuTrainer::new(model, train_config(b)).unwrap(), b);
}

/// Every plan a browser's trainer may keep after timing them (`DeviceFacts::TUNING_CANDIDATES`:
/// generic's, the Iris Xe's, the M1's, the M2's, the RTX 3060's and the H100's launches), run on
/// lavapipe: the CPU reference's losses, gradients and parameters. Each on a context of its own
/// with those facts; four of them launch the step differently (`GpuTrainer::launches`: their
/// tiles, splits and chunks). One layer, as in the heads-of-128 test: with two, AdamW's first
/// step moves a weight whose gradient is ~1e-8 by about lr on the sign of rounding, past the
/// params' tolerance, under the M2's launches.
#[test]
fn gpu_training_steps_match_cpu_as_every_tuning_candidate_records_them() {
    if gpu_or_skip().is_none() {
        return;
    }
    let cfg = ModelConfig { vocab_size: 13, block_size: 64, n_layer: 1, n_head: 2, n_embd: 72, ..ModelConfig::default() };
    let b = 9;
    let mut plans = vec![];
    for facts in DeviceFacts::TUNING_CANDIDATES {
        let gpu = std::sync::Arc::new(pollster::block_on(GpuContext::new()).expect("a context").with_device_facts(facts));
        let model = CpuModel::new(cfg, 5).unwrap();
        let mut gpu_trainer = pollster::block_on(GpuTrainer::new(gpu, cfg, &model.params, train_config(b))).unwrap();
        plans.push(gpu_trainer.launches());
        steps_match_cpu(&mut gpu_trainer, CpuTrainer::new(model, train_config(b)).unwrap(), b);
    }
    // generic's, the RTX 3060's and the H100's coincide at this size; the Iris Xe's, the M1's and
    // the M2's differ
    let distinct = (0..plans.len()).filter(|&i| plans[..i].iter().all(|other| *other != plans[i])).count();
    assert_eq!(distinct, 4, "the candidates' plans");
}

/// Two training steps of batch `b`, on the GPU and on the CPU: the same losses, gradients and
/// parameters.
fn steps_match_cpu(gpu_trainer: &mut GpuTrainer, mut cpu_trainer: CpuTrainer, b: usize) {
    let (cfg, train) = (cpu_trainer.model.config, cpu_trainer.config);
    let as_gpu = gpu_trainer.model.gpu().facts().key;
    let mut rng = Rng::new(1);
    for step in 0..2 {
        let (x, y) = batch(&data(cfg.vocab_size), b, cfg.block_size, &mut rng);
        let want = cpu_trainer.step(&[&x], &y, b, cfg.block_size).unwrap();
        gpu_trainer.submit_step(&[&x], &y).unwrap();
        let got = pollster::block_on(gpu_trainer.read_stats()).unwrap();
        assert_close(&format!("as {as_gpu}: loss step {step}"), &[got[0].loss], &[want.loss], 1e-5, 1e-5);
        let grads = pollster::block_on(gpu_trainer.read_grads()).unwrap();
        assert_close(&format!("as {as_gpu}: grads step {step}"), &grads, &cpu_trainer.grads, 2e-6, 1e-3);
        let params = pollster::block_on(gpu_trainer.model.read_params()).unwrap();
        assert_close(
            &format!("as {as_gpu}: params after step {step}"),
            &params,
            &cpu_trainer.model.params,
            1e-2 * train.learning_rate,
            1e-4,
        );
    }
}

/// The step clears only the gradients that several kernels add to: the parameters', and an
/// encoder's output's. The loss stores the logits' gradient, the matmuls their input gradients
/// (the norms', the attention output's, and the FFN's pre-activation gradient, the GELU's
/// backward in the epilogue), the activations and the attention's backward theirs, and a norm
/// the stream's where it writes it first; none needs clearing, nor a GELU pass. The tests above
/// and `gpu_training_steps_match_cpu_for_every_variant` show the gradients are still the CPU's.
#[test]
fn gpu_training_step_clears_only_accumulated_gradients() {
    use playground_core::config::{Ffn, NormPosition};
    use playground_gpu::context::Step;
    let Some(gpu) = gpu_or_skip() else { return };
    let gpt = ModelConfig { vocab_size: 13, block_size: 8, n_layer: 3, n_head: 2, n_embd: 8, ..ModelConfig::default() };
    // every gradient with one writer is stored, and each of the residual stream's by the norm
    // that writes it first; what is cleared is what several writers add to: the parameters'
    // gradients, and the encoder's output's, which each decoder layer's cross-attention adds to
    for (cfg, want) in [
        (gpt, 1),
        (ModelConfig { ffn: Ffn::SwiGlu, ..gpt }, 1),
        (ModelConfig { family: Family::EncoderDecoder, ..gpt }, 2),
        (ModelConfig { norm_position: NormPosition::Post, ..gpt }, 1),
    ] {
        let model = CpuModel::new(cfg, 5).unwrap();
        let trainer = pollster::block_on(GpuTrainer::new(gpu.clone(), cfg, &model.params, train_config(2))).unwrap();
        let (plan, _) = trainer.recorded();
        let clears = plan.iter().filter(|s| matches!(s, Step::Zero(_))).count();
        assert_eq!(clears, want, "{:?} {:?} {:?}", cfg.family, cfg.ffn, cfg.norm_position);
        let gelu = plan.iter().filter(|s| matches!(s, Step::Run(op) if op.kernel == Kernel::GeluBackward)).count();
        assert_eq!(gelu, 0, "GELU's backward runs in the input gradient's epilogue");
    }
}

/// Every architecture variant, each choice alone and all together, grouped-query attention and
/// the Linear layers' biases among them: a few steps on the GPU give the CPU reference's
/// losses, gradients and parameters, and the loss goes down.
#[test]
fn gpu_training_steps_match_cpu_for_every_variant() {
    use playground_core::config::{Ffn, LinearBias, Norm, NormPosition, Positions};
    let Some(gpu) = gpu_or_skip() else { return };
    // odd sizes: V 13, C 12 (HS 4: rotary needs it even), T 7
    let base = ModelConfig { vocab_size: 13, block_size: 7, n_layer: 2, n_head: 3, n_embd: 12, ..ModelConfig::default() };
    for cfg in [
        ModelConfig { norm: Norm::RmsNorm, ..base },
        ModelConfig { norm_position: NormPosition::Post, ..base },
        ModelConfig { positions: Positions::Sinusoidal, ..base },
        ModelConfig { positions: Positions::Rotary, ..base },
        ModelConfig { ffn: Ffn::Relu, ..base },
        ModelConfig { ffn: Ffn::SwiGlu, ..base },
        ModelConfig { tie_head: false, ..base },
        ModelConfig {
            norm: Norm::RmsNorm,
            norm_position: NormPosition::Post,
            positions: Positions::Rotary,
            ffn: Ffn::SwiGlu,
            tie_head: false,
            ..base
        },
        ModelConfig { n_kv_head: Some(1), ..base },
        ModelConfig { linear_bias: LinearBias::None, ..base },
        ModelConfig { linear_bias: LinearBias::QkvOnly, ..base },
        // Llama-style: 6 heads over 2 key/value heads (HS = 2), RMSNorm, rotary, SwiGLU, no
        // biases, untied head; and 6 heads over 3 with T across the tiled kernels' 64-row blocks
        ModelConfig {
            norm: Norm::RmsNorm,
            positions: Positions::Rotary,
            ffn: Ffn::SwiGlu,
            tie_head: false,
            n_head: 6,
            n_kv_head: Some(2),
            linear_bias: LinearBias::None,
            ..base
        },
        ModelConfig { n_head: 6, n_kv_head: Some(3), n_embd: 30, block_size: 70, ..base },
    ] {
        let b = 3;
        let train = TrainConfig { warmup_steps: 0, ..train_config(b) };
        let model = CpuModel::new(cfg, 5).unwrap();
        let mut gpu_trainer = pollster::block_on(GpuTrainer::new(gpu.clone(), cfg, &model.params, train)).unwrap();
        let mut cpu_trainer = CpuTrainer::new(model, train).unwrap();
        let (x, y) = batch(&data(cfg.vocab_size), b, cfg.block_size, &mut Rng::new(1));
        let arch = format!("{:?} {:?} {:?} {:?} tied {}", cfg.norm, cfg.norm_position, cfg.positions, cfg.ffn, cfg.tie_head);
        let tag = format!("{arch} nh{} nkv{} bias {:?} T{}", cfg.n_head, cfg.kv_heads(), cfg.linear_bias, cfg.block_size);
        let mut losses = Vec::new();
        for step in 0..3 {
            let want = cpu_trainer.step(&[&x], &y, b, cfg.block_size).unwrap();
            gpu_trainer.submit_step(&[&x], &y).unwrap();
            let got = pollster::block_on(gpu_trainer.read_stats()).unwrap();
            assert_close(&format!("{tag} loss step {step}"), &[got[0].loss], &[want.loss], 1e-5, 1e-5);
            let grads = pollster::block_on(gpu_trainer.read_grads()).unwrap();
            assert_close(&format!("{tag} grads step {step}"), &grads, &cpu_trainer.grads, 2e-6, 1e-3);
            let params = pollster::block_on(gpu_trainer.model.read_params()).unwrap();
            assert_close(&format!("{tag} params after step {step}"), &params, &cpu_trainer.model.params, 1e-2 * train.learning_rate, 1e-4);
            losses.push(got[0].loss);
        }
        assert!(losses[2] < losses[0], "{tag}: the loss must fall on one repeated batch: {losses:?}");
        // inference through the trace: the block outputs and logits of the GPU model
        let keys = ["embed", "block1.residual", "block0.ffn.act", "logits"];
        let req = playground_core::TraceRequest::keys(&keys).unwrap();
        let row = &x[..cfg.block_size];
        let want = cpu_trainer.model.forward(row, &req).unwrap();
        let got = pollster::block_on(gpu_trainer.model.forward(row, &req)).unwrap();
        for (g, w) in got.trace.iter().zip(&want.trace) {
            assert_eq!((&g.key, &g.shape), (&w.key, &w.shape));
            assert_close(&format!("{tag} trace {}", g.key), &g.data, &w.data, 1e-5, 1e-4);
        }
    }
}

#[test]
fn tiny_model_overfits_one_batch_on_gpu_and_cpu() {
    let Some(gpu) = gpu_or_skip() else { return };
    let cfg = ModelConfig { vocab_size: 20, block_size: 8, n_layer: 2, n_head: 2, n_embd: 16, ..ModelConfig::default() };
    let train = TrainConfig { max_steps: 60, warmup_steps: 0, ..train_config(4) };
    let model = CpuModel::new(cfg, 9).unwrap();
    let (x, y) = batch(&data(cfg.vocab_size), 4, cfg.block_size, &mut Rng::new(2));
    let mut g = pollster::block_on(GpuTrainer::new(gpu, cfg, &model.params, train)).unwrap();
    let mut c = CpuTrainer::new(model, train).unwrap();
    let mut cpu_losses = Vec::new();
    for _ in 0..60 {
        g.submit_step(&[&x], &y).unwrap();
        cpu_losses.push(c.step(&[&x], &y, 4, cfg.block_size).unwrap().loss);
    }
    let gpu_losses: Vec<f32> = pollster::block_on(g.read_stats()).unwrap().iter().map(|s| s.loss).collect();
    assert_eq!(gpu_losses.len(), 60, "one stats entry per step, read once at the end");
    let (first, last) = (gpu_losses[0], gpu_losses[59]);
    println!("overfit one batch: loss {first:.3} -> {last:.3} (GPU), {:.3} -> {:.3} (CPU)", cpu_losses[0], cpu_losses[59]);
    assert!((first - (cfg.vocab_size as f32).ln()).abs() < 0.2, "initial loss {first} should be near ln V");
    assert!(last < 0.1 * first, "the model must memorize one batch: {first} -> {last}");
    // 60 steps of drift between two summation orders stay small
    assert_close("overfit losses GPU vs CPU", &gpu_losses, &cpu_losses, 1e-3, 1e-3);
}

#[test]
fn a_nan_step_changes_nothing_and_a_snapshot_rolls_back() {
    let Some(gpu) = gpu_or_skip() else { return };
    let cfg = ModelConfig { vocab_size: 11, block_size: 4, n_layer: 1, n_head: 1, n_embd: 8, ..ModelConfig::default() };
    let model = CpuModel::new(cfg, 3).unwrap();
    let mut t = pollster::block_on(GpuTrainer::new(gpu, cfg, &model.params, train_config(2))).unwrap();
    let (x, y) = batch(&data(cfg.vocab_size), 2, cfg.block_size, &mut Rng::new(4));
    t.submit_step(&[&x], &y).unwrap();
    let _ = pollster::block_on(t.read_stats()).unwrap();
    t.snapshot();
    let good = pollster::block_on(t.model.read_params()).unwrap();
    // poison one weight of the first block's attention: every loss and gradient turns NaN
    let mut poisoned = good.clone();
    poisoned[t.model.arch.layout.find("transformer.h.0.attn.c_attn.weight").unwrap().span.offset] = f32::NAN;
    t.model.write_params(&poisoned);
    t.submit_step(&[&x], &y).unwrap();
    let stats = pollster::block_on(t.read_stats()).unwrap();
    assert!(stats.len() == 1 && stats[0].step == 1, "{stats:?}");
    assert!(stats[0].loss.is_nan() && stats[0].grad_norm.is_nan(), "{stats:?}");
    let after = pollster::block_on(t.model.read_params()).unwrap();
    assert_eq!(
        after.iter().map(|x| x.to_bits()).collect::<Vec<_>>(),
        poisoned.iter().map(|x| x.to_bits()).collect::<Vec<_>>(),
        "AdamW must refuse the step"
    );
    t.restore(1);
    assert_eq!(t.step_count(), 1);
    assert_eq!(pollster::block_on(t.model.read_params()).unwrap(), good);
}
