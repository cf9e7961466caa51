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
    EncoderForward => "encoder_forward",
    LayerNormForward => "layernorm_forward",
    MatmulForward => "matmul_forward",
    AttentionForward => "attention_forward",
    GeluForward => "gelu_forward",
    ResidualForward => "residual_forward",
    SoftmaxXentForward => "softmax_xent_forward",
}

/// All shader sources, in `Kernel::ALL` order.
pub fn all() -> Vec<ShaderSource> {
    Kernel::ALL.iter().map(|k| k.source()).collect()
}
