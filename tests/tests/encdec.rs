//! The encoder-decoder family (the original Transformer): the cross-attention packing and the
//! whole model against finite differences, training on string reversal, and step-by-step
//! decoding against teacher forcing.

use playground_core::config::{Ffn, LinearBias, Norm, NormPosition, Positions};
use playground_core::data::seq2seq::{self, seq2seq_batch};
use playground_core::model::{argmax, init_params, Activations};
use playground_core::train::{CpuTrainer, TrainConfig};
use playground_core::{cpu, CoreError, CpuModel, Family, ModelConfig, ParamLayout, Rng, TraceRequest};
use playground_gpu::{GpuModel, GpuTrainer};
use playground_tests::*;

fn encdec(vocab_size: usize, block_size: usize, n_embd: usize) -> ModelConfig {
    ModelConfig { vocab_size, block_size, n_layer: 2, n_head: 2, n_embd, family: Family::EncoderDecoder, ..ModelConfig::default() }
}

#[test]
fn cross_pack_backward_matches_finite_differences() {
    // keys and values as wide as the queries, and narrower (grouped-query attention)
    for (bt, c, kvc) in [(5, 3, 3), (5, 6, 2)] {
        let (q, kv) = (randn(bt * c, 1.0, 1), randn(bt * 2 * kvc, 1.0, 2));
        let r = randn(bt * (c + 2 * kvc), 1.0, 3);
        let loss = |q: &[f32], kv: &[f32]| {
            let mut out = vec![0.0; bt * (c + 2 * kvc)];
            cpu::cross_pack_forward(&mut out, q, kv, bt, c, kvc);
            dot_f64(&out, &r)
        };
        let (mut dq, mut dkv) = (vec![0.0; bt * c], vec![0.0; bt * 2 * kvc]);
        cpu::cross_pack_backward(&mut dq, &mut dkv, &r, bt, c, kvc);
        assert_close("gradcheck cross_pack dq", &dq, &numerical_grad(|x| loss(x, &kv), &q, 1e-3), 1e-3, 1e-2);
        assert_close("gradcheck cross_pack dkv", &dkv, &numerical_grad(|x| loss(&q, x), &kv, 1e-3), 1e-3, 1e-2);
    }
}

/// Every parameter tensor's gradient (first, last and one random element) against central
/// differences of the mean loss, on two rows with padding IGNOREd, for GPT-2's choices and for
/// every other choice at once.
#[test]
fn encdec_backward_matches_finite_differences_of_the_loss() {
    let base = encdec(7, 4, 4);
    let all = ModelConfig {
        norm: Norm::RmsNorm,
        norm_position: NormPosition::Post,
        positions: Positions::Rotary,
        ffn: Ffn::SwiGlu,
        tie_head: false,
        ..base
    };
    let sin = ModelConfig { positions: Positions::Sinusoidal, ffn: Ffn::Relu, ..base };
    // grouped-query self- and cross-attention (two key/value heads for four), q/k/v biases only
    let gqa = ModelConfig { n_head: 4, n_kv_head: Some(2), n_embd: 8, linear_bias: LinearBias::QkvOnly, ..base };
    for cfg in [base, all, sin, gqa] {
        let (b, t) = (2, cfg.block_size);
        let params: Vec<f32> =
            init_params(&cfg, 3).iter().zip(randn(ParamLayout::new(&cfg).padded_len(), 0.3, 21)).map(|(p, n)| p + n).collect();
        let model = CpuModel::from_params(cfg, params).unwrap();
        let (src, dec_in) = (rand_tokens(b * t, cfg.vocab_size, 22), rand_tokens(b * t, cfg.vocab_size, 25));
        let mut targets = rand_tokens(b * t, cfg.vocab_size, 23);
        targets[3] = cpu::IGNORE;
        targets[7] = cpu::IGNORE;
        let count = cpu::counted(&targets) as f64;
        let loss = |params: &[f32]| {
            let m = CpuModel::from_params(cfg, params.to_vec()).unwrap();
            let mut acts = Activations::new(&m.arch, b, t);
            m.forward_train(&mut acts, &[&src, &dec_in], &targets).unwrap();
            acts.losses.iter().map(|&l| l as f64).sum::<f64>() / count
        };
        let mut acts = Activations::new(&model.arch, b, t);
        model.forward_train(&mut acts, &[&src, &dec_in], &targets).unwrap();
        let mut grads = vec![0.0; model.params.len()];
        model.backward(&mut grads, &acts, &[&src, &dec_in], &targets);
        let mut rng = Rng::new(24);
        let arch = format!("{:?} {:?} {:?} {:?} tied {}", cfg.norm, cfg.norm_position, cfg.positions, cfg.ffn, cfg.tie_head);
        let tag = format!("{arch} nkv{} bias {:?}", cfg.kv_heads(), cfg.linear_bias);
        for tensor in model.layout().tensors() {
            let n = tensor.numel();
            let mut picks = vec![0, n - 1, rng.below(n)];
            picks.sort_unstable();
            picks.dedup();
            let indices: Vec<usize> = picks.iter().map(|i| tensor.span.offset + i).collect();
            let analytic: Vec<f32> = indices.iter().map(|&i| grads[i]).collect();
            let numeric = numerical_grad_at(loss, &model.params, &indices, 1e-3);
            // six counted positions: the tolerance of the masked-LM gradcheck
            assert_close(&format!("gradcheck encdec [{tag}] {}", tensor.name), &analytic, &numeric, 5e-4, 1e-2);
        }
    }
}

