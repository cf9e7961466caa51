//! Hugging Face GPT-2 checkpoints (`GPT2LMHeadModel.save_pretrained`, or the hub's
//! `model.safetensors`) mapped onto this engine's `ParamLayout`.
//!
//! Hugging Face names the tensors `h.0.attn.c_attn.weight`, ..., optionally under
//! `transformer.`; its `Conv1D` weights are stored (in, out), the transpose of nanoGPT's
//! `nn.Linear` (out, in), so every block matrix is transposed on the way in. The causal-mask
//! buffers `attn.bias` and `attn.masked_bias` are ignored; `lm_head.weight`, where stored, must
//! equal the token embedding (GPT-2 ties them). The sizes come from the tensors' shapes; the
//! number of heads from `config.json` when given, else GPT-2's head size of 64.

use crate::config::{Ffn, ModelConfig};
use crate::error::CoreError;
use crate::hf::weights::{bf16_to_f32, f16_to_f32};
use crate::params::ParamLayout;
use safetensors::tensor::{Dtype, SafeTensors, TensorView};
use serde::Deserialize;

/// GPT-2's head size in every released size (small, medium, large, XL).
pub const GPT2_HEAD_SIZE: usize = 64;
/// The engine's LayerNorm epsilon, GPT-2's `layer_norm_epsilon`.
const LAYER_NORM_EPS: f64 = 1e-5;

/// A GPT-2 in this engine's layout: its config and its flat parameters.
#[derive(Clone, Debug, PartialEq)]
pub struct ImportedGpt2 {
    pub config: ModelConfig,
    pub params: Vec<f32>, // (ParamLayout::new(&config).padded_len())
}

fn not_gpt2(reason: impl Into<String>) -> CoreError {
    CoreError::HfNotGpt2 { reason: reason.into() }
}

/// Reads a Hugging Face GPT-2: `weights` is the safetensors file, `config_json` its
/// `config.json` where the user gave it.
pub fn import_hf_gpt2(weights: &[u8], config_json: Option<&str>) -> Result<ImportedGpt2, CoreError> {
    import_hf_gpt2_checked(weights, config_json, |_| Ok(()))
}

