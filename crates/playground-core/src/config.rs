//! `ModelConfig`: the sizes of a decoder-only GPT, validated with errors that name the field
//! and the number that broke it, and checked against a device's limits before anything is
//! allocated.

pub use crate::architecture::{Family, Ffn, LinearBias, Norm, NormPosition, Positions};
use crate::error::CoreError;
use serde::{Deserialize, Serialize};

/// Upper bounds that keep every allocation sized by a config (including one read from an
/// untrusted checkpoint) within what a browser tab can hold.
pub const MAX_VOCAB: usize = 262_144;
pub const MAX_BLOCK: usize = 4096;
pub const MAX_LAYERS: usize = 64;
pub const MAX_HEADS: usize = 64;
pub const MAX_EMBD: usize = 8192;
pub const MAX_CLASSES: usize = 1024;
/// Parameters at most (about 2 GB of f32), checked on the product, not only per field.
pub const MAX_PARAMS: u64 = 500_000_000;

/// The sizes of a transformer (nanoGPT's `GPTConfig`, without dropout) and its architecture.
/// The architecture fields default to GPT-2's choices and are written only when they differ,
/// so a GPT-2-shaped config reads and writes as before.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ModelConfig {
    /// V: number of distinct tokens.
    pub vocab_size: usize,
    /// The context length: the most tokens the model looks at (T ≤ block_size).
    pub block_size: usize,
    /// L: transformer blocks.
    pub n_layer: usize,
    /// NH: attention heads per block.
    pub n_head: usize,
    /// Key/value heads per block (grouped-query attention): each is shared by n_head / n_kv_head
    /// query heads. Absent: one per head (multi-head attention).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub n_kv_head: Option<usize>,
    /// C: width of the residual stream.
    pub n_embd: usize,
    #[serde(default, skip_serializing_if = "is_default")]
    pub family: Family,
    #[serde(default, skip_serializing_if = "is_default")]
    pub norm: Norm,
    #[serde(default, skip_serializing_if = "is_default")]
    pub norm_position: NormPosition,
    #[serde(default, skip_serializing_if = "is_default")]
    pub positions: Positions,
    #[serde(default, skip_serializing_if = "is_default")]
    pub ffn: Ffn,
    /// The output head reuses the token embedding (wte) when true; has its own lm_head when false.
    #[serde(default = "yes", skip_serializing_if = "is_true")]
    pub tie_head: bool,
    /// Encoder family: classes of the [CLS] classifier (0: no classifier).
    #[serde(default, skip_serializing_if = "is_default")]
    pub n_classes: usize,
    /// Which of the blocks' Linear layers carry a bias.
    #[serde(default, skip_serializing_if = "is_default")]
    pub linear_bias: LinearBias,
    /// H, the FFN's hidden width, where it is not the default of [`ModelConfig::ffn_width`]
    /// (a Hugging Face model's `intermediate_size`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ffn_hidden: Option<usize>,
    /// RoPE's base θ: pair i of a head turns by p·θ^(−2i/HS) at position p. 10000 as in
    /// RoFormer; SmolLM2 uses 100000, Qwen2 1000000.
    #[serde(default = "default_rope_theta", skip_serializing_if = "is_default_rope_theta")]
    pub rope_theta: f64,
    /// ε of every LayerNorm or RMSNorm: 1e-5 as GPT-2; Llama and Qwen2 use 1e-6.
    #[serde(default = "default_norm_eps", skip_serializing_if = "is_default_norm_eps")]
    pub norm_eps: f32,
}

/// RoFormer's base, the default [`ModelConfig::rope_theta`].
pub const DEFAULT_ROPE_THETA: f64 = crate::cpu::positions::BASE;
/// GPT-2's `layer_norm_epsilon`, the default [`ModelConfig::norm_eps`].
pub const DEFAULT_NORM_EPS: f32 = 1e-5;

fn default_rope_theta() -> f64 {
    DEFAULT_ROPE_THETA
}

fn is_default_rope_theta(value: &f64) -> bool {
    *value == DEFAULT_ROPE_THETA
}

fn default_norm_eps() -> f32 {
    DEFAULT_NORM_EPS
}

