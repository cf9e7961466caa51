//! A Hugging Face model on the playground's architecture description: the [`ModelConfig`] of
//! its config.json, and where each of its stored tensors lands in the flat parameter buffer
//! of that config's [`ParamLayout`].
//!
//! | hub tensor | playground tensor |
//! |---|---|
//! | GPT-2 `h.{l}.attn.c_attn.weight` (C, 3C), Conv1D | `transformer.h.{l}.attn.c_attn.weight` (3C, C), transposed; likewise `c_proj`, `c_fc`, `mlp.c_proj` |
//! | Llama/Qwen2 `self_attn.{q,k,v}_proj` (and Qwen2's biases) | rows 0, C and C + KVC of `attn.c_attn` |
//! | `mlp.gate_proj`, `mlp.up_proj` | rows 0 and H of `mlp.c_fc` (SwiGLU: gate rows first) |
//! | `o_proj`, `down_proj`, `input_layernorm`, `post_attention_layernorm` | `attn.c_proj`, `mlp.c_proj`, `ln_1`, `ln_2` |
//! | `model.embed_tokens`, `model.norm`, `lm_head` | `transformer.wte`, `transformer.ln_f`, `lm_head` |
//!
//! Both put RoPE's pairs at (i, i + HS/2) ("rotate half"), so q and k need no permutation.
//! The weights stream in file by file ([`HfLoadPlan::placements`] for [`WeightStream`]); the
//! Conv1D matrices are turned once all arrived ([`HfLoadPlan::finish`]).

use super::checkpoint::locate_tensors;
use super::config::{HfActivation, HfArchitecture, HfBias, HfConfig};
use super::weights::{SafetensorsHeader, WeightStream};
use crate::config::{Ffn, LinearBias, ModelConfig, Norm, Positions, DEFAULT_ROPE_THETA};
use crate::error::CoreError;
use crate::params::ParamLayout;

impl HfConfig {
    /// The playground's config of this model, attending over at most `context` tokens (a
    /// rotary model's context is free up to what it was trained for; GPT-2's learned
    /// positions fix it to `n_positions`).
    pub fn model_config(&self, context: usize) -> Result<ModelConfig, CoreError> {
        let (positions, block_size) = match self.rope_theta {
            None => (Positions::Learned, self.max_positions),
            Some(_) => (Positions::Rotary, self.max_positions.min(context)),
        };
        let ffn = match self.activation {
            HfActivation::GeluTanh => Ffn::GeluTanh,
            HfActivation::Gelu => Ffn::Gelu,
            HfActivation::Silu => Ffn::SwiGlu,
        };
        let config = ModelConfig {
            vocab_size: self.vocab_size,
            block_size,
            n_layer: self.num_layers,
            n_head: self.num_heads,
            n_kv_head: (self.num_kv_heads != self.num_heads).then_some(self.num_kv_heads),
            n_embd: self.hidden_size,
            norm: if self.architecture == HfArchitecture::Gpt2 { Norm::LayerNorm } else { Norm::RmsNorm },
            positions,
            ffn,
            tie_head: self.tie_word_embeddings,
            linear_bias: match self.bias {
                HfBias::All => LinearBias::All,
                HfBias::None => LinearBias::None,
                HfBias::QkvOnly => LinearBias::QkvOnly,
            },
            rope_theta: self.rope_theta.unwrap_or(DEFAULT_ROPE_THETA),
            norm_eps: self.norm_eps as f32,
            ..ModelConfig::default()
        };
        // written only where it differs from the playground's own width for this activation
        let config = ModelConfig { ffn_hidden: (config.ffn_width() != self.intermediate_size).then_some(self.intermediate_size), ..config };
        config.validate()?;
        Ok(config)
    }
}

/// Where a stored tensor goes: at `offset` of the parameter buffer, and for a Conv1D weight
/// stored (rows, cols), turned into (cols, rows) by `finish`.
#[derive(Clone, Debug, PartialEq, Eq)]
struct Placement {
    file: usize,
    tensor: usize,
    offset: usize,
    transpose: Option<(usize, usize)>,
}

/// How a model's files fill the parameters of its [`ModelConfig`], worked out from the
/// files' headers before anything is allocated.
#[derive(Clone, Debug)]
pub struct HfLoadPlan {
    pub config: ModelConfig,
    pub layout: ParamLayout,
    placements: Vec<Placement>,
}

impl HfLoadPlan {
    /// Checks that `headers` hold exactly the tensors `hf` needs, and places each.
    pub fn new(hf: &HfConfig, headers: &[SafetensorsHeader], context: usize) -> Result<HfLoadPlan, CoreError> {
        let config = hf.model_config(context)?;
        let layout = ParamLayout::new(&config);
        let h = hf.intermediate_size;
        let (q, kv) = (hf.num_heads * hf.head_dim, hf.num_kv_heads * hf.head_dim);
        let mut placements = Vec::new();
        for located in locate_tensors(hf, headers)? {
            let (name, row, transpose) = playground_name(&located.name, &located.shape, hf.architecture, q, kv, h);
            let tensor = layout.find(&name).ok_or_else(|| CoreError::HfInvalid {
                file: headers[located.file].file.clone(),
                field: format!("tensor {:?}", located.name),
                reason: format!("maps to {name:?}, which a model of this config.json does not have"),
            })?;
            // a bias's rows are its values; a weight's rows are C values wide
            let row_len = if tensor.shape.len() == 2 { tensor.shape[1] } else { 1 };
            placements.push(Placement {
                file: located.file,
                tensor: located.tensor,
                offset: tensor.span.offset + row * row_len,
                transpose,
            });
        }
        Ok(HfLoadPlan { config, layout, placements })
    }

