//! Every WGSL file the app ships, and nothing else: the only `include_str!` site.
//! `Kernel` names each shader; `GpuContext` compiles its pipeline on the kernel's first use.
//! Most kernels are one file, `shaders/<name>.wgsl`, as it is. A kernel built several times
//! with other sizes (the tiled matmuls) is one file, with the sizes as `const`s prepended here;
//! functions that several kernels share (`shaders/include/`) are prepended the same way.
//! The text is minified line for line by `build.rs` (`wgsl_minify`): no comments, no
//! indentation, the same line numbers.

/// One kernel's WGSL: its name (the wgpu label) and its text in parts: the shared files
/// (`shaders/include/`) and sizes first, the kernel's own file last. Each part is stored once
/// in the binary however many kernels use it; `wgsl` joins them when the pipeline is built.
#[derive(Clone, Copy, Debug)]
pub struct ShaderSource {
    pub name: &'static str,
    pub parts: &'static [&'static str],
}

impl ShaderSource {
    /// The kernel's whole text.
    pub fn wgsl(&self) -> String {
        self.parts.concat()
    }
}

/// The text of `shaders/<file>.wgsl`, minified by `build.rs`.
macro_rules! wgsl {
    ($file:literal) => {
        include_str!(concat!(env!("OUT_DIR"), "/shaders/", $file, ".wgsl"))
    };
}

/// The sizes of the tiled matmul kernels (`matmul::Tiles`): WORKGROUP_SIZE² invocations
/// compute a TILE×TILE block, each its register tile (include/matmul_tile_8x8.wgsl for GPUs,
/// include/matmul_tile_16x16.wgsl on CPU-emulated adapters). Written minified, as `build.rs`
/// leaves the files.
const LARGE_TILES: &str = "const WORKGROUP_SIZE:u32=16u;\nconst TILE:u32=128u;\n";
const SMALL_TILES: &str = "const WORKGROUP_SIZE:u32=8u;\nconst TILE:u32=64u;\n";
const EMULATED_TILES: &str = "const WORKGROUP_SIZE:u32=4u;\nconst TILE:u32=64u;\n";

/// A kernel's parts: `shaders/<name>.wgsl`, or the list given.
macro_rules! text {
    ($name:literal) => {
        &[wgsl!($name)]
    };
    ($name:literal, $wgsl:expr) => {
        $wgsl
    };
}

macro_rules! kernels {
    ($($variant:ident => $name:literal $(= $wgsl:expr)?),* $(,)?) => {
        /// One variant per WGSL file in `shaders/`.
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
        pub enum Kernel { $($variant),* }

        impl Kernel {
            pub const ALL: &'static [Kernel] = &[$(Kernel::$variant),*];

            pub fn source(self) -> ShaderSource {
                match self {
                    $(Kernel::$variant => ShaderSource { name: $name, parts: text!($name $(, $wgsl)?) }),*
                }
            }
        }
    };
}

