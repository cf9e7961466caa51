//! Every CPU backward against centered finite differences of its forward (no GPU).
//!
//! Each op's scalar loss is L = Σ out·r for a fixed random r (so dL/dout = r feeds the
//! backward directly), accumulated in f64; the forward itself runs in f32.
//!
//! Tolerance, unless a test says otherwise: atol 1e-3 + rtol 1e-2. With h = 1e-3 the f32
//! rounding of the forward (about 6e-8 relative per output, a few 1e-7 in L at these sizes)
//! becomes up to ~2e-4 in the quotient ΔL / 2h; the truncation error O(h²) is far smaller.

use playground_core::cpu::layernorm::LN_EPS;
use playground_core::model::{init_params, Activations};
use playground_core::{cpu, CpuModel, Family, ModelConfig, ParamLayout, Rng};
use playground_tests::*;

const H: f32 = 1e-3;
const ATOL: f32 = 1e-3;
const RTOL: f32 = 1e-2;

fn check(label: &str, analytic: &[f32], numeric: &[f32]) {
    assert_close(&format!("gradcheck {label}"), analytic, numeric, ATOL, RTOL);
}

#[test]
fn embedding_backward_matches_finite_differences() {
    let (b, t, c, v, max_t) = (2, 3, 5, 4, 4); // T < maxT: the last wpe row gets no gradient
    let tokens = [1, 3, 1, 0, 1, 3]; // repeated ids: their rows of dwte sum several positions
    let (wte, wpe) = (randn(v * c, 1.0, 1), randn(max_t * c, 1.0, 2));
    let r = randn(b * t * c, 1.0, 3);
    let loss = |wte: &[f32], wpe: &[f32]| {
        let mut out = vec![0.0; b * t * c];
        cpu::embedding_forward(&mut out, &tokens, wte, Some(wpe), b, t, c);
        dot_f64(&out, &r)
    };
    let (mut dwte, mut dwpe) = (vec![0.0; v * c], vec![0.0; max_t * c]);
    cpu::embedding_backward(&mut dwte, Some(&mut dwpe), &r, &tokens, b, t, c);
    check("embedding dwte", &dwte, &numerical_grad(|x| loss(x, &wpe), &wte, H));
    check("embedding dwpe", &dwpe, &numerical_grad(|x| loss(&wte, x), &wpe, H));
}

#[test]
fn embedding_without_learned_positions_matches_finite_differences() {
    // sinusoidal (a fixed table, no gradient) and rotary (nothing added): only dwte
    let (b, t, c, v) = (2, 3, 5, 4);
    let tokens = [1, 3, 1, 0, 1, 3];
    let wte = randn(v * c, 1.0, 1);
    let r = randn(b * t * c, 1.0, 3);
    let table = cpu::sinusoidal_table(t, c);
    for pos in [Some(&table[..]), None] {
        let loss = |wte: &[f32]| {
            let mut out = vec![0.0; b * t * c];
            cpu::embedding_forward(&mut out, &tokens, wte, pos, b, t, c);
            dot_f64(&out, &r)
        };
        let mut dwte = vec![0.0; v * c];
        cpu::embedding_backward(&mut dwte, None, &r, &tokens, b, t, c);
        check("embedding dwte (fixed or no positions)", &dwte, &numerical_grad(loss, &wte, H));
    }
}

#[test]
fn sinusoidal_table_is_the_papers_formula() {
    let (t, c) = (5, 7);
    let table = cpu::sinusoidal_table(t, c);
    // PE[p, 2i] = sin(p / 10000^(2i/C)), PE[p, 2i+1] = cos(p / 10000^(2i/C))
    for (p, ch, want) in [
        (0, 0, 0.0f64),
        (0, 1, 1.0),
        (3, 0, 3f64.sin()),
        (3, 1, 3f64.cos()),
        (4, 2, (4.0 / 10000f64.powf(2.0 / 7.0)).sin()),
        (4, 6, (4.0 / 10000f64.powf(6.0 / 7.0)).sin()),
    ] {
        assert!((table[p * c + ch] as f64 - want).abs() < 1e-7, "PE[{p}, {ch}] = {} want {want}", table[p * c + ch]);
    }
}