fn is_default_norm_eps(value: &f32) -> bool {
    *value == DEFAULT_NORM_EPS
}

fn is_default<T: Default + PartialEq>(value: &T) -> bool {
    *value == T::default()
}

fn yes() -> bool {
    true
}

fn is_true(value: &bool) -> bool {
    *value
}

impl Default for ModelConfig {
    /// The page's default model: printable ASCII and the newline, 64 tokens of context, two
    /// blocks of four heads, width 64, GPT-2's architecture.
    fn default() -> Self {
        ModelConfig {
            vocab_size: 96,
            block_size: 64,
            n_layer: 2,
            n_head: 4,
            n_kv_head: None,
            n_embd: 64,
            family: Family::default(),
            norm: Norm::default(),
            norm_position: NormPosition::default(),
            positions: Positions::default(),
            ffn: Ffn::default(),
            tie_head: true,
            n_classes: 0,
            ffn_hidden: None,
            rope_theta: DEFAULT_ROPE_THETA,
            norm_eps: DEFAULT_NORM_EPS,
            linear_bias: LinearBias::All,
        }
    }
}

/// The limits of a GPU device that decide whether a model fits, in core's own terms so the
/// check runs before any GPU buffer exists (wgpu's `Limits` are mapped onto this).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeviceLimits {
    pub max_buffer_size: u64,
    pub max_storage_buffer_binding_size: u64,
    pub max_compute_workgroups_per_dimension: u32,
}

impl DeviceLimits {
    /// The WebGPU defaults every adapter offers.
    pub const WEBGPU_DEFAULT: DeviceLimits = DeviceLimits {
        max_buffer_size: 256 << 20,
        max_storage_buffer_binding_size: 128 << 20,
        max_compute_workgroups_per_dimension: 65535,
    };
}

impl ModelConfig {
    /// HS: channels per head.
    pub fn head_size(&self) -> usize {
        self.n_embd / self.n_head
    }

    /// NKV: key/value heads per block.
    pub fn kv_heads(&self) -> usize {
        self.n_kv_head.unwrap_or(self.n_head)
    }

    /// KVC: width of the keys (and of the values) of every head, NKV·HS.
    pub fn kv_width(&self) -> usize {
        self.kv_heads() * self.head_size()
    }

    /// Whether self-attention hides the future: true for GPT (and the decoder of an
    /// encoder-decoder), false for the bidirectional encoder.
    pub fn causal(&self) -> bool {
        self.family != Family::Encoder
    }

    /// The ids a training target may take: the classes of a [CLS] classifier, else the vocabulary.
    pub fn target_range(&self) -> usize {
        if self.n_classes > 0 {
            self.n_classes
        } else {
            self.vocab_size
        }
    }

    /// H: width of the feed-forward hidden layer after its activation: `ffn_hidden` where
    /// set, else 4·C, as in GPT-2, for the one-matrix activations; for SwiGLU LLaMA's 8·C/3
    /// rounded up to a multiple of 8, so its three matrices (gate, up: H×C; down: C×H) hold
    /// about as many weights as GPT-2's two.
    pub fn ffn_width(&self) -> usize {
        if let Some(width) = self.ffn_hidden {
            return width;
        }
        match self.ffn {
            Ffn::SwiGlu => (8 * self.n_embd).div_ceil(3).next_multiple_of(8),
            Ffn::Gelu | Ffn::GeluTanh | Ffn::Relu => 4 * self.n_embd,
        }
    }

    /// Width of `mlp.c_fc`'s output: H, or 2·H for SwiGLU, whose gate and up projections are
    /// stored as one (2H, C) matrix (gate rows first), as Q, K and V share `c_attn`.
    pub fn fc_width(&self) -> usize {
        match self.ffn {
            Ffn::SwiGlu => 2 * self.ffn_width(),
            Ffn::Gelu | Ffn::GeluTanh | Ffn::Relu => self.ffn_width(),
        }
    }