#[test]
fn the_decoder_sees_the_whole_source_but_not_its_own_future() {
    let model = CpuModel::new(encdec(9, 5, 8), 4).unwrap();
    let (t, v) = (5, 9);
    let logits = |src: &[u32], dec_in: &[u32]| {
        let mut acts = Activations::new(&model.arch, 1, t);
        model.run(&mut acts, &[src, dec_in], None).unwrap();
        acts.logits
    };
    let base = logits(&[1, 2, 3, 4, 5], &[1, 2, 3, 4, 5]);
    let src_changed = logits(&[1, 2, 3, 4, 8], &[1, 2, 3, 4, 5]);
    let dec_changed = logits(&[1, 2, 3, 4, 5], &[1, 2, 3, 4, 8]);
    assert_ne!(base[..v], src_changed[..v], "the first target position attends to the last source token");
    assert_eq!(base[..4 * v], dec_changed[..4 * v], "the decoder's self-attention is causal");
    assert_ne!(base[4 * v..], dec_changed[4 * v..]);
}

#[test]
fn single_stream_calls_and_bad_rows_are_refused_by_name() {
    let model = CpuModel::new(encdec(11, 6, 8), 1).unwrap();
    let err = model.forward(&[1, 2], &TraceRequest::keys(&["logits"]).unwrap()).unwrap_err();
    assert!(matches!(&err, CoreError::Architecture { field: "family", .. }) && err.to_string().contains("source and a target"), "{err}");
    let gpt = CpuModel::new(ModelConfig { family: Family::Decoder, ..encdec(11, 6, 8) }, 1).unwrap();
    let mut acts = Activations::new(&gpt.arch, 1, 6);
    assert!(matches!(gpt.run(&mut acts, &[&[1; 6], &[1; 6]], None), Err(CoreError::Architecture { .. })));
    let tok = seq2seq::tokenizer();
    assert!(matches!(seq2seq::rows(&tok, "abcdef", "fedcba", 6), Err(CoreError::TooLong { t: 7, block_size: 6 })));
    assert!(matches!(seq2seq::rows(&tok, "", "", 6), Err(CoreError::EmptyText)));
    assert!(seq2seq::rows(&tok, "xyz", "zyx", 6).is_err(), "letters outside the vocabulary");
    let mut acts = Activations::new(&model.arch, 1, 6);
    assert!(matches!(model.run(&mut acts, &[&[1, 2, 3, 4, 5, 99], &[1; 6]], None), Err(CoreError::TokenOutOfRange { id: 99, .. })));
}

const T: usize = 8;

/// A small encoder-decoder trained to reverse strings of up to 7 letters (CPU, teacher forcing).
fn trained_reverser() -> (CpuModel, Vec<f32>) {
    let tok = seq2seq::tokenizer();
    let cfg = ModelConfig { n_embd: 32, ..encdec(tok.vocab_size(), T, 32) };
    let train = TrainConfig { batch_size: 16, learning_rate: 2e-3, warmup_steps: 20, max_steps: STEPS, ..TrainConfig::default() };
    let mut tr = CpuTrainer::new(CpuModel::new(cfg, 7).unwrap(), train).unwrap();
    let mut rng = Rng::new(11);
    let mut step = |batch: seq2seq::Seq2SeqRows| tr.step(&[&batch.src, &batch.dec_in], &batch.targets, 16, T).unwrap().loss;
    let losses: Vec<f32> = (0..STEPS).map(|_| step(seq2seq_batch(16, T, &mut rng))).collect();
    (tr.model, losses)
}

const STEPS: u32 = 800;