    /// Values of the parameter buffer the files fill.
    pub fn params_len(&self) -> usize {
        self.layout.padded_len()
    }

    /// For [`WeightStream::new`]: where each tensor of file `file` goes (`None`: skipped).
    pub fn placements(&self, file: usize, header: &SafetensorsHeader) -> Vec<Option<usize>> {
        let mut out = vec![None; header.tensors.len()];
        for p in self.placements.iter().filter(|p| p.file == file) {
            out[p.tensor] = Some(p.offset);
        }
        out
    }

    /// Turns the Conv1D matrices, once every file has streamed into `params`.
    pub fn finish(&self, params: &mut [f32]) {
        for p in &self.placements {
            if let Some((rows, cols)) = p.transpose {
                let stored = params[p.offset..p.offset + rows * cols].to_vec(); // (rows, cols)
                for (r, row) in stored.chunks_exact(cols).enumerate() {
                    for (k, &value) in row.iter().enumerate() {
                        params[p.offset + k * rows + r] = value; // (cols, rows)
                    }
                }
            }
        }
    }
}

/// A hub tensor's playground name, the row of that tensor it starts at, and whether it is a
/// Conv1D weight stored (in, out).
fn playground_name(
    name: &str,
    shape: &[usize],
    architecture: HfArchitecture,
    q: usize,
    kv: usize,
    h: usize,
) -> (String, usize, Option<(usize, usize)>) {
    if architecture == HfArchitecture::Gpt2 {
        if name == "lm_head.weight" {
            return (name.into(), 0, None);
        }
        let conv1d = name.ends_with(".weight") && shape.len() == 2 && name.starts_with("h.");
        return (format!("transformer.{name}"), 0, conv1d.then(|| (shape[0], shape[1])));
    }
    let whole = |ours: &str| (ours.to_string(), 0, None);
    match name {
        "model.embed_tokens.weight" => return whole("transformer.wte.weight"),
        "model.norm.weight" => return whole("transformer.ln_f.weight"),
        "lm_head.weight" => return whole("lm_head.weight"),
        _ => {}
    }
    let Some((layer, part)) = name.strip_prefix("model.layers.").and_then(|rest| rest.split_once('.')) else {
        return whole(name);
    };
    let block = |ours: &str, row: usize| (format!("transformer.h.{layer}.{ours}"), row, None);
    let kind = if part.ends_with(".bias") { "bias" } else { "weight" };
    match part.rsplit_once('.').map_or(part, |(stem, _)| stem) {
        "input_layernorm" => block("ln_1.weight", 0),
        "post_attention_layernorm" => block("ln_2.weight", 0),
        "self_attn.q_proj" => block(&format!("attn.c_attn.{kind}"), 0),
        "self_attn.k_proj" => block(&format!("attn.c_attn.{kind}"), q),
        "self_attn.v_proj" => block(&format!("attn.c_attn.{kind}"), q + kv),
        "self_attn.o_proj" => block("attn.c_proj.weight", 0),
        "mlp.gate_proj" => block("mlp.c_fc.weight", 0),
        "mlp.up_proj" => block("mlp.c_fc.weight", h),
        "mlp.down_proj" => block("mlp.c_proj.weight", 0),
        _ => whole(name),
    }
}

/// A whole model from its files in memory (native tools and tests; the page streams each
/// file through [`HfLoadPlan::placements`] as it downloads): its config and parameters.
pub fn load_model(hf: &HfConfig, files: &[(String, Vec<u8>)], context: usize) -> Result<(ModelConfig, Vec<f32>), CoreError> {
    load_model_checked(hf, files, context, |_| Ok(()))
}

/// `load_model`, asking `fits` about the config before the parameters are allocated (the wasm
/// facade refuses what its memory cannot hold there).
pub fn load_model_checked(
    hf: &HfConfig,
    files: &[(String, Vec<u8>)],
    context: usize,
    fits: impl FnOnce(&ModelConfig) -> Result<(), CoreError>,
) -> Result<(ModelConfig, Vec<f32>), CoreError> {
    let headers: Vec<SafetensorsHeader> =
        files.iter().map(|(name, bytes)| SafetensorsHeader::parse(name, bytes, bytes.len() as u64)).collect::<Result<_, _>>()?;
    let plan = HfLoadPlan::new(hf, &headers, context)?;
    fits(&plan.config)?;
    let mut params = vec![0.0f32; plan.params_len()];
    for (f, ((_, bytes), header)) in files.iter().zip(&headers).enumerate() {
        let mut stream = WeightStream::new(header, plan.placements(f, header), params.len())?;
        stream.push(bytes, &mut params)?;
        stream.finish()?;
    }
    plan.finish(&mut params);
    Ok((plan.config, params))
}
