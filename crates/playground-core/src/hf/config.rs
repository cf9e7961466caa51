//! `config.json` of GPT2LMHeadModel, LlamaForCausalLM and Qwen2ForCausalLM as one typed
//! [`HfConfig`], and the tensors (names and shapes, as the hub's safetensors hold them) such
//! a model has. A config the playground cannot run is refused by the field and value that
//! say so: another `model_type`, a RoPE scaling it does not implement, sliding-window
//! attention, biases other than GPT-2's (all), Llama's (none) or Qwen2's (q, k, v only).
//! Both spellings transformers writes are read: `rope_theta` / `rope_scaling` (4.x) and
//! `rope_parameters` (5.x), `torch_dtype` and `dtype`.

use crate::config::{MAX_EMBD, MAX_HEADS, MAX_LAYERS, MAX_VOCAB};
use crate::error::CoreError;
use serde::{Deserialize, Serialize};

pub const CONFIG_JSON: &str = "config.json";

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub enum HfArchitecture {
    /// GPT2LMHeadModel: learned positions, LayerNorm, GELU MLP, biases everywhere.
    Gpt2,
    /// LlamaForCausalLM (SmolLM, TinyLlama, ...): RoPE, RMSNorm, SwiGLU, no biases.
    Llama,
    /// Qwen2ForCausalLM: Llama's, with biases on q, k and v.
    Qwen2,
}

/// Which linear layers carry a bias.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub enum HfBias {
    All,
    None,
    QkvOnly,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub enum HfActivation {
    /// GELU with the tanh approximation (`gelu_new`, `gelu_pytorch_tanh`).
    GeluTanh,
    /// GELU with erf (`gelu`).
    Gelu,
    /// SiLU, gating SwiGLU (`silu`).
    Silu,
}

/// A model's config.json, checked.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct HfConfig {
    pub architecture: HfArchitecture,
    /// V
    pub vocab_size: usize,
    /// C
    pub hidden_size: usize,
    /// L
    pub num_layers: usize,
    /// NH
    pub num_heads: usize,
    /// Key/value heads: NH for GPT-2, fewer with grouped-query attention.
    pub num_kv_heads: usize,
    /// HS = C / NH
    pub head_dim: usize,
    /// The FFN's hidden width.
    pub intermediate_size: usize,
    /// The longest context the model was trained for.
    pub max_positions: usize,
    pub activation: HfActivation,
    /// LayerNorm's (GPT-2) or RMSNorm's epsilon.
    pub norm_eps: f64,
    /// RoPE's base; `None` for GPT-2's learned positions.
    pub rope_theta: Option<f64>,
    pub tie_word_embeddings: bool,
    pub bias: HfBias,
    /// What the weights are stored as (`float32`, `bfloat16`, ...), where the file says.
    pub dtype: Option<String>,
}

/// The fields read; the others are skipped. Typed rather than a `serde_json::Value`, whose
/// code the wasm would carry for this alone.
#[derive(Deserialize)]
struct ConfigFile {
    model_type: Option<String>,
    architectures: Option<Vec<String>>,
    vocab_size: Option<u64>,
    tie_word_embeddings: Option<bool>,
    torch_dtype: Option<String>,
    dtype: Option<String>,
    // GPT-2's names
    n_positions: Option<u64>,
    n_embd: Option<u64>,
    n_layer: Option<u64>,
    n_head: Option<u64>,
    n_inner: Option<u64>,
    activation_function: Option<String>,
    layer_norm_epsilon: Option<f64>,
    scale_attn_by_inverse_layer_idx: Option<bool>,
    reorder_and_upcast_attn: Option<bool>,
    scale_attn_weights: Option<bool>,
    add_cross_attention: Option<bool>,
    // Llama's and Qwen2's names
    hidden_size: Option<u64>,
    intermediate_size: Option<u64>,
    num_hidden_layers: Option<u64>,
    num_attention_heads: Option<u64>,
    num_key_value_heads: Option<u64>,
    head_dim: Option<u64>,
    max_position_embeddings: Option<u64>,
    hidden_act: Option<String>,
    rms_norm_eps: Option<f64>,
    rope_theta: Option<f64>,
    rope_scaling: Option<Rope>,
    rope_parameters: Option<Rope>,
    attention_bias: Option<bool>,
    mlp_bias: Option<bool>,
    use_sliding_window: Option<bool>,
    layer_types: Option<Vec<String>>,
}