#[test]
fn reversal_trains_and_greedy_decoding_reverses_held_out_strings() {
    let tok = seq2seq::tokenizer();
    let (model, losses) = trained_reverser();
    let mean = |s: &[f32]| s.iter().sum::<f32>() / s.len() as f32;
    let (first, last) = (mean(&losses[..10]), mean(&losses[losses.len() - 10..]));
    println!("encoder-decoder on reversal: loss {first:.3} -> {last:.3} in {STEPS} steps");
    let [_, bos, _] = seq2seq::specials(&tok).unwrap();
    let mut rng = Rng::new(999); // other strings than the training stream's
    let (mut exact, mut agree, mut right_tf, n) = (0, 0, 0, 50);
    for _ in 0..n {
        let s = seq2seq::example(T, &mut rng);
        let rows = seq2seq::rows(&tok, &s, &seq2seq::target_of(&s), T).unwrap();
        let greedy = model.greedy_decode(&rows.src, bos).unwrap();
        exact += usize::from(seq2seq::until_eos(&tok, &greedy).unwrap() == seq2seq::target_of(&s));
        // teacher forcing: one pass fed the true target; where its predictions are all right,
        // the step-by-step decoder was fed the same tokens, so it predicts the same
        let mut acts = Activations::new(&model.arch, 1, T);
        model.run(&mut acts, &[&rows.src, &rows.dec_in], None).unwrap();
        let v = model.config.vocab_size;
        let forced: Vec<u32> = (0..T).map(|k| argmax(&acts.logits[k * v..(k + 1) * v])).collect();
        let len = s.len() + 1; // the letters and EOS
        if forced[..len] == rows.targets[..len] {
            right_tf += 1;
            agree += usize::from(greedy[..len] == forced[..len]);
        }
    }
    println!("held-out: {exact}/{n} exactly reversed step by step, {right_tf}/{n} right with teacher forcing, {agree} of those agree");
    assert!(last < first * 0.3, "the loss must fall clearly: {first} -> {last}");
    // measured: loss 2.34 -> 0.34, 34/50 exactly reversed (1200 steps reach only 35/50)
    assert!(exact * 10 >= n * 6, "step-by-step decoding must reverse most held-out strings: {exact}/{n}");
    assert!(right_tf * 10 >= n * 6);
    assert_eq!(agree, right_tf, "where teacher forcing is right, step-by-step decoding agrees");
}

