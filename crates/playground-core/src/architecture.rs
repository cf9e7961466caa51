//! The architecture choices a `ModelConfig` makes beyond its sizes: which family of
//! transformer, which normalisation and where it sits, how positions enter, which
//! feed-forward. Every default is GPT-2's choice, so a config without these fields (every
//! checkpoint written before they existed) means the same model as before.

use serde::{Deserialize, Serialize};

/// Which transformer the blocks are assembled into.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Family {
    /// GPT: causal self-attention, predicts the next token.
    #[default]
    Decoder,
    /// BERT: bidirectional self-attention, trained by masked-token prediction; optional [CLS] classifier.
    Encoder,
    /// The original Transformer: an encoder, and a decoder that also attends to the encoder's output.
    EncoderDecoder,
}

/// The normalisation inside each block and before the head.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Norm {
    /// Subtract the mean, divide by the standard deviation, scale and shift (weight and bias).
    #[default]
    LayerNorm,
    /// Divide by the root mean square, scale (weight only).
    RmsNorm,
}

/// Where the normalisation sits relative to the residual connection.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum NormPosition {
    /// x + f(norm(x)) (GPT-2 and later).
    #[default]
    Pre,
    /// norm(x + f(x)) (the original Transformer and BERT).
    Post,
}

/// How the model learns where a token is.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Positions {
    /// A trained vector per position (wpe), added to the token embedding.
    #[default]
    Learned,
    /// Fixed sin/cos waves of geometric wavelengths, added to the token embedding.
    Sinusoidal,
    /// Rotary: Q and K rotated by a position-dependent angle per channel pair; nothing added.
    Rotary,
}

/// The feed-forward network of each block.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Ffn {
    /// GELU with the exact erf.
    #[default]
    Gelu,
    /// GELU with GPT-2's tanh approximation.
    GeluTanh,
    /// max(0, x).
    Relu,
    /// SiLU(x·W_gate) ⊙ (x·W_up), then the down projection.
    SwiGlu,
}

/// Which Linear layers of the blocks carry a bias (the heads' never do; a [CLS] classifier does).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LinearBias {
    /// Every Linear layer (GPT-2).
    #[default]
    All,
    /// None (Llama).
    None,
    /// Only the projections of queries, keys and values (Qwen2).
    QkvOnly,
}

impl LinearBias {
    /// Whether the projection of queries, keys and values has a bias.
    pub fn qkv(self) -> bool {
        self != LinearBias::None
    }

    /// Whether the other Linear layers (attention's output, the FFN) have one.
    pub fn others(self) -> bool {
        self == LinearBias::All
    }
}
