//! Every CPU backward against centered finite differences of its forward (no GPU).
//!
//! Each op's scalar loss is L = Σ out·r for a fixed random r (so dL/dout = r feeds the
//! backward directly), accumulated in f64; the forward itself runs in f32.
//!
//! Tolerance, unless a test says otherwise: atol 1e-3 + rtol 1e-2. With h = 1e-3 the f32
//! rounding of the forward (about 6e-8 relative per output, a few 1e-7 in L at these sizes)
//! becomes up to ~2e-4 in the quotient ΔL / 2h; the truncation error O(h²) is far smaller.

use playground_core::model::{init_params, Activations};
use playground_core::{cpu, CpuModel, ModelConfig, ParamLayout, Rng};
use playground_tests::*;

const H: f32 = 1e-3;
const ATOL: f32 = 1e-3;
const RTOL: f32 = 1e-2;

fn check(label: &str, analytic: &[f32], numeric: &[f32]) {
    assert_close(&format!("gradcheck {label}"), analytic, numeric, ATOL, RTOL);
}

#[test]
fn encoder_backward_matches_finite_differences() {
    let (b, t, c, v, max_t) = (2, 3, 5, 4, 4); // T < maxT: the last wpe row gets no gradient
    let tokens = [1, 3, 1, 0, 1, 3]; // repeated ids: their rows of dwte sum several positions
    let (wte, wpe) = (randn(v * c, 1.0, 1), randn(max_t * c, 1.0, 2));
    let r = randn(b * t * c, 1.0, 3);
    let loss = |wte: &[f32], wpe: &[f32]| {
        let mut out = vec![0.0; b * t * c];
        cpu::encoder_forward(&mut out, &tokens, wte, wpe, b, t, c);
        dot_f64(&out, &r)
    };
    let (mut dwte, mut dwpe) = (vec![0.0; v * c], vec![0.0; max_t * c]);
    cpu::encoder_backward(&mut dwte, &mut dwpe, &r, &tokens, b, t, c);
    check("encoder dwte", &dwte, &numerical_grad(|x| loss(x, &wpe), &wte, H));
    check("encoder dwpe", &dwpe, &numerical_grad(|x| loss(&wte, x), &wpe, H));
}

#[test]
fn layernorm_backward_matches_finite_differences() {
    let (rows, c) = (3, 8);
    let inp: Vec<f32> = randn(rows * c, 1.5, 4).iter().map(|x| x + 0.7).collect();
    let (weight, bias) = (randn(c, 1.0, 5), randn(c, 1.0, 6));
    let r = randn(rows * c, 1.0, 7);
    let loss = |inp: &[f32], weight: &[f32], bias: &[f32]| {
        let (mut out, mut mean, mut rstd) = (vec![0.0; rows * c], vec![0.0; rows], vec![0.0; rows]);
        cpu::layernorm_forward(&mut out, &mut mean, &mut rstd, inp, weight, bias, rows, c);
        dot_f64(&out, &r)
    };
    let (mut out, mut mean, mut rstd) = (vec![0.0; rows * c], vec![0.0; rows], vec![0.0; rows]);
    cpu::layernorm_forward(&mut out, &mut mean, &mut rstd, &inp, &weight, &bias, rows, c);
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

#[test]
fn attention_backward_matches_finite_differences() {
    let (b, t, c, nh) = (2, 5, 6, 2);
    let qkv = randn(b * t * 3 * c, 1.0, 12);
    let r = randn(b * t * c, 1.0, 13);
    let forward = |qkv: &[f32]| {
        let (mut out, mut lse) = (vec![0.0; b * t * c], vec![0.0; b * nh * t]);
        let (mut preatt, mut att) = (vec![0.0; b * nh * t * t], vec![0.0; b * nh * t * t]);
        cpu::attention_forward(&mut out, &mut lse, &mut preatt, &mut att, qkv, b, t, c, nh);
        (out, att)
    };
    let (_, att) = forward(&qkv);
    let mut dqkv = vec![0.0; b * t * 3 * c];
    cpu::attention_backward(&mut dqkv, &r, &qkv, &att, b, t, c, nh);
    check("attention dqkv", &dqkv, &numerical_grad(|x| dot_f64(&forward(x).0, &r), &qkv, H));
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
    let targets = [2, 6, 0];
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
    let cfg = ModelConfig { vocab_size: 7, block_size: 4, n_layer: 2, n_head: 2, n_embd: 4, ..ModelConfig::default() };
    let (b, t) = (2, cfg.block_size);
    // nanoGPT's init plus N(0, 0.3) everywhere: larger gradients and a less linear model than
    // the 0.02 init alone, so that every path (LayerNorm gains, biases, attention) is exercised
    let params: Vec<f32> =
        init_params(&cfg, 3).iter().zip(randn(ParamLayout::new(&cfg).padded_len(), 0.3, 21)).map(|(p, n)| p + n).collect();
    let model = CpuModel::from_params(cfg, params).unwrap();
    let tokens = rand_tokens(b * t, cfg.vocab_size, 22);
    let targets = rand_tokens(b * t, cfg.vocab_size, 23);

    // the mean loss, summed in f64 from the per-position losses
    let loss = |params: &[f32]| {
        let m = CpuModel::from_params(cfg, params.to_vec()).unwrap();
        let mut acts = Activations::new(&cfg, b, t);
        m.forward_train(&mut acts, &tokens, &targets).unwrap();
        acts.losses.iter().map(|&l| l as f64).sum::<f64>() / (b * t) as f64
    };
    let mut acts = Activations::new(&cfg, b, t);
    model.forward_train(&mut acts, &tokens, &targets).unwrap();
    let mut grads = vec![0.0; model.params.len()];
    model.backward(&mut grads, &acts, &tokens, &targets);

    let mut rng = Rng::new(24);
    for tensor in model.layout.tensors() {
        // first, last and one random element of every parameter tensor
        let n = tensor.numel();
        let mut picks = vec![0, n - 1, rng.below(n)];
        picks.sort_unstable();
        picks.dedup();
        let indices: Vec<usize> = picks.iter().map(|i| tensor.span.offset + i).collect();
        let analytic: Vec<f32> = indices.iter().map(|&i| grads[i]).collect();
        let numeric = numerical_grad_at(loss, &model.params, &indices, H);
        // the mean loss is ~2 and its gradients ~1e-2..1: f32 rounding of the loss (~1e-7)
        // over 2h gives ~1e-4, hence atol 2e-4 here
        assert_close(&format!("gradcheck model {}", tensor.name), &analytic, &numeric, 2e-4, RTOL);
    }
}
