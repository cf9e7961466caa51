//! The whole model on the fast ops against the reference ops, the same executor running both:
//! the forward (loss and logits), the backward (every gradient), training steps (losses,
//! gradient norms, parameters and AdamW moments), and decoding with a KV cache, for every
//! family and every variant of the blocks, at odd sizes with T across the attention's
//! 32-row blocks.

use playground_core::architecture::{Ffn, LinearBias, Norm, NormPosition, Positions};
use playground_core::model::{Activations, CpuKernels, KvCache};
use playground_core::train::{CpuTrainer, TrainConfig};
use playground_core::{cpu, CpuModel, Family, ModelConfig};
use playground_tests::*;

/// Every family, and each norm, norm position, position scheme, FFN, bias choice and
/// grouped-query attention among the decoders.
fn variants() -> Vec<(&'static str, ModelConfig)> {
    let base = ModelConfig { vocab_size: 29, block_size: 37, n_layer: 2, n_head: 3, n_embd: 18, ..ModelConfig::default() };
    vec![
        ("gpt", base),
        ("gpt2: tanh GELU", ModelConfig { ffn: Ffn::GeluTanh, n_embd: 20, n_head: 5, ..base }),
        (
            "post-norm rmsnorm sinusoidal relu untied",
            ModelConfig {
                norm: Norm::RmsNorm,
                norm_position: NormPosition::Post,
                positions: Positions::Sinusoidal,
                ffn: Ffn::Relu,
                tie_head: false,
                ..base
            },
        ),
        (
            "llama: 6 heads over 2 key/value heads, rotary rmsnorm swiglu, no biases",
            ModelConfig {
                norm: Norm::RmsNorm,
                positions: Positions::Rotary,
                ffn: Ffn::SwiGlu,
                tie_head: false,
                n_head: 6,
                n_kv_head: Some(2),
                n_embd: 24,
                linear_bias: LinearBias::None,
                ..base
            },
        ),
        ("qkv biases, 6 heads over 3", ModelConfig { n_head: 6, n_kv_head: Some(3), linear_bias: LinearBias::QkvOnly, ..base }),
        ("encoder (masked LM)", ModelConfig { family: Family::Encoder, ..base }),
        ("encoder with a [CLS] classifier", ModelConfig { family: Family::Encoder, n_classes: 3, ..base }),
        ("encoder-decoder", ModelConfig { family: Family::EncoderDecoder, ..base }),
        ("encoder-decoder, 6 heads over 2", ModelConfig { family: Family::EncoderDecoder, n_head: 6, n_kv_head: Some(2), ..base }),
    ]
}

/// The same weights on either ops.
fn model(cfg: ModelConfig, kernels: CpuKernels) -> CpuModel {
    spread_model(cfg, 11).with_kernels(kernels)
}

/// One (B, T) token stream per stack, and targets with some positions left out of the loss.
fn batch(cfg: &ModelConfig, b: usize, seed: u64) -> (Vec<Vec<u32>>, Vec<u32>) {
    let n = b * cfg.block_size;
    let stacks = if cfg.family == Family::EncoderDecoder { 2 } else { 1 };
    let inputs = (0..stacks).map(|s| rand_tokens(n, cfg.vocab_size, seed + s as u64)).collect();
    let mut targets = rand_tokens(n, cfg.target_range(), seed + 7);
    targets.iter_mut().step_by(5).for_each(|y| *y = cpu::IGNORE);
    (inputs, targets)
}

fn refs(inputs: &[Vec<u32>]) -> Vec<&[u32]> {
    inputs.iter().map(Vec::as_slice).collect()
}

#[test]
fn fast_forward_and_backward_match_the_reference_on_every_family() {
    let b = 2;
    for (name, cfg) in variants() {
        let (inputs, targets) = batch(&cfg, b, 3);
        let inputs = refs(&inputs);
        let run = |kernels| {
            let m = model(cfg, kernels);
            let mut acts = Activations::new(&m.arch, b, cfg.block_size);
            let loss = m.forward_train(&mut acts, &inputs, &targets).unwrap();
            let mut grads = vec![f32::NAN; m.params.len()];
            m.backward(&mut grads, &acts, &inputs, &targets);
            (loss, acts.logits, grads)
        };
        let (want, got) = (run(CpuKernels::Reference), run(CpuKernels::Fast));
        assert_close(&format!("{name}: loss"), &[got.0], &[want.0], 1e-6, 1e-5);
        assert_close(&format!("{name}: logits"), &got.1, &want.1, 1e-5, 1e-4);
        assert_close(&format!("{name}: gradients"), &got.2, &want.2, 1e-6, 1e-3);
    }
}

