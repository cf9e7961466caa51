//! Hugging Face GPT-2 files (playground_core::gpt2_import): a model written in Hugging Face's
//! layout (Conv1D weights (in, out), names with or without `transformer.`, the mask buffers,
//! the tied lm_head) comes back as exactly the parameters it was written from; broken files are
//! refused with typed errors. The logits against `transformers` itself are checked in
//! tests/python/test_gpt2_import.py.

use crate::alloc_probe::largest_allocation;
use playground_core::config::Ffn;
use playground_core::gpt2_import::import_hf_gpt2;
use playground_core::{CoreError, CpuModel, ModelConfig};
use safetensors::tensor::{Dtype, TensorView};

fn config() -> ModelConfig {
    ModelConfig { vocab_size: 70, block_size: 12, n_layer: 2, n_head: 2, n_embd: 64, ffn: Ffn::GeluTanh, ..ModelConfig::default() }
}

/// The tensors of `model` as Hugging Face's GPT2LMHeadModel names and stores them.
fn hf_tensors(model: &CpuModel, prefix: &str) -> Vec<(String, Vec<usize>, Vec<f32>)> {
    let mut out = Vec::new();
    for t in model.layout().tensors() {
        let name = format!("{prefix}{}", t.name.strip_prefix("transformer.").unwrap());
        let values = t.span.of(&model.params).to_vec();
        if t.shape.len() == 2 && t.name.contains(".h.") {
            let (rows, cols) = (t.shape[0], t.shape[1]); // ours (out, in) → Conv1D (in, out)
            let mut tr = vec![0.0; values.len()];
            for o in 0..rows {
                for i in 0..cols {
                    tr[i * rows + o] = values[o * cols + i];
                }
            }
            out.push((name, vec![cols, rows], tr));
        } else {
            out.push((name, t.shape.clone(), values));
        }
    }
    let t = model.config.block_size;
    for l in 0..model.config.n_layer {
        out.push((format!("{prefix}h.{l}.attn.bias"), vec![1, 1, t, t], vec![1.0; t * t]));
    }
    out.push(("lm_head.weight".into(), vec![model.config.vocab_size, model.config.n_embd], model.layout().wte.of(&model.params).to_vec()));
    out
}

fn write(tensors: &[(String, Vec<usize>, Vec<f32>)]) -> Vec<u8> {
    let bytes: Vec<Vec<u8>> = tensors.iter().map(|(_, _, v)| v.iter().flat_map(|x| x.to_le_bytes()).collect()).collect();
    let views: Vec<(String, TensorView)> =
        tensors.iter().zip(&bytes).map(|((n, s, _), b)| (n.clone(), TensorView::new(Dtype::F32, s.clone(), b).unwrap())).collect();
    safetensors::tensor::serialize(views, None).unwrap()
}

#[test]
fn hugging_face_layout_imports_to_the_same_parameters() {
    let model = CpuModel::new(config(), 9).unwrap();
    for prefix in ["transformer.", ""] {
        let got = import_hf_gpt2(&write(&hf_tensors(&model, prefix)), None).unwrap();
        // no config.json: GPT-2's head size 64 gives the heads, the tanh GELU is GPT-2's
        assert_eq!(got.config, ModelConfig { n_head: 1, ..config() }, "prefix {prefix:?}");
        assert_eq!(got.params, model.params, "prefix {prefix:?}");
    }
    let json = r#"{"model_type": "gpt2", "n_head": 2, "n_layer": 2, "n_embd": 64, "n_positions": 12, "vocab_size": 70,
                   "activation_function": "gelu_new", "layer_norm_epsilon": 1e-5, "n_inner": null}"#;
    assert_eq!(import_hf_gpt2(&write(&hf_tensors(&model, "transformer.")), Some(json)).unwrap().config, config());
}

#[test]
fn broken_files_are_refused_with_typed_errors() {
    let model = CpuModel::new(config(), 9).unwrap();
    let full = hf_tensors(&model, "transformer.");
    let without = |name: &str| write(&full.iter().filter(|t| t.0 != name).cloned().collect::<Vec<_>>());
    let err = import_hf_gpt2(&without("transformer.h.1.mlp.c_fc.bias"), None).unwrap_err();
    assert_eq!(err, CoreError::HfMissingTensor { name: "transformer.h.1.mlp.c_fc.bias".into() });

    let mut wrong = full.clone();
    let proj = wrong.iter_mut().find(|t| t.0 == "transformer.h.0.attn.c_proj.weight").unwrap();
    *proj = (proj.0.clone(), vec![64, 63], vec![0.0; 64 * 63]);
    let err = import_hf_gpt2(&write(&wrong), None).unwrap_err();
    assert_eq!(err, CoreError::HfShape { name: "transformer.h.0.attn.c_proj.weight".into(), expected: vec![64, 64], got: vec![64, 63] });

    assert!(matches!(import_hf_gpt2(&without("transformer.wte.weight"), None), Err(CoreError::HfNotGpt2 { .. })));
    assert!(matches!(import_hf_gpt2(b"not a safetensors file", None), Err(CoreError::HfNotSafetensors { .. })));
    let llama = r#"{"model_type": "llama", "n_head": 2}"#;
    let err = import_hf_gpt2(&write(&full), Some(llama)).unwrap_err();
    assert!(err.to_string().contains("model_type \"llama\""), "{err}");
    let quoted_heads = r#"{"model_type": "gpt2", "n_head": "2"}"#;
    let err = import_hf_gpt2(&write(&full), Some(quoted_heads)).unwrap_err().to_string();
    assert!(err.contains("config.json has a field of the wrong type (invalid type: string \"2\", expected u64"), "{err}");
    let err = import_hf_gpt2(&write(&full), Some("{\"model_type\": ")).unwrap_err().to_string();
    assert!(err.contains("config.json is not valid JSON (EOF while parsing a value"), "{err}");

    let mut untied = full.clone();
    untied.last_mut().unwrap().2[0] += 1.0;
    assert!(import_hf_gpt2(&write(&untied), None).unwrap_err().to_string().contains("lm_head.weight differs"));
}

#[test]
fn empty_tensors_are_refused_before_the_parameters_they_claim_are_allocated() {
    // an 801 KB-sized attack in miniature: a real token and position embedding of width 1536, and
    // 16 blocks whose tensors hold nothing. The layout they imply is 453 M parameters (1.8 GB).
    let c = 1536;
    let mut tensors = vec![
        ("wte.weight".to_string(), vec![2, c], vec![0.5; 2 * c]),
        ("wpe.weight".to_string(), vec![2, c], vec![0.5; 2 * c]),
        ("ln_f.weight".to_string(), vec![0], vec![]),
    ];
    for l in 0..16 {
        for part in ["ln_1.weight", "ln_1.bias", "attn.c_attn.weight", "mlp.c_fc.weight"] {
            tensors.push((format!("h.{l}.{part}"), vec![0], vec![]));
        }
    }
    let file = write(&tensors);
    assert!(file.len() < 100_000, "{} bytes", file.len());
    let (result, largest) = largest_allocation(|| import_hf_gpt2(&file, None));
    assert_eq!(result.unwrap_err(), CoreError::HfShape { name: "h.0.ln_1.weight".into(), expected: vec![c], got: vec![0] });
    assert!(largest < 4 * file.len(), "the import allocated {largest} bytes for a file of {}", file.len());
}