#[test]
fn rmsnorm_backward_matches_finite_differences() {
    let (rows, c) = (3, 8);
    let inp: Vec<f32> = randn(rows * c, 1.5, 4).iter().map(|x| x + 0.7).collect();
    let weight = randn(c, 1.0, 5);
    let r = randn(rows * c, 1.0, 7);
    let loss = |inp: &[f32], weight: &[f32]| {
        let (mut out, mut rstd) = (vec![0.0; rows * c], vec![0.0; rows]);
        cpu::rmsnorm_forward(&mut out, &mut rstd, inp, weight, rows, c, LN_EPS);
        dot_f64(&out, &r)
    };
    let (mut out, mut rstd) = (vec![0.0; rows * c], vec![0.0; rows]);
    cpu::rmsnorm_forward(&mut out, &mut rstd, &inp, &weight, rows, c, LN_EPS);
    let (mut dinp, mut dweight) = (vec![0.0; rows * c], vec![0.0; c]);
    cpu::rmsnorm_backward(&mut dinp, &mut dweight, &r, &inp, &weight, &rstd, rows, c);
    check("rmsnorm dinp", &dinp, &numerical_grad(|x| loss(x, &weight), &inp, H));
    check("rmsnorm dweight", &dweight, &numerical_grad(|x| loss(&inp, x), &weight, H));
}

#[test]
fn relu_backward_matches_finite_differences() {
    // away from the kink at 0, where the derivative is not defined
    let inp: Vec<f32> = randn(17, 2.0, 14).into_iter().map(|x| if x.abs() < 0.01 { x + 0.1 } else { x }).collect();
    let n = inp.len();
    let r = randn(n, 1.0, 15);
    let loss = |inp: &[f32]| {
        let mut out = vec![0.0; n];
        cpu::relu_forward(&mut out, inp, n);
        dot_f64(&out, &r)
    };
    let mut dinp = vec![0.0; n];
    cpu::relu_backward(&mut dinp, &inp, &r, n);
    check("relu dinp", &dinp, &numerical_grad(loss, &inp, H));
}

#[test]
fn swiglu_backward_matches_finite_differences() {
    let (rows, h) = (3, 5);
    let inp: Vec<f32> = randn(rows * 2 * h, 2.0, 30);
    let r = randn(rows * h, 1.0, 31);
    let loss = |inp: &[f32]| {
        let mut out = vec![0.0; rows * h];
        cpu::swiglu_forward(&mut out, inp, rows, h);
        dot_f64(&out, &r)
    };
    let mut dinp = vec![0.0; rows * 2 * h];
    cpu::swiglu_backward(&mut dinp, &inp, &r, rows, h);
    check("swiglu dinp", &dinp, &numerical_grad(loss, &inp, H));
}

#[test]
fn rope_backward_matches_finite_differences() {
    // HS = 6: three channel pairs per head; two heads each with its keys, then 4 query heads
    // over 2 key heads (grouped-query attention)
    for (c, nh, nkv) in [(12, 2, 2), (24, 4, 2)] {
        let (b, t, hs) = (2, 5, c / nh);
        let w = c + 2 * nkv * hs; // Q, K, V of a row
        let qkv = randn(b * t * w, 1.0, 32);
        let r = randn(b * t * w, 1.0, 33);
        let (cos, sin) = cpu::rope_table(t, hs, cpu::positions::BASE);
        let loss = |qkv: &[f32]| {
            let mut out = qkv.to_vec();
            cpu::rope_forward(&mut out, &cos, &sin, b, t, c, nh, nkv);
            dot_f64(&out, &r)
        };
        let mut dqkv = r.clone();
        cpu::rope_backward(&mut dqkv, &cos, &sin, b, t, c, nh, nkv);
        check(&format!("rope dqkv nh{nh} nkv{nkv}"), &dqkv, &numerical_grad(loss, &qkv, H));
        // V passes unchanged, and the score of a query and a key depends only on their distance
        let mut rotated = qkv.clone();
        cpu::rope_forward(&mut rotated, &cos, &sin, b, t, c, nh, nkv);
        assert_eq!(&rotated[c + nkv * hs..w], &qkv[c + nkv * hs..w]);
        let one = vec![1.0f32; b * t * w];
        let mut same = one.clone();
        cpu::rope_forward(&mut same, &cos, &sin, b, t, c, nh, nkv);
        let score = |tq: usize, tk: usize| -> f32 { (0..hs).map(|i| same[tq * w + i] * same[tk * w + c + i]).sum() };
        assert!((score(3, 1) - score(4, 2)).abs() < 1e-5, "{} vs {}", score(3, 1), score(4, 2));
    }
}

