//! Every WGSL file the app ships, and nothing else: the only `include_str!` site.
//! `Kernel` names each shader; `GpuContext` compiles one pipeline per kernel at start-up.

/// One WGSL file: its stem in `shaders/` (also the wgpu label) and its text.
#[derive(Clone, Copy, Debug)]
pub struct ShaderSource {
    pub name: &'static str,
    pub wgsl: &'static str,
}

macro_rules! kernels {
    ($($variant:ident => $name:literal),* $(,)?) => {
        /// One variant per WGSL file in `shaders/`.
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
        pub enum Kernel { $($variant),* }

        impl Kernel {
            pub const ALL: &'static [Kernel] = &[$(Kernel::$variant),*];

            pub fn source(self) -> ShaderSource {
                match self {
                    $(Kernel::$variant => ShaderSource {
                        name: $name,
                        wgsl: include_str!(concat!("../../../shaders/", $name, ".wgsl")),
                    }),*
                }
            }
        }
    };
}

kernels! {
    AblateForward => "ablate_forward",
    EncoderForward => "encoder_forward",
    EncoderBackwardWte => "encoder_backward_wte",
    EncoderBackwardWpe => "encoder_backward_wpe",
    LayerNormForward => "layernorm_forward",
    LayerNormBackwardInput => "layernorm_backward_input",
    LayerNormBackwardParams => "layernorm_backward_params",
    RmsNormForward => "rmsnorm_forward",
    RmsNormBackwardInput => "rmsnorm_backward_input",
    RmsNormBackwardParams => "rmsnorm_backward_params",
    MatmulForward => "matmul_forward",
    MatmulForwardSmall => "matmul_forward_small",
    MatmulBackwardInput => "matmul_backward_input",
    MatmulBackwardInputSmall => "matmul_backward_input_small",
    MatmulBackwardWeight => "matmul_backward_weight",
    MatmulBackwardWeightSmall => "matmul_backward_weight_small",
    MatmulBackwardBias => "matmul_backward_bias",
    AttentionForward => "attention_forward",
    AttentionForwardTiled => "attention_forward_tiled",
    AttentionBackwardPrep => "attention_backward_prep",
    AttentionBackwardQuery => "attention_backward_query",
    AttentionBackwardQueryTiled => "attention_backward_query_tiled",
    AttentionBackwardKey => "attention_backward_key",
    AttentionBackwardKeyTiled => "attention_backward_key_tiled",
    GeluForward => "gelu_forward",
    GeluBackward => "gelu_backward",
    ReluForward => "relu_forward",
    ReluBackward => "relu_backward",
    SwiGluForward => "swiglu_forward",
    SwiGluBackward => "swiglu_backward",
    RopeForward => "rope_forward",
    RopeBackward => "rope_backward",
    GeluTanhForward => "gelu_tanh_forward",
    GeluTanhBackward => "gelu_tanh_backward",
    ResidualForward => "residual_forward",
    CrossPackForward => "cross_pack_forward",
    CrossPackBackward => "cross_pack_backward",
    SoftmaxXentForward => "softmax_xent_forward",
    SoftmaxXentBackward => "softmax_xent_backward",
    GradNormPartial => "grad_norm_partial",
    GradNormFinalize => "grad_norm_finalize",
    AdamwUpdate => "adamw_update",
    StepStats => "step_stats",
}

/// All shader sources, in `Kernel::ALL` order.
pub fn all() -> Vec<ShaderSource> {
    Kernel::ALL.iter().map(|k| k.source()).collect()
}