/// `rope_scaling` (4.x) or `rope_parameters` (5.x).
#[derive(Deserialize)]
struct Rope {
    rope_type: Option<String>,
    #[serde(rename = "type")]
    kind: Option<String>,
    rope_theta: Option<f64>,
}

fn unsupported(field: &str, value: impl std::fmt::Display, reason: &str) -> CoreError {
    CoreError::HfUnsupported { file: CONFIG_JSON.into(), field: field.into(), value: value.to_string(), reason: reason.into() }
}

fn invalid(field: &str, reason: impl Into<String>) -> CoreError {
    CoreError::HfInvalid { file: CONFIG_JSON.into(), field: field.into(), reason: reason.into() }
}

/// A required size: present, at least 1, at most `max`.
fn size(field: &str, value: Option<u64>, max: usize) -> Result<usize, CoreError> {
    match value {
        None => Err(invalid(field, "missing")),
        Some(0) => Err(invalid(field, "0; it must be at least 1")),
        Some(v) if v > max as u64 => Err(unsupported(field, v, &format!("the playground supports at most {max}"))),
        Some(v) => Ok(v as usize),
    }
}

impl HfConfig {
    /// Reads and checks config.json.
    pub fn from_json(json: &str) -> Result<HfConfig, CoreError> {
        let f: ConfigFile =
            serde_json::from_str(json).map_err(|e| CoreError::HfJson { file: CONFIG_JSON.into(), message: e.to_string() })?;
        let model_type = f.model_type.as_deref().ok_or_else(|| invalid("model_type", "missing"))?;
        let (architecture, class) = match model_type {
            "gpt2" => (HfArchitecture::Gpt2, "GPT2LMHeadModel"),
            "llama" => (HfArchitecture::Llama, "LlamaForCausalLM"),
            "qwen2" => (HfArchitecture::Qwen2, "Qwen2ForCausalLM"),
            other => {
                return Err(unsupported(
                    "model_type",
                    format!("{other:?}"),
                    "the playground runs gpt2 (GPT2LMHeadModel), llama (LlamaForCausalLM) and qwen2 (Qwen2ForCausalLM)",
                ))
            }
        };
        if let Some(first) = f.architectures.as_ref().and_then(|list| list.first()) {
            if first != class {
                return Err(unsupported("architectures[0]", format!("{first:?}"), &format!("a {model_type} model here is {class}")));
            }
        }
        let dtype = f.torch_dtype.clone().or(f.dtype.clone());
        let vocab_size = size("vocab_size", f.vocab_size, MAX_VOCAB)?;
        match architecture {
            HfArchitecture::Gpt2 => gpt2(&f, vocab_size, dtype),
            HfArchitecture::Llama | HfArchitecture::Qwen2 => llama(&f, architecture, vocab_size, dtype),
        }
    }

    /// Every tensor the weights hold, with its shape, as the hub names them (GPT-2's without
    /// the optional `transformer.` prefix); the tied head's `lm_head.weight` is not listed.
    pub fn tensors(&self) -> Vec<(String, Vec<usize>)> {
        let (v, c, h) = (self.vocab_size, self.hidden_size, self.intermediate_size);
        let (q, kv) = (self.num_heads * self.head_dim, self.num_kv_heads * self.head_dim);
        let mut out: Vec<(String, Vec<usize>)> = Vec::new();
        let mut add = |name: String, shape: &[usize]| out.push((name, shape.to_vec()));
        match self.architecture {
            HfArchitecture::Gpt2 => {
                add("wte.weight".into(), &[v, c]);
                add("wpe.weight".into(), &[self.max_positions, c]);
                for l in 0..self.num_layers {
                    let p = format!("h.{l}.");
                    for (name, shape) in [
                        ("ln_1.weight", &[c][..]),
                        ("ln_1.bias", &[c]),
                        ("attn.c_attn.weight", &[c, 3 * c]), // Conv1D: (in, out)
                        ("attn.c_attn.bias", &[3 * c]),
                        ("attn.c_proj.weight", &[c, c]),
                        ("attn.c_proj.bias", &[c]),
                        ("ln_2.weight", &[c]),
                        ("ln_2.bias", &[c]),
                        ("mlp.c_fc.weight", &[c, h]),
                        ("mlp.c_fc.bias", &[h]),
                        ("mlp.c_proj.weight", &[h, c]),
                        ("mlp.c_proj.bias", &[c]),
                    ] {
                        add(format!("{p}{name}"), shape);
                    }
                }
                add("ln_f.weight".into(), &[c]);
                add("ln_f.bias".into(), &[c]);
            }
            HfArchitecture::Llama | HfArchitecture::Qwen2 => {
                add("model.embed_tokens.weight".into(), &[v, c]);
                for l in 0..self.num_layers {
                    let p = format!("model.layers.{l}.");
                    add(format!("{p}input_layernorm.weight"), &[c]);
                    for (name, rows) in [("q_proj", q), ("k_proj", kv), ("v_proj", kv)] {
                        add(format!("{p}self_attn.{name}.weight"), &[rows, c]); // nn.Linear: (out, in)
                        if self.bias == HfBias::QkvOnly {
                            add(format!("{p}self_attn.{name}.bias"), &[rows]);
                        }
                    }
                    add(format!("{p}self_attn.o_proj.weight"), &[c, q]);
                    add(format!("{p}post_attention_layernorm.weight"), &[c]);
                    add(format!("{p}mlp.gate_proj.weight"), &[h, c]);
                    add(format!("{p}mlp.up_proj.weight"), &[h, c]);
                    add(format!("{p}mlp.down_proj.weight"), &[c, h]);
                }
                add("model.norm.weight".into(), &[c]);
            }
        }
        if !self.tie_word_embeddings {
            out.push(("lm_head.weight".into(), vec![v, c]));
        }
        out
    }