#[test]
fn layernorm_backward_matches_finite_differences() {
    let (rows, c) = (3, 8);
    let inp: Vec<f32> = randn(rows * c, 1.5, 4).iter().map(|x| x + 0.7).collect();
    let (weight, bias) = (randn(c, 1.0, 5), randn(c, 1.0, 6));
    let r = randn(rows * c, 1.0, 7);
    let loss = |inp: &[f32], weight: &[f32], bias: &[f32]| {
        let (mut out, mut mean, mut rstd) = (vec![0.0; rows * c], vec![0.0; rows], vec![0.0; rows]);
        cpu::layernorm_forward(&mut out, &mut mean, &mut rstd, inp, weight, bias, rows, c, LN_EPS);
        dot_f64(&out, &r)
    };
    let (mut out, mut mean, mut rstd) = (vec![0.0; rows * c], vec![0.0; rows], vec![0.0; rows]);
    cpu::layernorm_forward(&mut out, &mut mean, &mut rstd, &inp, &weight, &bias, rows, c, LN_EPS);
    let (mut dinp, mut dweight, mut dbias) = (vec![0.0; rows * c], vec![0.0; c], vec![0.0; c]);
    cpu::layernorm_backward(&mut dinp, &mut dweight, &mut dbias, &r, &inp, &weight, &mean, &rstd, rows, c);
    check("layernorm dinp", &dinp, &numerical_grad(|x| loss(x, &weight, &bias), &inp, H));
    check("layernorm dweight", &dweight, &numerical_grad(|x| loss(&inp, x, &bias), &weight, H));
    check("layernorm dbias", &dbias, &numerical_grad(|x| loss(&inp, &weight, x), &bias, H));
}

#[test]
fn matmul_backward_matches_finite_differences() {
    let (m, k, n) = (3, 5, 4);
    let (inp, weight, bias) = (randn(m * k, 1.0, 8), randn(n * k, 1.0, 9), randn(n, 1.0, 10));
    let r = randn(m * n, 1.0, 11);
    let loss = |inp: &[f32], weight: &[f32], bias: &[f32]| {
        let mut out = vec![0.0; m * n];
        cpu::matmul_forward(&mut out, inp, weight, Some(bias), m, k, n);
        dot_f64(&out, &r)
    };
    let (mut dinp, mut dweight, mut dbias) = (vec![0.0; m * k], vec![0.0; n * k], vec![0.0; n]);
    cpu::matmul_backward(&mut dinp, &mut dweight, Some(&mut dbias), &r, &inp, &weight, m, k, n);
    check("matmul dinp", &dinp, &numerical_grad(|x| loss(x, &weight, &bias), &inp, H));
    check("matmul dweight", &dweight, &numerical_grad(|x| loss(&inp, x, &bias), &weight, H));
    check("matmul dbias", &dbias, &numerical_grad(|x| loss(&inp, &weight, x), &bias, H));
}