/// A gradient this small is zero up to f32 rounding (the gradients that count here are 1e-4 and up).
const ROUNDING_GRAD: f32 = 1e-7;

#[test]
fn fast_training_steps_match_the_reference_on_every_family() {
    let (b, lr) = (3, 1e-2);
    let train = TrainConfig { batch_size: b, learning_rate: lr, min_lr: 1e-3, warmup_steps: 1, max_steps: 10, ..TrainConfig::default() };
    for (name, cfg) in variants() {
        let mut want = CpuTrainer::new(model(cfg, CpuKernels::Reference), train).unwrap();
        let mut got = CpuTrainer::new(model(cfg, CpuKernels::Fast), train).unwrap();
        let mut moved_by_rounding = vec![false; want.grads.len()];
        for step in 0..3 {
            let (inputs, targets) = batch(&cfg, b, 20 + step);
            let inputs = refs(&inputs);
            let w = want.step(&inputs, &targets, b, cfg.block_size).unwrap();
            let g = got.step(&inputs, &targets, b, cfg.block_size).unwrap();
            assert_eq!((g.step, g.lr), (w.step, w.lr));
            assert_close(&format!("{name}: loss, step {step}"), &[g.loss], &[w.loss], 1e-6, 1e-5);
            assert_close(&format!("{name}: grad norm, step {step}"), &[g.grad_norm], &[w.grad_norm], 1e-6, 1e-4);
            // AdamW divides each gradient by its own RMS, so a weight whose gradient is zero up
            // to rounding (a key bias: softmax ignores a score added to a whole row) moves by
            // up to ±lr a step with the sign of the rounding; the others agree to 1% of lr
            for (moved, &g) in moved_by_rounding.iter_mut().zip(&want.grads) {
                *moved |= g.abs() < ROUNDING_GRAD;
            }
            let part = |p: &[f32], by_rounding: bool| {
                p.iter().zip(&moved_by_rounding).filter(|(_, &m)| m == by_rounding).map(|(&x, _)| x).collect::<Vec<_>>()
            };
            let (label, (g, w)) = (format!("{name}: params after step {step}"), (&got.model.params, &want.model.params));
            assert_close(&label, &part(g, false), &part(w, false), 1e-2 * lr, 1e-4);
            assert_close(&format!("{label}, rounding-level gradients"), &part(g, true), &part(w, true), 2.0 * lr * (step + 1) as f32, 0.0);
        }
        let tight = moved_by_rounding.iter().filter(|&&m| !m).count();
        assert!(tight > want.grads.len() / 2, "{name}: only {tight} of {} gradients above rounding", want.grads.len());
        assert_close(&format!("{name}: adam m"), &got.opt.m, &want.opt.m, 1e-6, 1e-3);
        assert_close(&format!("{name}: adam v"), &got.opt.v, &want.opt.v, 1e-8, 1e-3);
    }
}

#[test]
fn fast_cached_decoding_matches_the_reference_on_every_decoder() {
    for (name, cfg) in variants().into_iter().filter(|(_, cfg)| cfg.family == Family::Decoder) {
        let tokens = rand_tokens(cfg.block_size, cfg.vocab_size, 9);
        let decode = |kernels| {
            let m = model(cfg, kernels);
            let mut cache = KvCache::new(&cfg);
            // a prefill of 5 tokens, then one at a time up to the full context
            let mut logits = m.forward_cached(&mut cache, &tokens[..5]).unwrap();
            for &tok in &tokens[5..] {
                logits.extend(m.forward_cached(&mut cache, &[tok]).unwrap());
            }
            logits
        };
        assert_close(&format!("{name}: cached logits"), &decode(CpuKernels::Fast), &decode(CpuKernels::Reference), 1e-5, 1e-4);
    }
}