/// `import_hf_gpt2`, asking `fits` about the config before the parameters are allocated (the
/// wasm facade refuses what its memory cannot hold there).
pub fn import_hf_gpt2_checked(
    weights: &[u8],
    config_json: Option<&str>,
    fits: impl FnOnce(&ModelConfig) -> Result<(), CoreError>,
) -> Result<ImportedGpt2, CoreError> {
    let st = SafeTensors::deserialize(weights).map_err(|e| CoreError::HfNotSafetensors { reason: e.to_string() })?;
    let names = st.names();
    let prefix = if names.contains(&"transformer.wte.weight") {
        "transformer."
    } else if names.contains(&"wte.weight") {
        ""
    } else {
        return Err(not_gpt2("no token embedding wte.weight (or transformer.wte.weight); is this a GPT-2 file?"));
    };
    let shape = |name: &str| -> Result<Vec<usize>, CoreError> {
        let full = format!("{prefix}{name}");
        st.tensor(&full).map(|t| t.shape().to_vec()).map_err(|_| CoreError::HfMissingTensor { name: full })
    };
    let (wte, wpe) = (shape("wte.weight")?, shape("wpe.weight")?);
    let [vocab_size, n_embd] = wte[..] else {
        return Err(CoreError::HfShape { name: format!("{prefix}wte.weight"), expected: vec![0, 0], got: wte });
    };
    let [block_size, wpe_width] = wpe[..] else {
        return Err(CoreError::HfShape { name: format!("{prefix}wpe.weight"), expected: vec![0, n_embd], got: wpe });
    };
    if wpe_width != n_embd {
        return Err(CoreError::HfShape { name: format!("{prefix}wpe.weight"), expected: vec![block_size, n_embd], got: wpe });
    }
    let n_layer = count_layers(&names, prefix);
    if n_layer == 0 {
        return Err(not_gpt2(format!("no transformer blocks ({prefix}h.0.*)")));
    }
    let config = match config_json {
        Some(json) => config_from_json(json, [vocab_size, block_size, n_layer, n_embd])?,
        None => default_config([vocab_size, block_size, n_layer, n_embd])?,
    };
    let layout = ParamLayout::new(&config);
    // every tensor is found with its shape before anything is allocated: the config sizes the
    // parameters, so the file must hold them (a header of empty tensors must not cost gigabytes)
    let mut found = Vec::with_capacity(layout.tensors().len());
    for t in layout.tensors() {
        let hf_name = format!("{prefix}{}", t.name.strip_prefix("transformer.").unwrap_or(&t.name));
        // Conv1D stores (in, out): the block matrices arrive transposed; the embeddings do not
        let transposed = t.shape.len() == 2 && t.name.contains(".h.");
        let hf_shape: Vec<usize> = if transposed { t.shape.iter().rev().copied().collect() } else { t.shape.clone() };
        let view = st.tensor(&hf_name).map_err(|_| CoreError::HfMissingTensor { name: hf_name.clone() })?;
        if view.shape() != hf_shape {
            return Err(CoreError::HfShape { name: hf_name, expected: hf_shape, got: view.shape().to_vec() });
        }
        if !matches!(view.dtype(), Dtype::F32 | Dtype::F16 | Dtype::BF16) {
            return Err(CoreError::HfDtype { name: hf_name, dtype: format!("{:?}", view.dtype()) });
        }
        found.push((t, hf_name, transposed, hf_shape, view));
    }
    fits(&config)?;
    let mut params = vec![0.0f32; layout.padded_len()];
    let mut expected: Vec<String> = Vec::new();
    for (t, hf_name, transposed, hf_shape, view) in found {
        let values = read_values(&hf_name, &view, &hf_shape)?;
        let out = t.span.of_mut(&mut params);
        if transposed {
            let (rows, cols) = (hf_shape[0], hf_shape[1]); // (in, out) → ours (out, in)
            for i in 0..rows {
                for o in 0..cols {
                    out[o * rows + i] = values[i * cols + o];
                }
            }
        } else {
            out.copy_from_slice(&values);
        }
        expected.push(hf_name);
    }
    for name in &names {
        let ignored = name.ends_with(".attn.bias") || name.ends_with(".attn.masked_bias") || *name == "lm_head.weight";
        if !ignored && !expected.iter().any(|e| e == name) {
            return Err(not_gpt2(format!("unexpected tensor {name:?} for a GPT-2 with {n_layer} layers")));
        }
    }
    if let Ok(head) = st.tensor("lm_head.weight") {
        if read_values("lm_head.weight", &head, &[vocab_size, n_embd])? != layout.wte.of(&params) {
            return Err(not_gpt2("lm_head.weight differs from wte.weight; the playground runs GPT-2's tied head only"));
        }
    }
    Ok(ImportedGpt2 { config, params })
}

/// Blocks are numbered 0..L without gaps: L is one past the last `h.{l}.ln_1.weight`.
fn count_layers(names: &[&str], prefix: &str) -> usize {
    (0..).take_while(|l| names.contains(&format!("{prefix}h.{l}.ln_1.weight").as_str())).count()
}

/// GPT-2 as released: tanh GELU, head size 64.
fn default_config([vocab_size, block_size, n_layer, n_embd]: [usize; 4]) -> Result<ModelConfig, CoreError> {
    if !n_embd.is_multiple_of(GPT2_HEAD_SIZE) {
        return Err(not_gpt2(format!(
            "the width {n_embd} is not a multiple of GPT-2's head size {GPT2_HEAD_SIZE}, so the number of heads is unknown: drop config.json too"
        )));
    }
    let config = ModelConfig {
        vocab_size,
        block_size,
        n_layer,
        n_head: n_embd / GPT2_HEAD_SIZE,
        n_embd,
        ffn: Ffn::GeluTanh,
        ..ModelConfig::default()
    };
    config.validate()?;
    Ok(config)
}

/// The fields of Hugging Face's `config.json` the import reads; the others are skipped.
/// Read as typed fields rather than a `serde_json::Value`, whose code the wasm would carry
/// for this alone.
#[derive(Deserialize)]
struct HfConfig {
    model_type: Option<String>,
    vocab_size: Option<u64>,
    n_positions: Option<u64>,
    n_layer: Option<u64>,
    n_embd: Option<u64>,
    n_head: Option<u64>,
    n_inner: Option<u64>,
    activation_function: Option<String>,
    layer_norm_epsilon: Option<f64>,
    tie_word_embeddings: Option<bool>,
    scale_attn_by_inverse_layer_idx: Option<bool>,
    reorder_and_upcast_attn: Option<bool>,
    scale_attn_weights: Option<bool>,
}