/// The FFN's activation and second matmul backward as one op (`matmul_backward_input_act`, the
/// GPU's fused epilogue): pre's gradient through out = act(pre) · weightᵀ.
#[test]
fn matmul_backward_input_act_matches_finite_differences() {
    let (m, k, n) = (3, 5, 4);
    // away from ReLU's kink at 0
    let pre: Vec<f32> = randn(m * k, 2.0, 16).into_iter().map(|x| if x.abs() < 0.01 { x + 0.1 } else { x }).collect();
    let (weight, r) = (randn(n * k, 1.0, 17), randn(m * n, 1.0, 18));
    for act in [cpu::Activation::Gelu, cpu::Activation::GeluTanh, cpu::Activation::Relu] {
        let loss = |pre: &[f32]| {
            let (mut out, mut y) = (vec![0.0; m * k], vec![0.0; m * n]);
            match act {
                cpu::Activation::Gelu => cpu::gelu_forward(&mut out, pre, m * k),
                cpu::Activation::GeluTanh => cpu::gelu_tanh_forward(&mut out, pre, m * k),
                cpu::Activation::Relu => cpu::relu_forward(&mut out, pre, m * k),
            }
            cpu::matmul_forward(&mut y, &out, &weight, None, m, k, n);
            dot_f64(&y, &r)
        };
        let mut dpre = vec![0.0; m * k];
        cpu::matmul_backward_input_act(act, &mut dpre, &pre, &r, &weight, m, k, n);
        check(&format!("matmul_backward_input_act {act:?} dpre"), &dpre, &numerical_grad(loss, &pre, H));
    }
}

#[test]
fn attention_backward_matches_finite_differences() {
    // two heads each with its keys and values; 6 heads over 2 and over 3 key/value heads
    for (causal, (c, nh, nkv)) in [true, false].into_iter().flat_map(|m| [(6, 2, 2), (12, 6, 2), (12, 6, 3)].map(|s| (m, s))) {
        let (b, t) = (2, 5);
        let qkv = randn(b * t * (c + 2 * nkv * (c / nh)), 1.0, 12);
        let r = randn(b * t * c, 1.0, 13);
        let forward = |qkv: &[f32]| {
            let (mut out, mut lse) = (vec![0.0; b * t * c], vec![0.0; b * nh * t]);
            let (mut preatt, mut att) = (vec![0.0; b * nh * t * t], vec![0.0; b * nh * t * t]);
            cpu::attention_forward(&mut out, &mut lse, &mut preatt, &mut att, qkv, b, t, c, nh, nkv, causal);
            (out, att)
        };
        let (_, att) = forward(&qkv);
        let mut dqkv = vec![0.0; qkv.len()];
        cpu::attention_backward(&mut dqkv, &r, &qkv, &att, b, t, c, nh, nkv, causal);
        let tag = format!("attention dqkv causal={causal} nh{nh} nkv{nkv}");
        check(&tag, &dqkv, &numerical_grad(|x| dot_f64(&forward(x).0, &r), &qkv, H));
    }
}

#[test]
fn gelu_backward_matches_finite_differences() {
    // both tails, the bend near 0, and exactly 0
    let inp: Vec<f32> = randn(13, 2.0, 14).into_iter().chain([-6.0, -0.5, 0.0, 0.3, 6.0]).collect();
    let n = inp.len();
    let r = randn(n, 1.0, 15);
    let loss = |inp: &[f32]| {
        let mut out = vec![0.0; n];
        cpu::gelu_forward(&mut out, inp, n);
        dot_f64(&out, &r)
    };
    let mut dinp = vec![0.0; n];
    cpu::gelu_backward(&mut dinp, &inp, &r, n);
    check("gelu dinp", &dinp, &numerical_grad(loss, &inp, H));
}

#[test]
fn gelu_tanh_backward_matches_finite_differences() {
    // both tails, the bend near 0, and exactly 0
    let inp: Vec<f32> = randn(13, 2.0, 114).into_iter().chain([-6.0, -0.5, 0.0, 0.3, 6.0]).collect();
    let n = inp.len();
    let r = randn(n, 1.0, 115);
    let loss = |inp: &[f32]| {
        let mut out = vec![0.0; n];
        cpu::gelu_tanh_forward(&mut out, inp, n);
        dot_f64(&out, &r)
    };
    let mut dinp = vec![0.0; n];
    cpu::gelu_tanh_backward(&mut dinp, &inp, &r, n);
    check("gelu_tanh dinp", &dinp, &numerical_grad(loss, &inp, H));
}

