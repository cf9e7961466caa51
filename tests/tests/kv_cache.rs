//! Decoder inference with a KV cache: the logits of a prefill followed by one token at a time
//! equal the full forward's at every position, for each decoder variant, on the CPU and the
//! GPU; generation with the cache draws the same tokens as recomputing the context; the
//! context window's edge; typed errors for what a cache cannot do.

use playground_core::architecture::{Ffn, LinearBias, Norm, NormPosition, Positions};
use playground_core::checkpoint::Checkpoint;
use playground_core::model::KvCache;
use playground_core::{CharTokenizer, CoreError, CpuModel, Family, ModelConfig, Rng, SamplingParams, TraceRequest};
use playground_gpu::{GpuError, GpuModel, Session};
use playground_tests::*;

/// The decoder variants: GPT-2's choices (as an imported GPT-2 has them, with tanh GELU), and
/// every other norm, norm position, position scheme, FFN and head, at odd sizes (C = 18 and
/// 10 run the few-rows matmuls whose K is not a multiple of 4 on the tiled kernel).
fn variants() -> Vec<(&'static str, ModelConfig)> {
    let base = ModelConfig { vocab_size: 23, block_size: 11, n_layer: 2, n_head: 3, n_embd: 18, ..ModelConfig::default() };
    vec![
        // C a multiple of 4: every matmul of a one-token step takes the skinny kernel
        ("gpt2", ModelConfig { ffn: Ffn::GeluTanh, n_embd: 20, n_head: 5, ..base }),
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
        ("rotary swiglu rmsnorm", ModelConfig { positions: Positions::Rotary, ffn: Ffn::SwiGlu, norm: Norm::RmsNorm, n_embd: 24, ..base }),
        (
            "post-norm rotary gelu, one head",
            ModelConfig { norm_position: NormPosition::Post, positions: Positions::Rotary, n_head: 1, n_embd: 10, ..base },
        ),
        (
            "llama: 6 heads over 2 key/value heads, rotary rmsnorm swiglu, no biases, untied",
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
        ("qwen2-style biases, 6 heads over 3", ModelConfig { n_head: 6, n_kv_head: Some(3), linear_bias: LinearBias::QkvOnly, ..base }),
    ]
}

/// The full forward's logits (T, V) of `tokens`.
fn full_logits(model: &CpuModel, tokens: &[u32]) -> Vec<f32> {
    model.forward(tokens, &TraceRequest::keys(&["logits"]).unwrap()).unwrap().trace[0].data.clone()
}

#[test]
fn cpu_incremental_logits_equal_the_full_forward_at_every_position() {
    for (name, cfg) in variants() {
        let m = spread_model(cfg, 5);
        let tokens = rand_tokens(cfg.block_size, cfg.vocab_size, 9);
        let want = full_logits(&m, &tokens);
        let mut cache = KvCache::new(&cfg);
        // a prefill of 4 tokens, then one at a time up to the full context
        let mut got = m.forward_cached(&mut cache, &tokens[..4]).unwrap();
        for &tok in &tokens[4..] {
            got.extend(m.forward_cached(&mut cache, &[tok]).unwrap());
        }
        assert_eq!(cache.len(), cfg.block_size);
        assert_close(&format!("cpu cached logits, {name}"), &got, &want, 1e-5, 1e-5);
    }
}

#[test]
fn a_cache_refuses_an_encoder_a_full_window_and_bad_tokens() {
    let cfg = variants()[0].1;
    let m = spread_model(cfg, 1);
    let mut cache = KvCache::new(&cfg);
    m.forward_cached(&mut cache, &rand_tokens(cfg.block_size, cfg.vocab_size, 2)).unwrap();
    let full = m.forward_cached(&mut cache, &[0]).unwrap_err();
    assert!(matches!(full, CoreError::TooLong { t: 12, block_size: 11 }), "{full}");
    cache.clear();
    assert!(matches!(m.forward_cached(&mut cache, &[99]).unwrap_err(), CoreError::TokenOutOfRange { id: 99, .. }));
    assert!(matches!(m.forward_cached(&mut cache, &[]).unwrap_err(), CoreError::EmptyText));
    let enc = ModelConfig { family: Family::Encoder, ..cfg };
    let err = spread_model(enc, 1).forward_cached(&mut KvCache::new(&enc), &[1, 2]).unwrap_err();
    assert!(err.to_string().contains("causal decoder"), "{err}");
}

/// Greedy tokens recomputing the whole context (the last block_size tokens) for each one.
fn greedy_without_cache(m: &CpuModel, prompt: &[u32], n: usize) -> Vec<u32> {
    let (block, v) = (m.config.block_size, m.config.vocab_size);
    let mut ids = prompt.to_vec();
    for _ in 0..n {
        let logits = full_logits(m, &ids[ids.len().saturating_sub(block)..]);
        ids.push(playground_core::model::argmax(&logits[logits.len() - v..]));
    }
    ids[prompt.len()..].to_vec()
}

fn session(gpu: Option<playground_gpu::SharedGpu>, m: &CpuModel) -> Session {
    let chars: String = (0..m.config.vocab_size).map(|i| char::from(b'a' + i as u8)).collect();
    let tokenizer = CharTokenizer::from_text(&chars).unwrap();
    let checkpoint = Checkpoint { config: m.config, tokenizer, params: m.params.clone(), metadata: Default::default() };
    pollster::block_on(Session::new(gpu, checkpoint)).unwrap()
}

#[test]
fn generation_with_the_cache_draws_the_greedy_tokens_of_recomputing_past_the_window_edge() {
    let greedy = SamplingParams { temperature: 0.0, top_k: 0, top_p: 1.0 };
    let mut backends = vec![None];
    backends.extend(gpu_or_skip().map(Some));
    for gpu in backends {
        let on = if gpu.is_some() { "gpu" } else { "cpu" };
        for (name, cfg) in variants() {
            let m = spread_model(cfg, 3);
            let mut s = session(gpu.clone(), &m);
            let prompt = rand_tokens(5, cfg.vocab_size, 4);
            // 5 + 15 tokens: past the 11-token window, where each token recomputes the last 11
            let want = greedy_without_cache(&m, &prompt, 15);
            let got = pollster::block_on(s.generate(&prompt, 15, &greedy, &mut Rng::new(1))).unwrap();
            assert_eq!(got, want, "{on}, {name}: greedy tokens with and without the cache");
        }
    }
}

#[test]
fn gpu_incremental_logits_equal_the_full_forward_at_every_position() {
    let Some(gpu) = gpu_or_skip() else { return };
    for (name, cfg) in variants() {
        let m = spread_model(cfg, 6);
        let tokens = rand_tokens(cfg.block_size, cfg.vocab_size, 8);
        let want = full_logits(&m, &tokens);
        let mut g = pollster::block_on(GpuModel::new(gpu.clone(), cfg, &m.params, 1)).unwrap();
        // a prefill of 3 tokens, 3 at once (the few-rows path), then one at a time
        let mut got = pollster::block_on(g.forward_cached(&tokens[..3], true)).unwrap();
        got.extend(pollster::block_on(g.forward_cached(&tokens[3..6], false)).unwrap());
        for &tok in &tokens[6..] {
            got.extend(pollster::block_on(g.forward_cached(&[tok], false)).unwrap());
        }
        assert_close(&format!("gpu cached logits, {name}"), &got, &want, 1e-4, 1e-4);
        // a restart forgets the cache: the same prefill gives the same logits
        let again = pollster::block_on(g.forward_cached(&tokens[..3], true)).unwrap();
        assert_close(&format!("gpu cached logits after a restart, {name}"), &again, &got[..3 * cfg.vocab_size], 0.0, 0.0);
        let full = pollster::block_on(g.forward_cached(&tokens, false)).unwrap_err();
        assert!(matches!(full, GpuError::Core(CoreError::TooLong { .. })), "{full}");
    }
}