/// The config from Hugging Face's `config.json`, checked against the tensors' sizes and for
/// the options this engine does not run.
fn config_from_json(json: &str, sizes: [usize; 4]) -> Result<ModelConfig, CoreError> {
    let v: HfConfig = serde_json::from_str(json).map_err(|e| match e.classify() {
        serde_json::error::Category::Data => not_gpt2(format!("config.json has a field of the wrong type ({e})")),
        _ => not_gpt2(format!("config.json is not valid JSON ({e})")),
    })?;
    let model_type = v.model_type.as_deref().unwrap_or("");
    if model_type != "gpt2" {
        return Err(not_gpt2(format!("config.json says model_type {model_type:?}, not \"gpt2\"")));
    }
    let uint = |x: Option<u64>| x.map(|x| x as usize);
    let [vocab_size, block_size, n_layer, n_embd] = sizes;
    let declared = [
        ("vocab_size", v.vocab_size, vocab_size),
        ("n_positions", v.n_positions, block_size),
        ("n_layer", v.n_layer, n_layer),
        ("n_embd", v.n_embd, n_embd),
    ];
    for (key, declared, from_tensors) in declared {
        if let Some(declared) = uint(declared) {
            if declared != from_tensors {
                return Err(not_gpt2(format!("config.json says {key} = {declared} but the weights have {from_tensors}")));
            }
        }
    }
    let n_head = uint(v.n_head).ok_or_else(|| not_gpt2("config.json has no n_head"))?;
    let ffn = match v.activation_function.as_deref().unwrap_or("gelu_new") {
        "gelu_new" | "gelu_pytorch_tanh" => Ffn::GeluTanh,
        "gelu" => Ffn::Gelu,
        other => return Err(not_gpt2(format!("activation_function {other:?} (the playground runs gelu_new and gelu)"))),
    };
    if let Some(inner) = uint(v.n_inner) {
        if inner != 4 * n_embd {
            return Err(not_gpt2(format!("n_inner = {inner}; the playground's MLP is 4·n_embd = {} wide", 4 * n_embd)));
        }
    }
    let eps = v.layer_norm_epsilon.unwrap_or(LAYER_NORM_EPS);
    if (eps - LAYER_NORM_EPS).abs() > 1e-12 {
        return Err(not_gpt2(format!("layer_norm_epsilon = {eps}; the playground's LayerNorm uses {LAYER_NORM_EPS}")));
    }
    if v.tie_word_embeddings == Some(false) {
        return Err(not_gpt2("tie_word_embeddings is false; the playground runs GPT-2's tied head only"));
    }
    for (key, flag) in
        [("scale_attn_by_inverse_layer_idx", v.scale_attn_by_inverse_layer_idx), ("reorder_and_upcast_attn", v.reorder_and_upcast_attn)]
    {
        if flag == Some(true) {
            return Err(not_gpt2(format!("{key} is true; the playground's attention does not do this")));
        }
    }
    if v.scale_attn_weights == Some(false) {
        return Err(not_gpt2("scale_attn_weights is false; the playground scales attention by 1/√head_size"));
    }
    let config = ModelConfig { vocab_size, block_size, n_layer, n_head, n_embd, ffn, ..ModelConfig::default() };
    config.validate()?;
    Ok(config)
}

/// One tensor as f32 (F16 and BF16 widened), checked for shape and finiteness.
fn read_values(name: &str, view: &TensorView, shape: &[usize]) -> Result<Vec<f32>, CoreError> {
    if view.shape() != shape {
        return Err(CoreError::HfShape { name: name.into(), expected: shape.to_vec(), got: view.shape().to_vec() });
    }
    let data = view.data();
    let values: Vec<f32> = match view.dtype() {
        Dtype::F32 => data.chunks_exact(4).map(|b| f32::from_le_bytes([b[0], b[1], b[2], b[3]])).collect(),
        Dtype::BF16 => data.chunks_exact(2).map(|b| bf16_to_f32(u16::from_le_bytes([b[0], b[1]]))).collect(),
        Dtype::F16 => data.chunks_exact(2).map(|b| f16_to_f32(u16::from_le_bytes([b[0], b[1]]))).collect(),
        other => return Err(CoreError::HfDtype { name: name.into(), dtype: format!("{other:?}") }),
    };
    if let Some(index) = values.iter().position(|x| !x.is_finite()) {
        return Err(CoreError::HfNonFinite { name: name.into(), value: values[index], index });
    }
    Ok(values)
}