/// The GPU against the CPU on odd sizes (C = 12 in 3 heads, T = 5, V = 11, B = 3): logits,
/// loss, every gradient, the parameters after one AdamW step, and the cross-attention weights,
/// for GPT-2's choices and for every other choice at once.
#[test]
fn gpu_encdec_matches_cpu_on_odd_sizes() {
    let Some(gpu) = gpu_or_skip() else { return };
    let base = ModelConfig { n_head: 3, ..encdec(11, 5, 12) };
    let all = ModelConfig {
        norm: Norm::RmsNorm,
        norm_position: NormPosition::Post,
        positions: Positions::Rotary,
        ffn: Ffn::SwiGlu,
        tie_head: false,
        ..ModelConfig { n_embd: 18, ..base }
    };
    let sin = ModelConfig { positions: Positions::Sinusoidal, ffn: Ffn::Relu, ..base };
    // grouped-query self- and cross-attention (3 heads over one key/value head), no biases
    let gqa = ModelConfig { n_kv_head: Some(1), linear_bias: LinearBias::None, ..base };
    let train = TrainConfig { batch_size: 3, learning_rate: 1e-2, warmup_steps: 0, ..TrainConfig::default() };
    for cfg in [base, all, sin, gqa] {
        let (b, t, v) = (3, cfg.block_size, cfg.vocab_size);
        let tag = format!(
            "{:?} {:?} {:?} {:?} nkv{} bias {:?}",
            cfg.norm,
            cfg.norm_position,
            cfg.positions,
            cfg.ffn,
            cfg.kv_heads(),
            cfg.linear_bias
        );
        let params: Vec<f32> =
            init_params(&cfg, 3).iter().zip(randn(ParamLayout::new(&cfg).padded_len(), 0.1, 21)).map(|(p, n)| p + n).collect();
        let (src, dec_in) = (rand_tokens(b * t, v, 22), rand_tokens(b * t, v, 25));
        let mut targets = rand_tokens(b * t, v, 23);
        targets[4] = cpu::IGNORE;
        let batch = seq2seq::Seq2SeqRows { src: src.clone(), dec_in: dec_in.clone(), targets: targets.clone() };

        let mut g = pollster::block_on(GpuTrainer::new(gpu.clone(), cfg, &params, train)).unwrap();
        // the logits and the cross-attention weights of every row, traced one row at a time
        let keys: Vec<String> =
            ["logits".to_string()].into_iter().chain((0..3).map(|h| format!("decoder.block1.cross.head{h}.att"))).collect();
        let (mut got_logits, mut got_cross) = (Vec::new(), Vec::new());
        for r in 0..b {
            let row = |x: &[u32]| x[r * t..(r + 1) * t].to_vec();
            let out =
                pollster::block_on(g.model.forward_streams(&[&row(&src), &row(&dec_in)], &TraceRequest::keys(&keys).unwrap())).unwrap();
            got_logits.extend_from_slice(&out.trace[0].data);
            out.trace[1..].iter().for_each(|head| got_cross.extend_from_slice(&head.data));
        }
        g.submit_step(&[&src, &dec_in], &targets).unwrap();
        let stats = pollster::block_on(g.read_stats()).unwrap().remove(0);
        let got_grads = pollster::block_on(g.read_grads()).unwrap();
        let got_after = pollster::block_on(g.model.read_params()).unwrap();

        let mut tr = CpuTrainer::new(CpuModel::from_params(cfg, params.clone()).unwrap(), train).unwrap();
        let mut acts = Activations::new(&tr.model.arch, b, t);
        tr.model.run(&mut acts, &[&src, &dec_in], None).unwrap();
        let want = tr.step(&[&batch.src, &batch.dec_in], &batch.targets, b, t).unwrap();
        assert_close(&format!("encdec logits [{tag}]"), &got_logits, &acts.logits, 2e-5, 1e-4);
        assert_close(&format!("encdec cross-attention [{tag}]"), &got_cross, acts.cross_att(&tr.model.arch, 1), 1e-5, 1e-4);
        assert_close(&format!("encdec loss [{tag}]"), &[stats.loss], &[want.loss], 1e-5, 1e-5);
        assert_close(&format!("encdec grad norm [{tag}]"), &[stats.grad_norm], &[want.grad_norm], 1e-5, 1e-4);
        assert_close(&format!("encdec grads [{tag}]"), &got_grads, &tr.grads, 2e-6, 1e-3);
        // The key biases' gradient is 0 in exact arithmetic (softmax ignores a shift shared by
        // all keys) and ~1e-10 of rounding on both engines; AdamW's ε = 1e-8 turns that noise
        // into a first update of up to lr·|g|/(|g| + ε), so those rows get atol lr (measured
        // differences up to 1.9e-3 since one-row matmuls run the skinny kernel), the rest
        // atol 0.1·lr (measured below 1e-6).
        let (mut noise, mut rest) = ((vec![], vec![]), (vec![], vec![]));
        let c = cfg.n_embd;
        for p in ParamLayout::new(&cfg).tensors() {
            let (g, w) = (p.span.of(&got_after), p.span.of(&tr.model.params));
            let keys = if p.name.ends_with("attn.c_attn.bias") {
                c..c + cfg.kv_width()
            } else if p.name.ends_with("cross.c_kv.bias") {
                0..cfg.kv_width()
            } else {
                0..0
            };
            noise.0.extend_from_slice(&g[keys.clone()]);
            noise.1.extend_from_slice(&w[keys.clone()]);
            for i in (0..g.len()).filter(|i| !keys.contains(i)) {
                rest.0.push(g[i]);
                rest.1.push(w[i]);
            }
        }
        assert_close(&format!("encdec key biases after AdamW [{tag}]"), &noise.0, &noise.1, train.learning_rate, 0.0);
        assert_close(&format!("encdec after AdamW [{tag}]"), &rest.0, &rest.1, 0.1 * train.learning_rate, 1e-5);
    }
}

#[test]
fn gpu_greedy_decoding_matches_cpu() {
    let Some(gpu) = gpu_or_skip() else { return };
    let tok = seq2seq::tokenizer();
    let cfg = encdec(tok.vocab_size(), 6, 16);
    let model = CpuModel::new(cfg, 9).unwrap();
    let [_, bos, _] = seq2seq::specials(&tok).unwrap();
    let mut g = pollster::block_on(GpuModel::new(gpu, cfg, &model.params, 1)).unwrap();
    for s in ["abc", "hgfedc", "a"] {
        let rows = seq2seq::rows(&tok, s, "", 6).unwrap();
        let want = model.greedy_decode(&rows.src, bos).unwrap();
        let got = pollster::block_on(g.greedy_decode(&rows.src, bos)).unwrap();
        assert_eq!(got, want, "greedy decoding of {s:?}");
    }
}
