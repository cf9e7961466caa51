//! The whole forward pass and its trace, GPU vs CPU reference, on several shapes.

use playground_core::config::{Ffn, Norm, Positions};
use playground_core::trace::TraceKey;
use playground_core::{CpuModel, Family, ModelConfig, TraceRequest};
use playground_gpu::GpuModel;
use playground_tests::*;

/// Every trace key of a model, for a full comparison.
fn all_keys(cfg: &ModelConfig) -> Vec<String> {
    let mut keys: Vec<String> = ["tokens", "embed.tok", "embed.pos", "embed", "lnf", "logits", "probs"].map(String::from).to_vec();
    if cfg.positions == Positions::Rotary {
        keys.retain(|k| k != "embed.pos"); // positions turn q and k inside attention instead
    }
    for l in 0..cfg.n_layer {
        for k in ["ln1", "attn.concat", "attn.proj", "res1", "ln2", "ffn.pre", "ffn.act", "ffn.out", "residual"] {
            keys.push(format!("block{l}.{k}"));
        }
        for h in 0..cfg.n_head {
            for p in ["q", "k", "v", "scores", "att", "out"] {
                keys.push(format!("block{l}.head{h}.{p}"));
            }
        }
    }
    keys
}

#[test]
fn gpu_forward_and_trace_match_cpu() {
    let Some(gpu) = gpu_or_skip() else { return };
    let configs = [
        ModelConfig { vocab_size: 11, block_size: 8, n_layer: 1, n_head: 1, n_embd: 4, ..ModelConfig::default() },
        ModelConfig { vocab_size: 37, block_size: 16, n_layer: 2, n_head: 3, n_embd: 15, ..ModelConfig::default() }, // C not a multiple of 4
        ModelConfig { vocab_size: 65, block_size: 32, n_layer: 2, n_head: 4, n_embd: 64, ..ModelConfig::default() },
        // BERT-style encoder: bidirectional attention, every weight of a row nonzero
        ModelConfig {
            vocab_size: 37,
            block_size: 16,
            n_layer: 2,
            n_head: 3,
            n_embd: 15,
            family: Family::Encoder,
            ..ModelConfig::default()
        },
        // Llama-shaped, with its own FFN width, RoPE base and an epsilon far from the default
        // (so that an engine ignoring one of them would not match)
        ModelConfig {
            vocab_size: 37,
            block_size: 16,
            n_layer: 2,
            n_head: 2,
            n_embd: 16,
            norm: Norm::RmsNorm,
            positions: Positions::Rotary,
            ffn: Ffn::SwiGlu,
            tie_head: false,
            ffn_hidden: Some(44),
            rope_theta: 1e6,
            norm_eps: 0.05,
            ..ModelConfig::default()
        },
    ];
    for cfg in configs {
        let cpu = CpuModel::new(cfg, 7).unwrap();
        let mut model = pollster::block_on(GpuModel::new(gpu.clone(), cfg, &cpu.params, 2)).unwrap();
        let request = TraceRequest::keys(&all_keys(&cfg)).unwrap();
        for t in [1, 7, cfg.block_size] {
            let tokens = rand_tokens(t, cfg.vocab_size, t as u64);
            let want = cpu.forward(&tokens, &request).unwrap();
            let got = pollster::block_on(model.forward(&tokens, &request)).unwrap();
            assert_eq!(got.trace.len(), want.trace.len());
            for (g, w) in got.trace.iter().zip(&want.trace) {
                assert_eq!((&g.key, &g.shape, &g.axes), (&w.key, &w.shape, &w.axes));
                let key = TraceKey::parse(&g.key, &cpu.arch).unwrap();
                // the deepest values pass through L blocks of matmuls: relative 1e-4
                let (atol, rtol) = if matches!(key, TraceKey::Tokens(_) | TraceKey::EmbedTok(_) | TraceKey::EmbedPos(_)) {
                    (0.0, 0.0)
                } else {
                    (2e-5, 1e-4)
                };
                assert_close(
                    &format!("{} ({:?} V{} C{} NH{} T{t})", g.key, cfg.family, cfg.vocab_size, cfg.n_embd, cfg.n_head),
                    &g.data,
                    &w.data,
                    atol,
                    rtol,
                );
            }
        }
    }
}

#[test]
fn gpu_forward_reads_back_only_what_was_asked() {
    let Some(gpu) = gpu_or_skip() else { return };
    let cfg = ModelConfig { vocab_size: 20, block_size: 8, n_layer: 2, n_head: 2, n_embd: 8, ..ModelConfig::default() };
    let cpu = CpuModel::new(cfg, 1).unwrap();
    let mut model = pollster::block_on(GpuModel::new(gpu, cfg, &cpu.params, 1)).unwrap();
    let out = pollster::block_on(model.forward(&[1, 2, 3], &TraceRequest::keys(&["block1.head1.att"]).unwrap())).unwrap();
    assert_eq!(out.trace.len(), 1);
    assert_eq!(out.trace[0].shape, vec![3, 3]);
    let err = pollster::block_on(model.forward(&[1, 2, 30], &TraceRequest::keys(&["logits"]).unwrap())).unwrap_err();
    assert!(err.to_string().contains("token id 30"), "{err}");
    let err = pollster::block_on(model.forward(&[1; 9], &TraceRequest::keys(&["logits"]).unwrap())).unwrap_err();
    assert!(err.to_string().contains("exceeds the context length"), "{err}");
    let err = pollster::block_on(model.forward(&[], &TraceRequest::keys(&["logits"]).unwrap())).unwrap_err();
    assert!(err.to_string().contains("empty"), "{err}");
}