    /// Number of parameters (a tied head counted once).
    pub fn param_count(&self) -> u64 {
        self.tensors().iter().map(|(_, shape)| shape.iter().map(|&d| d as u64).product::<u64>()).sum()
    }
}

fn gpt2(f: &ConfigFile, vocab_size: usize, dtype: Option<String>) -> Result<HfConfig, CoreError> {
    let hidden_size = size("n_embd", f.n_embd, MAX_EMBD)?;
    let num_heads = size("n_head", f.n_head, MAX_HEADS)?;
    if !hidden_size.is_multiple_of(num_heads) {
        return Err(invalid("n_head", format!("{num_heads} does not divide n_embd = {hidden_size}")));
    }
    let activation = match f.activation_function.as_deref().unwrap_or("gelu_new") {
        "gelu_new" | "gelu_pytorch_tanh" => HfActivation::GeluTanh,
        "gelu" => HfActivation::Gelu,
        other => return Err(unsupported("activation_function", format!("{other:?}"), "the playground runs gelu_new and gelu")),
    };
    for (field, flag) in [
        ("scale_attn_by_inverse_layer_idx", f.scale_attn_by_inverse_layer_idx),
        ("reorder_and_upcast_attn", f.reorder_and_upcast_attn),
        ("add_cross_attention", f.add_cross_attention),
    ] {
        if flag == Some(true) {
            return Err(unsupported(field, true, "the playground's GPT-2 attention does not do this"));
        }
    }
    if f.scale_attn_weights == Some(false) {
        return Err(unsupported("scale_attn_weights", false, "the playground scales attention by 1/√head_size"));
    }
    Ok(HfConfig {
        architecture: HfArchitecture::Gpt2,
        vocab_size,
        hidden_size,
        num_layers: size("n_layer", f.n_layer, MAX_LAYERS)?,
        num_heads,
        num_kv_heads: num_heads,
        head_dim: hidden_size / num_heads,
        intermediate_size: match f.n_inner {
            Some(inner) => size("n_inner", Some(inner), 4 * MAX_EMBD)?,
            None => 4 * hidden_size,
        },
        max_positions: size("n_positions", f.n_positions, usize::MAX)?,
        activation,
        norm_eps: eps("layer_norm_epsilon", f.layer_norm_epsilon, 1e-5)?,
        rope_theta: None,
        tie_word_embeddings: f.tie_word_embeddings.unwrap_or(true),
        bias: HfBias::All,
        dtype,
    })
}