#[test]
fn residual_backward_matches_finite_differences() {
    let n = 7;
    let (a, b) = (randn(n, 1.0, 16), randn(n, 1.0, 17));
    let r = randn(n, 1.0, 18);
    let loss = |a: &[f32], b: &[f32]| {
        let mut out = vec![0.0; n];
        cpu::residual_forward(&mut out, a, b, n);
        dot_f64(&out, &r)
    };
    let (mut da, mut db) = (vec![0.0; n], vec![0.0; n]);
    cpu::residual_backward(&mut da, &mut db, &r, n);
    check("residual dinp1", &da, &numerical_grad(|x| loss(x, &b), &a, H));
    check("residual dinp2", &db, &numerical_grad(|x| loss(&a, x), &b, H));
}

#[test]
fn softmax_xent_backward_matches_finite_differences() {
    let (rows, v) = (3, 7);
    let logits = randn(rows * v, 2.0, 19);
    // the middle row is outside the loss (masked-LM's IGNORE): loss 0, no gradient
    let targets = [2, cpu::IGNORE, 0];
    let dlosses = randn(rows, 1.0, 20); // L = Σ losses·dlosses: each row's loss weighted differently
    let forward = |logits: &[f32]| {
        let (mut probs, mut losses) = (vec![0.0; rows * v], vec![0.0; rows]);
        cpu::softmax_xent_forward(&mut probs, &mut losses, logits, &targets, rows, v);
        (probs, losses)
    };
    let (probs, _) = forward(&logits);
    let mut dlogits = vec![0.0; rows * v];
    cpu::softmax_xent_backward(&mut dlogits, &dlosses, &probs, &targets, rows, v);
    check("softmax_xent dlogits", &dlogits, &numerical_grad(|x| dot_f64(&forward(x).1, &dlosses), &logits, H));
}

#[test]
fn model_backward_matches_finite_differences_of_the_loss() {
    let base = ModelConfig { vocab_size: 7, block_size: 4, n_layer: 2, n_head: 2, n_embd: 4, ..ModelConfig::default() };
    let targets = rand_tokens(2 * base.block_size, base.vocab_size, 23);
    // the mean loss is ~2 and its gradients ~1e-2..1: f32 rounding of the loss (~1e-7)
    // over 2h gives ~1e-4, hence atol 2e-4 here
    check_model_grads(base, &targets, 2e-4);
}

/// Every architecture variant, each choice on its own and all of them together; grouped-query
/// attention (one key/value head for two heads, two for four) and bias-free and q/k/v-only
/// biases, on their own and in a Llama-style model.
#[test]
fn variant_model_backward_matches_finite_differences_of_the_loss() {
    use playground_core::config::{Ffn, LinearBias, Norm, NormPosition, Positions};
    let base = ModelConfig { vocab_size: 7, block_size: 4, n_layer: 2, n_head: 2, n_embd: 4, ..ModelConfig::default() };
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
        ModelConfig { n_head: 4, n_kv_head: Some(2), n_embd: 8, ..base },
        ModelConfig { linear_bias: LinearBias::None, ..base },
        ModelConfig { linear_bias: LinearBias::QkvOnly, ..base },
        ModelConfig {
            norm: Norm::RmsNorm,
            positions: Positions::Rotary,
            ffn: Ffn::SwiGlu,
            tie_head: false,
            n_head: 4,
            n_kv_head: Some(2),
            n_embd: 8,
            linear_bias: LinearBias::None,
            ..base
        },
    ] {
        let targets = rand_tokens(2 * cfg.block_size, cfg.vocab_size, 23);
        check_model_grads(cfg, &targets, 2e-4);
    }
}

