//! Hugging Face models on the playground's engines: the fixture checkpoints `transformers`
//! wrote (GPT2LMHeadModel F32, LlamaForCausalLM BF16 with grouped-query attention,
//! Qwen2ForCausalLM F16 with q/k/v biases, a sharded Llama) mapped onto the architecture
//! description give `transformers`' logits on the CPU reference and on the GPU.

use playground_core::config::{Ffn, LinearBias, Norm, Positions};
use playground_core::hf::{load_model, HfConfig};
use playground_core::{CpuModel, TraceRequest};
use playground_gpu::GpuModel;
use playground_tests::*;
use serde_json::Value;

const MODELS: [&str; 4] = ["gpt2_f32", "llama_bf16", "qwen2_f16", "llama_sharded"];

/// reference.json: the input ids and transformers' logits (T, V) for them.
fn reference(dir: &std::path::Path) -> (Vec<u32>, Vec<f32>) {
    let json: Value = serde_json::from_str(&std::fs::read_to_string(dir.join("reference.json")).unwrap()).unwrap();
    let ids = json["ids"].as_array().unwrap().iter().map(|v| v.as_u64().unwrap() as u32).collect();
    let logits = json["logits"].as_array().unwrap().iter().flat_map(|row| row.as_array().unwrap()).map(|v| v.as_f64().unwrap() as f32);
    (ids, logits.collect())
}

#[test]
fn fixture_models_give_the_logits_of_transformers_on_cpu_and_gpu() {
    let Some(fixtures) = hf_fixtures() else { return };
    let gpu = gpu_or_skip();
    let request = TraceRequest::keys(&["logits"]).unwrap();
    for name in MODELS {
        let dir = fixtures.join("models").join(name);
        let (_, files) = hf_weight_files(&dir);
        let (config, params) = load_model(&hf_config(&dir), &files, 64).unwrap_or_else(|e| panic!("{name}: {e}"));
        let (ids, want) = reference(&dir);
        // float32 throughout; the largest logits are a few tens, summed in other orders
        let scale = want.iter().fold(0.0f32, |m, x| m.max(x.abs()));
        let cpu = CpuModel::from_params(config, params.clone()).unwrap().forward(&ids, &request).unwrap();
        assert_close(&format!("{name} cpu (logits up to {scale:.1})"), &cpu.trace[0].data, &want, 1e-4 * scale, 1e-4);
        if let Some(gpu) = &gpu {
            let mut model = pollster::block_on(GpuModel::new(gpu.clone(), config, &params, 1)).unwrap();
            let got = pollster::block_on(model.forward(&ids, &request)).unwrap();
            assert_close(&format!("{name} gpu (logits up to {scale:.1})"), &got.trace[0].data, &want, 1e-4 * scale, 1e-4);
        }
    }
}

#[test]
fn hugging_face_configs_map_onto_the_description() {
    let Some(fixtures) = hf_fixtures() else { return };
    let config = |name: &str| hf_config(&fixtures.join("models").join(name)).model_config(64).unwrap();
    let gpt2 = config("gpt2_f32");
    assert_eq!(
        (gpt2.norm, gpt2.positions, gpt2.ffn, gpt2.linear_bias, gpt2.tie_head),
        (Norm::LayerNorm, Positions::Learned, Ffn::GeluTanh, LinearBias::All, true)
    );
    // learned positions fix the context to n_positions; rotary ones take the one asked for
    assert_eq!((gpt2.block_size, gpt2.n_kv_head, gpt2.ffn_hidden), (128, None, None));
    let llama = config("llama_bf16");
    assert_eq!(
        (llama.norm, llama.positions, llama.ffn, llama.linear_bias),
        (Norm::RmsNorm, Positions::Rotary, Ffn::SwiGlu, LinearBias::None)
    );
    assert_eq!((llama.block_size, llama.n_kv_head, llama.rope_theta, llama.ffn_width()), (64, Some(2), 100000.0, 176));
    let qwen2 = config("qwen2_f16");
    assert_eq!((qwen2.linear_bias, qwen2.tie_head, qwen2.rope_theta, qwen2.norm_eps), (LinearBias::QkvOnly, false, 1e6, 1e-6));
    assert_eq!((qwen2.ffn_hidden, qwen2.ffn_width()), (Some(160), 160));
    // a context beyond what the model was trained for is cut to it
    assert_eq!(hf_config(&fixtures.join("models/llama_sharded")).model_config(100_000).unwrap().block_size, 128);
}

#[test]
fn a_checkpoint_missing_a_shard_or_holding_another_models_tensors_is_refused() {
    let Some(fixtures) = hf_fixtures() else { return };
    let dir = fixtures.join("models/llama_sharded");
    let (_, files) = hf_weight_files(&dir);
    let err = load_model(&hf_config(&dir), &files[1..], 64).unwrap_err();
    assert!(err.to_string().contains("is missing"), "{err}");
    let qwen2 = fixtures.join("models/qwen2_f16");
    let err = load_model(&hf_config(&qwen2), &files, 64).unwrap_err();
    assert!(err.to_string().contains("tensor"), "{err}");
    let gpt2_config = HfConfig::from_json(&std::fs::read_to_string(fixtures.join("models/gpt2_f32/config.json")).unwrap()).unwrap();
    let err = load_model(&gpt2_config, &files, 64).unwrap_err();
    assert!(err.to_string().contains("is missing"), "{err}");
}