    /// Checks every field and their relations; the first problem is returned.
    pub fn validate(&self) -> Result<(), CoreError> {
        fn range(field: &'static str, value: usize, max: usize) -> Result<(), CoreError> {
            if value == 0 {
                return Err(CoreError::Config { field, value: 0, reason: "must be at least 1".into() });
            }
            if value > max {
                return Err(CoreError::Config { field, value: value as u64, reason: format!("the playground supports at most {max}") });
            }
            Ok(())
        }
        range("vocab_size", self.vocab_size, MAX_VOCAB)?;
        range("block_size", self.block_size, MAX_BLOCK)?;
        range("n_layer", self.n_layer, MAX_LAYERS)?;
        range("n_head", self.n_head, MAX_HEADS)?;
        range("n_embd", self.n_embd, MAX_EMBD)?;
        if !self.n_embd.is_multiple_of(self.n_head) {
            return Err(CoreError::Config {
                field: "n_embd",
                value: self.n_embd as u64,
                reason: format!("must be divisible by n_head = {} so every head gets the same width", self.n_head),
            });
        }
        self.check_architecture()?;
        let params = self.param_count_u64();
        if params > MAX_PARAMS {
            return Err(CoreError::Config {
                field: "parameters",
                value: params,
                reason: format!("the playground supports at most {MAX_PARAMS} parameters"),
            });
        }
        Ok(())
    }

    /// Checks the architecture choices against the sizes, naming the field.
    fn check_architecture(&self) -> Result<(), CoreError> {
        if self.positions == Positions::Rotary && !self.head_size().is_multiple_of(2) {
            return Err(CoreError::Config {
                field: "n_embd",
                value: self.n_embd as u64,
                reason: format!(
                    "rotary positions turn pairs of channels, so each head needs an even width; n_embd / n_head = {}",
                    self.head_size()
                ),
            });
        }
        if let Some(width) = self.ffn_hidden.filter(|&w| w == 0 || w > 8 * MAX_EMBD) {
            return Err(CoreError::Config {
                field: "ffn_hidden",
                value: width as u64,
                reason: format!("the FFN's width must be between 1 and {}", 8 * MAX_EMBD),
            });
        }
        if !(self.rope_theta.is_finite() && self.rope_theta > 1.0) {
            return Err(CoreError::Architecture {
                field: "rope_theta",
                value: self.rope_theta.to_string(),
                reason: "RoPE's base is a number above 1".into(),
            });
        }
        if !(self.norm_eps.is_finite() && self.norm_eps > 0.0 && self.norm_eps < 1.0) {
            return Err(CoreError::Architecture {
                field: "norm_eps",
                value: self.norm_eps.to_string(),
                reason: "a norm's epsilon is a small positive number".into(),
            });
        }
        let nkv = self.kv_heads();
        if nkv == 0 || nkv > self.n_head || !self.n_head.is_multiple_of(nkv) {
            return Err(CoreError::Config {
                field: "n_kv_head",
                value: nkv as u64,
                reason: format!("must divide n_head = {}, so that every key/value head serves as many query heads", self.n_head),
            });
        }
        if self.n_classes > MAX_CLASSES {
            return Err(CoreError::Config {
                field: "n_classes",
                value: self.n_classes as u64,
                reason: format!("the playground supports at most {MAX_CLASSES} classes"),
            });
        }
        if self.n_classes != 0 && self.family != Family::Encoder {
            return Err(CoreError::Config {
                field: "n_classes",
                value: self.n_classes as u64,
                reason: "only the encoder family has a [CLS] classifier".into(),
            });
        }
        Ok(())
    }

    /// Number of trainable parameters (a tied head counted once).
    pub fn param_count(&self) -> usize {
        self.param_count_u64() as usize
    }