kernels! {
    AblateForward => "ablate_forward",
    EmbeddingForward => "embedding_forward",
    EmbeddingBackwardWte => "embedding_backward_wte",
    EmbeddingBackwardWpe => "embedding_backward_wpe",
    LayerNormForward => "layernorm_forward",
    LayerNormBackwardInput => "layernorm_backward_input",
    LayerNormBackwardParams => "layernorm_backward_params",
    RmsNormForward => "rmsnorm_forward" = &[wgsl!("include/rmsnorm_rows"), wgsl!("rmsnorm_forward")],
    RmsNormBackwardInput => "rmsnorm_backward_input" = &[wgsl!("include/rmsnorm_rows"), wgsl!("rmsnorm_backward_input")],
    RmsNormBackwardParams => "rmsnorm_backward_params",
    MatmulForward => "matmul_forward" = &[LARGE_TILES, wgsl!("include/matmul_tile_8x8"), wgsl!("include/activations"), wgsl!("include/matmul_epilogue"), wgsl!("matmul_forward")],
    MatmulForwardSmall => "matmul_forward_small" = &[SMALL_TILES, wgsl!("include/matmul_tile_8x8"), wgsl!("include/activations"), wgsl!("include/matmul_epilogue"), wgsl!("matmul_forward")],
    MatmulForwardEmulated => "matmul_forward_emulated" = &[EMULATED_TILES, wgsl!("include/matmul_tile_16x16"), wgsl!("include/activations"), wgsl!("include/matmul_epilogue"), wgsl!("matmul_forward")],
    MatmulForwardSkinny => "matmul_forward_skinny" = &[wgsl!("include/activations"), wgsl!("include/matmul_epilogue"), wgsl!("matmul_forward_skinny")],
    MatmulBackwardInput => "matmul_backward_input" = &[LARGE_TILES, wgsl!("include/matmul_tile_8x8"), wgsl!("matmul_backward_input")],
    MatmulBackwardInputSmall => "matmul_backward_input_small" = &[SMALL_TILES, wgsl!("include/matmul_tile_8x8"), wgsl!("matmul_backward_input")],
    MatmulBackwardInputEmulated => "matmul_backward_input_emulated" = &[EMULATED_TILES, wgsl!("include/matmul_tile_16x16"), wgsl!("matmul_backward_input")],
    MatmulBackwardWeight => "matmul_backward_weight" = &[LARGE_TILES, wgsl!("include/matmul_tile_8x8"), wgsl!("matmul_backward_weight")],
    MatmulBackwardWeightSmall => "matmul_backward_weight_small" = &[SMALL_TILES, wgsl!("include/matmul_tile_8x8"), wgsl!("matmul_backward_weight")],
    MatmulBackwardWeightEmulated => "matmul_backward_weight_emulated" = &[EMULATED_TILES, wgsl!("include/matmul_tile_16x16"), wgsl!("matmul_backward_weight")],
    MatmulBackwardBias => "matmul_backward_bias",
    AttentionForward => "attention_forward" = &[wgsl!("include/attention_params"), wgsl!("attention_forward")],
    AttentionForwardTiled => "attention_forward_tiled" = &[wgsl!("include/attention_params"), wgsl!("include/attention_tiled"), wgsl!("include/attention_kv_tiles"), wgsl!("attention_forward_tiled")],
    AttentionForwardHead32 => "attention_forward_head32" = &[wgsl!("include/attention_params"), wgsl!("include/attention_tiled"), wgsl!("include/attention_kv_tiles"), wgsl!("attention_forward_head32")],
    KvCacheWrite => "kv_cache_write",
    KvAttentionForward => "kv_attention_forward",
    AttentionBackwardPrep => "attention_backward_prep" = &[wgsl!("include/attention_params"), wgsl!("attention_backward_prep")],
    AttentionBackwardQuery => "attention_backward_query" = &[wgsl!("include/attention_params"), wgsl!("attention_backward_query")],
    AttentionBackwardQueryTiled => "attention_backward_query_tiled" = &[wgsl!("include/attention_params"), wgsl!("include/attention_tiled"), wgsl!("include/attention_kv_tiles"), wgsl!("attention_backward_query_tiled")],
    AttentionBackwardKey => "attention_backward_key" = &[wgsl!("include/attention_params"), wgsl!("attention_backward_key")],
    AttentionBackwardKeyTiled => "attention_backward_key_tiled" = &[wgsl!("include/attention_params"), wgsl!("include/attention_tiled"), wgsl!("attention_backward_key_tiled")],
    AttentionBackwardQueryHead32 => "attention_backward_query_head32" = &[wgsl!("include/attention_params"), wgsl!("include/attention_tiled"), wgsl!("include/attention_kv_tiles"), wgsl!("attention_backward_query_head32")],
    AttentionBackwardKeyHead32 => "attention_backward_key_head32" = &[wgsl!("include/attention_params"), wgsl!("include/attention_tiled"), wgsl!("attention_backward_key_head32")],
    GeluForward => "gelu_forward" = &[wgsl!("include/activations"), wgsl!("gelu_forward")],
    GeluBackward => "gelu_backward" = &[wgsl!("include/activations"), wgsl!("gelu_backward")],
    ReluForward => "relu_forward" = &[wgsl!("include/activations"), wgsl!("relu_forward")],
    ReluBackward => "relu_backward",
    SwiGluForward => "swiglu_forward",
    SwiGluBackward => "swiglu_backward",
    RopeForward => "rope_forward" = &[wgsl!("include/rope_pairs"), wgsl!("rope_forward")],
    RopeBackward => "rope_backward" = &[wgsl!("include/rope_pairs"), wgsl!("rope_backward")],
    GeluTanhForward => "gelu_tanh_forward" = &[wgsl!("include/activations"), wgsl!("gelu_tanh_forward")],
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
