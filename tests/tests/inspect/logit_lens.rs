//! Logit lens rows equal a reference written out here with plain loops, on CPU and GPU.

use playground_core::checkpoint::Checkpoint;
use playground_core::{CharTokenizer, CpuModel, ModelConfig, TraceRequest};
use playground_gpu::Session;
use playground_tests::*;

/// softmax(LayerNorm(x)·wteᵀ) of one (C) row, by hand: biased variance, ε = 1e-5.
fn reference_probs(model: &CpuModel, x: &[f32]) -> Vec<f64> {
    let p = &model.params;
    let (lay, c) = (model.layout(), model.config.n_embd);
    let span = |name: &str| lay.find(name).unwrap_or_else(|| panic!("{name}")).span;
    let mean = x.iter().map(|&v| v as f64).sum::<f64>() / c as f64;
    let var = x.iter().map(|&v| (v as f64 - mean).powi(2)).sum::<f64>() / c as f64;
    let (w, b) = (span("transformer.ln_f.weight").of(p), span("transformer.ln_f.bias").of(p));
    let norm: Vec<f64> = (0..c).map(|i| (x[i] as f64 - mean) / (var + 1e-5).sqrt() * w[i] as f64 + b[i] as f64).collect();
    let wte = lay.wte.of(p);
    let logits: Vec<f64> = (0..model.config.vocab_size).map(|v| (0..c).map(|i| norm[i] * wte[v * c + i] as f64).sum()).collect();
    let max = logits.iter().cloned().fold(f64::MIN, f64::max);
    let z: f64 = logits.iter().map(|l| (l - max).exp()).sum();
    logits.iter().map(|l| (l - max).exp() / z).collect()
}

#[test]
fn logit_lens_rows_equal_a_hand_written_reference_on_cpu_and_gpu() {
    let Some(gpu) = gpu_or_skip() else { return };
    let tok = CharTokenizer::from_text("abcdefghijk").unwrap();
    let config = ModelConfig { vocab_size: tok.vocab_size(), block_size: 8, n_layer: 3, n_head: 2, n_embd: 6, ..ModelConfig::default() };
    let model = CpuModel::new(config, 21).unwrap();
    let tokens = rand_tokens(7, config.vocab_size, 2);
    let (k, t) = (3, tokens.len());
    let keys: Vec<String> = (0..config.n_layer).map(|l| format!("block{l}.residual")).chain(["probs".into()]).collect();
    let trace = model.forward(&tokens, &TraceRequest::keys(&keys).unwrap()).unwrap();
    for backend in [Some(gpu), None] {
        let name = if backend.is_some() { "gpu" } else { "cpu" };
        let checkpoint = Checkpoint { config, tokenizer: tok.clone(), params: model.params.clone(), metadata: Default::default() };
        let mut s = pollster::block_on(Session::new(backend, checkpoint)).unwrap();
        let lens = pollster::block_on(s.logit_lens(&tokens, k)).unwrap();
        assert_eq!((lens.top.len(), lens.top[0].len(), lens.top[0][0].len()), (config.n_layer, t, k), "{name}: (L, T, k)");
        for l in 0..config.n_layer {
            let res = &trace.get(&format!("block{l}.residual")).unwrap().data;
            for pos in 0..t {
                let want = reference_probs(&model, &res[pos * config.n_embd..(pos + 1) * config.n_embd]);
                let mut order: Vec<usize> = (0..want.len()).collect();
                order.sort_by(|&a, &b| want[b].total_cmp(&want[a]));
                let got = &lens.top[l][pos];
                for (rank, g) in got.iter().enumerate() {
                    assert_close(
                        &format!("{name} layer {l} pos {pos} rank {rank} prob"),
                        &[g.prob],
                        &[want[g.id as usize] as f32],
                        1e-5,
                        1e-4,
                    );
                    assert!(
                        (want[g.id as usize] - want[order[rank]]).abs() < 1e-5,
                        "{name} layer {l} pos {pos}: rank {rank} is id {} not {}",
                        g.id,
                        order[rank]
                    );
                }
            }
        }
        // the last block's lens is the model's own prediction
        let probs = &trace.get("probs").unwrap().data;
        for pos in 0..t {
            let g = lens.top[config.n_layer - 1][pos][0];
            assert_close(
                &format!("{name} last layer = probs at {pos}"),
                &[g.prob],
                &[probs[pos * config.vocab_size + g.id as usize]],
                1e-5,
                1e-4,
            );
        }
    }
}