    fn param_count_u64(&self) -> u64 {
        let (v, t, c, l) = (self.vocab_size as u64, self.block_size as u64, self.n_embd as u64, self.n_layer as u64);
        let (h, fc, kvc) = (self.ffn_width() as u64, self.fc_width() as u64, self.kv_width() as u64);
        let norm = match self.norm {
            Norm::LayerNorm => 2 * c, // weight and bias
            Norm::RmsNorm => c,       // weight
        };
        // a Linear layer of `inp` → `out`, with its bias where the config gives it one
        let linear = |inp: u64, out: u64, bias: bool| inp * out + if bias { out } else { 0 };
        let (qkv_bias, bias) = (self.linear_bias.qkv(), self.linear_bias.others());
        let per_block = norm                      // ln_1
            + linear(c, c + 2 * kvc, qkv_bias)    // c_attn
            + linear(c, c, bias)                  // attn.c_proj
            + norm                                // ln_2
            + linear(c, fc, bias)                 // c_fc
            + linear(h, c, bias); // mlp.c_proj
                                  // an encoder-decoder's cross-attention: ln_x, c_q, c_kv, c_proj
        let cross = norm + linear(c, c, qkv_bias) + linear(c, 2 * kvc, qkv_bias) + linear(c, c, bias);
        let wpe = if self.positions == Positions::Learned { t * c } else { 0 };
        let lm_head = if self.tie_head { 0 } else { v * c };
        let k = self.n_classes as u64; // [CLS] classifier
        let decoder = match self.family {
            // ln_e, then per decoder block: a block and its cross-attention
            Family::EncoderDecoder => norm + l * (per_block + cross),
            Family::Decoder | Family::Encoder => 0,
        };
        v * c + wpe + l * per_block + decoder + norm + lm_head + k * c + k
    }

    /// Checks that a model of this config, run with batches of `batch` rows of `block_size`
    /// tokens, fits `limits`. Each tensor must fit one storage binding; the kernels' grids
    /// are two-dimensional, so only absurd sizes exceed the workgroup count. `can_split`: the
    /// model may split its parameters over several buffers and its token embedding over
    /// several bindings (`GpuModel` does), so only the activations must fit one binding each.
    pub fn check_device(&self, batch: usize, limits: &DeviceLimits, can_split: bool) -> Result<(), CoreError> {
        self.validate()?;
        if batch == 0 {
            return Err(CoreError::Config { field: "batch_size", value: 0, reason: "must be at least 1".into() });
        }
        for (what, elements, splittable) in self.largest_tensors(batch) {
            if can_split && splittable {
                continue;
            }
            let bytes = elements * 4;
            if bytes > limits.max_storage_buffer_binding_size {
                return Err(CoreError::DeviceLimit {
                    what,
                    needed: bytes,
                    allowed: limits.max_storage_buffer_binding_size,
                    limit: "maxStorageBufferBindingSize",
                });
            }
        }
        let params_bytes = crate::params::ParamLayout::new(self).padded_len() as u64 * 4;
        if !can_split && params_bytes > limits.max_buffer_size {
            return Err(CoreError::DeviceLimit {
                what: "all parameters in one buffer".into(),
                needed: params_bytes,
                allowed: limits.max_buffer_size,
                limit: "maxBufferSize",
            });
        }
        let rows = (batch * self.block_size) as u64;
        let max_groups = limits.max_compute_workgroups_per_dimension as u64;
        // Elementwise kernels cover at most max_groups² workgroups of 64 invocations.
        if rows * self.fc_width() as u64 > max_groups * max_groups * 64 {
            return Err(CoreError::DeviceLimit {
                what: "FFN activations".into(),
                needed: rows * self.fc_width() as u64,
                allowed: max_groups * max_groups * 64,
                limit: "maxComputeWorkgroupsPerDimension",
            });
        }
        // The matmuls put one workgroup per tile of 64 rows (their smallest) along y, which
        // the grid does not wrap: 65,535 tiles are 4,194,240 rows of a batch.
        if rows.div_ceil(64) > max_groups {
            return Err(CoreError::DeviceLimit {
                what: "rows of a batch (B×T) in 64-row matmul tiles".into(),
                needed: rows,
                allowed: max_groups * 64,
                limit: "maxComputeWorkgroupsPerDimension",
            });
        }
        Ok(())
    }