#[test]
fn encoder_backward_matches_finite_differences_of_the_masked_loss() {
    // bidirectional attention; only some positions are predicted (masked-LM), the others IGNORE
    let cfg =
        ModelConfig { vocab_size: 7, block_size: 4, n_layer: 2, n_head: 2, n_embd: 4, family: Family::Encoder, ..ModelConfig::default() };
    let mut targets = rand_tokens(2 * cfg.block_size, cfg.vocab_size, 23);
    for i in [0, 2, 3, 5, 6] {
        targets[i] = cpu::IGNORE;
    }
    // three counted positions instead of eight: each position's f32 rounding weighs 8/3 as much
    // in the mean (measured differences up to 3.5e-4 on every tensor alike), hence atol 5e-4
    check_model_grads(cfg, &targets, 5e-4);
}

#[test]
fn classifier_backward_matches_finite_differences_of_the_class_loss() {
    // the [CLS] classifier: labels at position 0 of each row, every other position IGNORE
    let cfg = ModelConfig {
        vocab_size: 7,
        block_size: 4,
        n_layer: 2,
        n_head: 2,
        n_embd: 4,
        family: Family::Encoder,
        n_classes: 3,
        ..ModelConfig::default()
    };
    let mut targets = vec![cpu::IGNORE; 2 * cfg.block_size];
    targets[0] = 2;
    targets[cfg.block_size] = 0;
    check_model_grads(cfg, &targets, 5e-4);
}

/// Every parameter tensor's gradient (first, last and one random element) against central
/// differences of the mean loss over the counted positions, on a batch of two rows.
fn check_model_grads(cfg: ModelConfig, targets: &[u32], atol: f32) {
    let (b, t) = (2, cfg.block_size);
    let count = cpu::counted(targets) as f64;
    let (arch, heads) =
        (format!("{:?} {:?} {:?} {:?} {:?}", cfg.family, cfg.norm, cfg.norm_position, cfg.positions, cfg.ffn), cfg.kv_heads());
    let tag = format!("{arch} tied {} nh{} nkv{heads} bias {:?}", cfg.tie_head, cfg.n_head, cfg.linear_bias);
    // nanoGPT's init plus N(0, 0.3) everywhere: larger gradients and a less linear model than
    // the 0.02 init alone, so that every path (LayerNorm gains, biases, attention) is exercised
    let params: Vec<f32> =
        init_params(&cfg, 3).iter().zip(randn(ParamLayout::new(&cfg).padded_len(), 0.3, 21)).map(|(p, n)| p + n).collect();
    let model = CpuModel::from_params(cfg, params).unwrap();
    let tokens = rand_tokens(b * t, cfg.vocab_size, 22);

    // the mean loss, summed in f64 from the per-position losses (ignored ones hold 0)
    let loss = |params: &[f32]| {
        let m = CpuModel::from_params(cfg, params.to_vec()).unwrap();
        let mut acts = Activations::new(&m.arch, b, t);
        m.forward_train(&mut acts, &[&tokens], targets).unwrap();
        acts.losses.iter().map(|&l| l as f64).sum::<f64>() / count
    };
    let mut acts = Activations::new(&model.arch, b, t);
    model.forward_train(&mut acts, &[&tokens], targets).unwrap();
    let mut grads = vec![0.0; model.params.len()];
    model.backward(&mut grads, &acts, &[&tokens], targets);

    let mut rng = Rng::new(24);
    for tensor in model.layout().tensors() {
        // first, last and one random element of every parameter tensor
        let n = tensor.numel();
        let mut picks = vec![0, n - 1, rng.below(n)];
        picks.sort_unstable();
        picks.dedup();
        let indices: Vec<usize> = picks.iter().map(|i| tensor.span.offset + i).collect();
        let analytic: Vec<f32> = indices.iter().map(|&i| grads[i]).collect();
        let numeric = numerical_grad_at(loss, &model.params, &indices, H);
        assert_close(&format!("gradcheck model [{tag}] {}", tensor.name), &analytic, &numeric, atol, RTOL);
    }
}