fn llama(f: &ConfigFile, architecture: HfArchitecture, vocab_size: usize, dtype: Option<String>) -> Result<HfConfig, CoreError> {
    let hidden_size = size("hidden_size", f.hidden_size, MAX_EMBD)?;
    let num_heads = size("num_attention_heads", f.num_attention_heads, MAX_HEADS)?;
    if !hidden_size.is_multiple_of(num_heads) {
        return Err(invalid("num_attention_heads", format!("{num_heads} does not divide hidden_size = {hidden_size}")));
    }
    let head_dim = hidden_size / num_heads;
    if let Some(given) = f.head_dim.filter(|&d| d as usize != head_dim) {
        return Err(unsupported(
            "head_dim",
            given,
            &format!("the playground's heads split the width: hidden_size / num_attention_heads = {head_dim}"),
        ));
    }
    if head_dim % 2 != 0 {
        return Err(unsupported(
            "hidden_size",
            hidden_size,
            &format!("RoPE turns pairs of channels, so the head width {head_dim} must be even"),
        ));
    }
    let num_kv_heads = match f.num_key_value_heads {
        Some(kv) => size("num_key_value_heads", Some(kv), num_heads)?,
        None => num_heads,
    };
    if !num_heads.is_multiple_of(num_kv_heads) {
        return Err(invalid("num_key_value_heads", format!("{num_kv_heads} does not divide num_attention_heads = {num_heads}")));
    }
    let act = f.hidden_act.as_deref().unwrap_or("silu");
    if act != "silu" {
        return Err(unsupported("hidden_act", format!("{act:?}"), "the playground's SwiGLU gates with silu"));
    }
    let rope_theta = rope_theta(f)?;
    let bias = match architecture {
        HfArchitecture::Qwen2 => HfBias::QkvOnly,
        _ => {
            for (field, flag) in [("attention_bias", f.attention_bias), ("mlp_bias", f.mlp_bias)] {
                if flag == Some(true) {
                    return Err(unsupported(field, true, "the playground's biases are GPT-2's (all), Llama's (none) or Qwen2's (q, k, v)"));
                }
            }
            HfBias::None
        }
    };
    if f.use_sliding_window == Some(true) {
        return Err(unsupported("use_sliding_window", true, "the playground's attention sees the whole context"));
    }
    if let Some((i, kind)) = f.layer_types.iter().flatten().enumerate().find(|(_, kind)| *kind != "full_attention") {
        return Err(unsupported(&format!("layer_types[{i}]"), format!("{kind:?}"), "the playground's attention sees the whole context"));
    }
    Ok(HfConfig {
        architecture,
        vocab_size,
        hidden_size,
        num_layers: size("num_hidden_layers", f.num_hidden_layers, MAX_LAYERS)?,
        num_heads,
        num_kv_heads,
        head_dim,
        intermediate_size: size("intermediate_size", f.intermediate_size, 8 * MAX_EMBD)?,
        max_positions: size("max_position_embeddings", Some(f.max_position_embeddings.unwrap_or(2048)), usize::MAX)?,
        activation: HfActivation::Silu,
        norm_eps: eps("rms_norm_eps", f.rms_norm_eps, 1e-6)?,
        rope_theta: Some(rope_theta),
        tie_word_embeddings: f.tie_word_embeddings.unwrap_or(false),
        bias,
        dtype,
    })
}

/// A positive, finite epsilon, or the default.
fn eps(field: &str, value: Option<f64>, default: f64) -> Result<f64, CoreError> {
    match value {
        None => Ok(default),
        Some(v) if v.is_finite() && v > 0.0 && v < 1.0 => Ok(v),
        Some(v) => Err(unsupported(field, v, "an epsilon is a small positive number")),
    }
}

/// RoPE's base, from `rope_parameters` (5.x) or `rope_theta` (4.x); a scaling other than the
/// default refused.
fn rope_theta(f: &ConfigFile) -> Result<f64, CoreError> {
    for (field, rope) in [("rope_parameters", &f.rope_parameters), ("rope_scaling", &f.rope_scaling)] {
        let Some(rope) = rope else { continue };
        let (key, kind) = match (&rope.rope_type, &rope.kind) {
            (Some(kind), _) => ("rope_type", kind),
            (None, Some(kind)) => ("type", kind),
            (None, None) => continue,
        };
        if kind != "default" {
            return Err(unsupported(
                &format!("{field}.{key}"),
                format!("{kind:?}"),
                "the playground implements RoPE without scaling (\"default\")",
            ));
        }
    }
    let theta = f.rope_parameters.as_ref().and_then(|r| r.rope_theta).or(f.rope_theta).unwrap_or(10_000.0);
    if !(theta.is_finite() && theta > 1.0) {
        return Err(unsupported("rope_theta", theta, "RoPE's base is a number above 1"));
    }
    Ok(theta)
}