    /// The largest single tensors a run with `batch` rows allocates, by name and element
    /// count, and whether a split model spreads it over several bindings.
    fn largest_tensors(&self, batch: usize) -> Vec<(String, u64, bool)> {
        let (b, t, c, v, nh) = (batch as u64, self.block_size as u64, self.n_embd as u64, self.vocab_size as u64, self.n_head as u64);
        let fc = self.fc_width() as u64;
        let lm_head = if self.tie_head { 0 } else { v * c };
        vec![
            ("token embedding wte (V×C)".into(), v * c, true),
            // bound whole by the head's matmul (only wte is cut into vocabulary chunks)
            ("output head lm_head (V×C)".into(), lm_head, false),
            ("FFN weight (hidden×C)".into(), fc * c, false),
            ("FFN activations (B×T×hidden)".into(), b * t * fc, false),
            ("logits (B×T×V)".into(), b * t * v, false),
            ("attention weights of one layer (B×NH×T×T)".into(), b * nh * t * t, false),
        ]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cfg() -> ModelConfig {
        ModelConfig { vocab_size: 65, block_size: 32, n_layer: 2, n_head: 4, n_embd: 64, ..ModelConfig::default() }
    }

    #[test]
    fn param_count_matches_layout() {
        let c = cfg();
        let layout = crate::params::ParamLayout::new(&c);
        let total: usize = layout.tensors().iter().map(|t| t.numel()).sum();
        assert_eq!(c.param_count(), total);
    }

    #[test]
    fn variant_param_counts_match_their_layouts() {
        let base = ModelConfig { vocab_size: 13, block_size: 8, n_layer: 2, n_head: 3, n_embd: 18, ..ModelConfig::default() };
        let all = ModelConfig {
            norm: Norm::RmsNorm,
            norm_position: NormPosition::Post,
            positions: Positions::Rotary,
            ffn: Ffn::SwiGlu,
            tie_head: false,
            ..base
        };
        // web/tests/train-logic.test.mjs checks the page's count against this number
        assert_eq!(all.param_count(), 8706);
        assert_eq!(all.ffn_width(), 48);
        for c in [base, all, ModelConfig { positions: Positions::Sinusoidal, ffn: Ffn::Relu, ..base }] {
            let total: usize = crate::params::ParamLayout::new(&c).tensors().iter().map(|t| t.numel()).sum();
            assert_eq!(c.param_count(), total, "{c:?}");
        }
        let odd = ModelConfig { positions: Positions::Rotary, n_embd: 15, ..base }.validate().unwrap_err();
        assert!(odd.to_string().contains("even width"), "{odd}");
    }

    #[test]
    fn configs_without_the_hugging_face_fields_read_and_write_as_before() {
        let json = r#"{"vocab_size":65,"block_size":32,"n_layer":2,"n_head":4,"n_embd":64,"norm":"rms_norm"}"#;
        let config: ModelConfig = serde_json::from_str(json).unwrap();
        assert_eq!((config.ffn_hidden, config.rope_theta, config.norm_eps), (None, 10000.0, 1e-5));
        assert_eq!(serde_json::to_string(&config).unwrap(), json);
        let llama = ModelConfig { ffn_hidden: Some(100), rope_theta: 1e6, norm_eps: 1e-6, ..config };
        let written = serde_json::to_string(&llama).unwrap();
        assert!(written.ends_with(r#""ffn_hidden":100,"rope_theta":1000000.0,"norm_eps":0.000001}"#), "{written}");
        assert_eq!(serde_json::from_str::<ModelConfig>(&written).unwrap(), llama);
        assert_eq!(llama.ffn_width(), 100);
        let total: usize = crate::params::ParamLayout::new(&llama).tensors().iter().map(|t| t.numel()).sum();
        assert_eq!(llama.param_count(), total);
        for bad in [
            ModelConfig { rope_theta: 0.5, ..config },
            ModelConfig { norm_eps: 0.0, ..config },
            ModelConfig { ffn_hidden: Some(0), ..config },
        ] {
            assert!(bad.validate().is_err(), "{bad:?}");
        }
    }

    #[test]
    fn the_cpu_engine_honours_rope_theta_and_norm_eps() {
        use crate::{CpuModel, TraceRequest};
        let base = ModelConfig { positions: Positions::Rotary, norm: Norm::RmsNorm, ..cfg() };
        let logits = |config: ModelConfig| {
            let model = CpuModel::new(config, 3).unwrap();
            model.forward(&[1, 5, 9, 2, 7], &TraceRequest::keys(&["logits"]).unwrap()).unwrap().get("logits").unwrap().data.clone()
        };
        let plain = logits(base);
        assert_ne!(logits(ModelConfig { rope_theta: 1e6, ..base }), plain);
        assert_ne!(logits(ModelConfig { norm_eps: 1e-2, ..base }), plain);
        assert_eq!(logits(ModelConfig { rope_theta: DEFAULT_ROPE_THETA, norm_eps: DEFAULT_NORM_EPS, ..base }), plain);
    }

    #[test]
    fn grouped_query_and_bias_free_param_counts_match_their_layouts() {
        let base = ModelConfig { vocab_size: 13, block_size: 8, n_layer: 2, n_head: 6, n_embd: 24, ..ModelConfig::default() };
        for family in [Family::Decoder, Family::Encoder, Family::EncoderDecoder] {
            for n_kv_head in [None, Some(6), Some(3), Some(2), Some(1)] {
                for linear_bias in [LinearBias::All, LinearBias::None, LinearBias::QkvOnly] {
                    let c = ModelConfig { family, n_kv_head, linear_bias, ..base };
                    c.validate().unwrap();
                    let total: usize = crate::params::ParamLayout::new(&c).tensors().iter().map(|t| t.numel()).sum();
                    assert_eq!(c.param_count(), total, "{c:?}");
                }
            }
        }
        // Llama-style: c_attn (C + 2·KVC, C) = (24 + 2·8, 24), no bias anywhere in the blocks
        let llama = ModelConfig { n_kv_head: Some(2), linear_bias: LinearBias::None, ..base };
        let layout = crate::params::ParamLayout::new(&llama);
        assert_eq!(layout.find("transformer.h.0.attn.c_attn.weight").unwrap().shape, vec![40, 24]);
        assert!(layout.tensors().iter().all(|t| !t.name.ends_with(".bias") || t.name.contains("ln_")), "no Linear bias");
        let qwen = crate::params::ParamLayout::new(&ModelConfig { linear_bias: LinearBias::QkvOnly, ..llama });
        let biases: Vec<&str> = qwen.tensors().iter().filter(|t| t.name.ends_with("c_attn.bias")).map(|t| t.name.as_str()).collect();
        assert_eq!(biases, ["transformer.h.0.attn.c_attn.bias", "transformer.h.1.attn.c_attn.bias"]);
        assert!(qwen.find("transformer.h.0.attn.c_proj.bias").is_none() && qwen.find("transformer.h.0.mlp.c_fc.bias").is_none());
    }

    #[test]
    fn rejects_key_value_heads_that_do_not_divide_the_heads() {
        for n_kv_head in [0, 3, 8] {
            let err = ModelConfig { n_kv_head: Some(n_kv_head), ..cfg() }.validate().unwrap_err();
            assert!(err.to_string().contains(&format!("n_kv_head = {n_kv_head}")) && err.to_string().contains("n_head = 4"), "{err}");
        }
        // a config without the field reads as before, and one with it keeps it
        let old: ModelConfig = serde_json::from_str(r#"{"vocab_size":5,"block_size":4,"n_layer":1,"n_head":2,"n_embd":4}"#).unwrap();
        assert_eq!((old.n_kv_head, old.kv_heads(), old.linear_bias), (None, 2, LinearBias::All));
        assert_eq!(serde_json::to_string(&old).unwrap(), r#"{"vocab_size":5,"block_size":4,"n_layer":1,"n_head":2,"n_embd":4}"#);
        let gqa = ModelConfig { n_kv_head: Some(1), linear_bias: LinearBias::QkvOnly, ..old };
        let json = serde_json::to_string(&gqa).unwrap();
        assert!(json.contains(r#""n_kv_head":1"#) && json.contains(r#""linear_bias":"qkv_only""#), "{json}");
        assert_eq!(serde_json::from_str::<ModelConfig>(&json).unwrap(), gqa);
    }

    #[test]
    fn rejects_head_that_does_not_divide() {
        let err = ModelConfig { n_embd: 30, ..cfg() }.validate().unwrap_err();
        assert!(err.to_string().contains("n_embd = 30"), "{err}");
        assert!(err.to_string().contains("n_head = 4"), "{err}");
    }
}
