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
/// include/matmul_tile_16x16.wgsl on CPU-emulated adapters), staging BK steps of the summed
/// axis at a time in SLOTS slots (SLOTS·2·BK·TILE floats): two on GPUs (16 KiB, WebGPU's
/// default limit), one on emulators (8 KiB; the 16×16 tile's `multiply` says why).
/// Written minified, as `build.rs` leaves the files.
const LARGE_TILES: &str = "const WORKGROUP_SIZE:u32=16u;\nconst TILE:u32=128u;\nconst BK:u32=8u;\nconst SLOTS:u32=2u;\n";
const SMALL_TILES: &str = "const WORKGROUP_SIZE:u32=8u;\nconst TILE:u32=64u;\nconst BK:u32=16u;\nconst SLOTS:u32=2u;\n";
const EMULATED_TILES: &str = "const WORKGROUP_SIZE:u32=4u;\nconst TILE:u32=64u;\nconst BK:u32=16u;\nconst SLOTS:u32=1u;\n";

/// The attention kernels that stage K/V or Q tiles: heads of up to 64 channels (`MAX_HS4`
/// vec4s), their loops over the head running to the head size (`head_vec4s`; an emulator runs a
/// loop to a constant masked, every iteration), or in the _regs builds for GPUs to MAX_HS4,
/// which a GPU compiler unrolls, keeping the head's arrays in registers; BKV keys (BQ queries)
/// staged a step.
const HEAD_SIZE_LOOPS: &str =
    "const MAX_HS4:u32=16u;\nconst BKV:u32=16u;\nconst BQ:u32=16u;\nfn head_vec4s(hs:u32)->u32{return (hs+3u)/4u;}\n";
const HEAD_IN_REGISTERS: &str =
    "const MAX_HS4:u32=16u;\nconst BKV:u32=16u;\nconst BQ:u32=16u;\nfn head_vec4s(hs:u32)->u32{return MAX_HS4;}\n";
/// The _lanes builds, for heads of 65 to 128 channels on GPUs: each row over LANES invocations
/// holding MAX_HS4 / LANES vec4s each, STEP keys (or queries) staged a step. The forward 8 (K
/// and V tiles 8 KiB, the lanes' parts of q·k another 8: WebGPU's 16 KiB of workgroup memory);
/// dQ and dK/dV 4 (4 KiB of tiles, 8 of parts of two dot products: include/attention_lanes).
const FORWARD_OVER_LANES: &str = "const MAX_HS4:u32=32u;\nconst LANES:u32=4u;\nconst STEP:u32=8u;\nconst BKV:u32=STEP;\n";
const QUERY_OVER_LANES: &str = "const MAX_HS4:u32=32u;\nconst LANES:u32=4u;\nconst STEP:u32=4u;\nconst BKV:u32=STEP;\n";
const KEY_OVER_LANES: &str = "const MAX_HS4:u32=32u;\nconst LANES:u32=4u;\nconst STEP:u32=4u;\nconst BQ:u32=STEP;\n";
/// The dK/dV kernel's build for heads of 33 to 64 channels on GPUs (the _regs64 family's):
/// each key row over two lanes of 8 vec4s, so K, V, dK and dV (256 floats for a 64-channel head)
/// stay in registers, 128 a lane; 8 queries staged a step (4 KiB of tiles, 8 of parts).
const KEY_OVER_TWO_LANES: &str = "const MAX_HS4:u32=16u;\nconst LANES:u32=2u;\nconst STEP:u32=8u;\nconst BQ:u32=STEP;\n";

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
    LayerNormForward => "layernorm_forward" = &[wgsl!("include/norm_residual"), wgsl!("layernorm_forward")],
    LayerNormBackwardInput => "layernorm_backward_input",
    LayerNormBackwardParams => "layernorm_backward_params",
    RmsNormForward => "rmsnorm_forward" = &[wgsl!("include/rmsnorm_rows"), wgsl!("include/norm_residual"), wgsl!("rmsnorm_forward")],
    RmsNormBackwardInput => "rmsnorm_backward_input" = &[wgsl!("include/rmsnorm_rows"), wgsl!("rmsnorm_backward_input")],
    RmsNormBackwardParams => "rmsnorm_backward_params",
    MatmulForward => "matmul_forward" = &[wgsl!("include/matmul_lhs_vec4"), wgsl!("include/matmul_rhs_vec4"), LARGE_TILES, wgsl!("include/matmul_stage"), wgsl!("include/matmul_tile_8x8"), wgsl!("include/activations"), wgsl!("include/matmul_epilogue"), wgsl!("matmul_forward")],
    MatmulForwardScalar => "matmul_forward_scalar" = &[wgsl!("include/matmul_load_scalar"), LARGE_TILES, wgsl!("include/matmul_stage"), wgsl!("include/matmul_tile_8x8"), wgsl!("include/activations"), wgsl!("include/matmul_epilogue"), wgsl!("matmul_forward")],
    MatmulForwardF16 => "matmul_forward_f16" = &[wgsl!("include/matmul_rhs_f16"), wgsl!("include/matmul_lhs_vec4"), LARGE_TILES, wgsl!("include/matmul_stage"), wgsl!("include/matmul_tile_8x8"), wgsl!("include/activations"), wgsl!("include/matmul_epilogue"), wgsl!("matmul_forward")],
    MatmulForwardF16Packed => "matmul_forward_f16_packed" = &[wgsl!("include/matmul_rhs_f16_packed"), wgsl!("include/matmul_lhs_vec4"), LARGE_TILES, wgsl!("include/matmul_stage"), wgsl!("include/matmul_tile_8x8"), wgsl!("include/activations"), wgsl!("include/matmul_epilogue"), wgsl!("matmul_forward")],
    MatmulForwardSmall => "matmul_forward_small" = &[wgsl!("include/matmul_lhs_vec4"), wgsl!("include/matmul_rhs_vec4"), SMALL_TILES, wgsl!("include/matmul_stage"), wgsl!("include/matmul_tile_8x8"), wgsl!("include/activations"), wgsl!("include/matmul_epilogue"), wgsl!("matmul_forward")],
    MatmulForwardSmallScalar => "matmul_forward_small_scalar" = &[wgsl!("include/matmul_load_scalar"), SMALL_TILES, wgsl!("include/matmul_stage"), wgsl!("include/matmul_tile_8x8"), wgsl!("include/activations"), wgsl!("include/matmul_epilogue"), wgsl!("matmul_forward")],
    MatmulForwardSmallF16 => "matmul_forward_small_f16" = &[wgsl!("include/matmul_rhs_f16"), wgsl!("include/matmul_lhs_vec4"), SMALL_TILES, wgsl!("include/matmul_stage"), wgsl!("include/matmul_tile_8x8"), wgsl!("include/activations"), wgsl!("include/matmul_epilogue"), wgsl!("matmul_forward")],
    MatmulForwardSmallF16Packed => "matmul_forward_small_f16_packed" = &[wgsl!("include/matmul_rhs_f16_packed"), wgsl!("include/matmul_lhs_vec4"), SMALL_TILES, wgsl!("include/matmul_stage"), wgsl!("include/matmul_tile_8x8"), wgsl!("include/activations"), wgsl!("include/matmul_epilogue"), wgsl!("matmul_forward")],
    MatmulForwardEmulated => "matmul_forward_emulated" = &[wgsl!("include/matmul_lhs_vec4"), wgsl!("include/matmul_rhs_vec4"), EMULATED_TILES, wgsl!("include/matmul_stage"), wgsl!("include/matmul_tile_16x16"), wgsl!("include/activations"), wgsl!("include/matmul_epilogue"), wgsl!("matmul_forward")],
    MatmulForwardEmulatedScalar => "matmul_forward_emulated_scalar" = &[wgsl!("include/matmul_load_scalar"), EMULATED_TILES, wgsl!("include/matmul_stage"), wgsl!("include/matmul_tile_16x16"), wgsl!("include/activations"), wgsl!("include/matmul_epilogue"), wgsl!("matmul_forward")],
    MatmulForwardEmulatedF16 => "matmul_forward_emulated_f16" = &[wgsl!("include/matmul_rhs_f16"), wgsl!("include/matmul_lhs_vec4"), EMULATED_TILES, wgsl!("include/matmul_stage"), wgsl!("include/matmul_tile_16x16"), wgsl!("include/activations"), wgsl!("include/matmul_epilogue"), wgsl!("matmul_forward")],
    MatmulForwardEmulatedF16Packed => "matmul_forward_emulated_f16_packed" = &[wgsl!("include/matmul_rhs_f16_packed"), wgsl!("include/matmul_lhs_vec4"), EMULATED_TILES, wgsl!("include/matmul_stage"), wgsl!("include/matmul_tile_16x16"), wgsl!("include/activations"), wgsl!("include/matmul_epilogue"), wgsl!("matmul_forward")],
    MatmulForwardSkinny => "matmul_forward_skinny" = &[wgsl!("include/matmul_lhs_vec4"), wgsl!("include/matmul_rhs_vec4"), wgsl!("include/activations"), wgsl!("include/matmul_epilogue"), wgsl!("matmul_forward_skinny")],
    MatmulForwardSkinnyF16 => "matmul_forward_skinny_f16" = &[wgsl!("include/matmul_rhs_f16"), wgsl!("include/matmul_lhs_vec4"), wgsl!("include/activations"), wgsl!("include/matmul_epilogue"), wgsl!("matmul_forward_skinny")],
    MatmulForwardSkinnyF16Packed => "matmul_forward_skinny_f16_packed" = &[wgsl!("include/matmul_rhs_f16_packed"), wgsl!("include/matmul_lhs_vec4"), wgsl!("include/activations"), wgsl!("include/matmul_epilogue"), wgsl!("matmul_forward_skinny")],
    MatmulBackwardInput => "matmul_backward_input" = &[wgsl!("include/matmul_lhs_vec4"), wgsl!("include/matmul_rhs_vec4"), LARGE_TILES, wgsl!("include/matmul_stage"), wgsl!("include/matmul_tile_8x8"), wgsl!("include/activations"), wgsl!("matmul_backward_input")],
    MatmulBackwardInputScalar => "matmul_backward_input_scalar" = &[wgsl!("include/matmul_load_scalar"), LARGE_TILES, wgsl!("include/matmul_stage"), wgsl!("include/matmul_tile_8x8"), wgsl!("include/activations"), wgsl!("matmul_backward_input")],
    MatmulBackwardInputSmall => "matmul_backward_input_small" = &[wgsl!("include/matmul_lhs_vec4"), wgsl!("include/matmul_rhs_vec4"), SMALL_TILES, wgsl!("include/matmul_stage"), wgsl!("include/matmul_tile_8x8"), wgsl!("include/activations"), wgsl!("matmul_backward_input")],
    MatmulBackwardInputSmallScalar => "matmul_backward_input_small_scalar" = &[wgsl!("include/matmul_load_scalar"), SMALL_TILES, wgsl!("include/matmul_stage"), wgsl!("include/matmul_tile_8x8"), wgsl!("include/activations"), wgsl!("matmul_backward_input")],
    MatmulBackwardInputEmulated => "matmul_backward_input_emulated" = &[wgsl!("include/matmul_lhs_vec4"), wgsl!("include/matmul_rhs_vec4"), EMULATED_TILES, wgsl!("include/matmul_stage"), wgsl!("include/matmul_tile_16x16"), wgsl!("include/activations"), wgsl!("matmul_backward_input")],
    MatmulBackwardInputEmulatedScalar => "matmul_backward_input_emulated_scalar" = &[wgsl!("include/matmul_load_scalar"), EMULATED_TILES, wgsl!("include/matmul_stage"), wgsl!("include/matmul_tile_16x16"), wgsl!("include/activations"), wgsl!("matmul_backward_input")],
    MatmulBackwardWeight => "matmul_backward_weight" = &[wgsl!("include/matmul_lhs_vec4"), wgsl!("include/matmul_rhs_vec4"), LARGE_TILES, wgsl!("include/matmul_stage"), wgsl!("include/matmul_tile_8x8"), wgsl!("matmul_backward_weight")],
    MatmulBackwardWeightScalar => "matmul_backward_weight_scalar" = &[wgsl!("include/matmul_load_scalar"), LARGE_TILES, wgsl!("include/matmul_stage"), wgsl!("include/matmul_tile_8x8"), wgsl!("matmul_backward_weight")],
    MatmulBackwardWeightSmall => "matmul_backward_weight_small" = &[wgsl!("include/matmul_lhs_vec4"), wgsl!("include/matmul_rhs_vec4"), SMALL_TILES, wgsl!("include/matmul_stage"), wgsl!("include/matmul_tile_8x8"), wgsl!("matmul_backward_weight")],
    MatmulBackwardWeightSmallScalar => "matmul_backward_weight_small_scalar" = &[wgsl!("include/matmul_load_scalar"), SMALL_TILES, wgsl!("include/matmul_stage"), wgsl!("include/matmul_tile_8x8"), wgsl!("matmul_backward_weight")],
    MatmulBackwardWeightEmulated => "matmul_backward_weight_emulated" = &[wgsl!("include/matmul_lhs_vec4"), wgsl!("include/matmul_rhs_vec4"), EMULATED_TILES, wgsl!("include/matmul_stage"), wgsl!("include/matmul_tile_16x16"), wgsl!("matmul_backward_weight")],
    MatmulBackwardWeightEmulatedScalar => "matmul_backward_weight_emulated_scalar" = &[wgsl!("include/matmul_load_scalar"), EMULATED_TILES, wgsl!("include/matmul_stage"), wgsl!("include/matmul_tile_16x16"), wgsl!("matmul_backward_weight")],
    ReducePartials => "reduce_partials" = &[wgsl!("include/activations"), wgsl!("reduce_partials")],
    ReducePartialsForward => "reduce_partials_forward" = &[wgsl!("include/activations"), wgsl!("include/matmul_epilogue"), wgsl!("reduce_partials_forward")],
    AttentionForward => "attention_forward" = &[wgsl!("include/attention_params"), wgsl!("attention_forward")],
    AttentionForwardTiled => "attention_forward_tiled" = &[wgsl!("include/attention_params"), HEAD_SIZE_LOOPS, wgsl!("include/attention_tiled"), wgsl!("include/attention_kv_tiles"), wgsl!("attention_forward_tiled")],
    AttentionForwardHead32 => "attention_forward_head32" = &[wgsl!("include/attention_params"), HEAD_SIZE_LOOPS, wgsl!("include/attention_tiled"), wgsl!("include/attention_kv_tiles"), wgsl!("attention_forward_head32")],
    AttentionForwardRegs64 => "attention_forward_regs64" = &[wgsl!("include/attention_params"), HEAD_IN_REGISTERS, wgsl!("include/attention_tiled"), wgsl!("include/attention_kv_tiles"), wgsl!("attention_forward_tiled")],
    AttentionForwardLanes => "attention_forward_lanes" = &[wgsl!("include/attention_params"), FORWARD_OVER_LANES, wgsl!("include/attention_tiled"), wgsl!("include/attention_kv_tiles"), wgsl!("attention_forward_lanes")],
    AttentionBackwardQueryLanes => "attention_backward_query_lanes" = &[wgsl!("include/attention_params"), wgsl!("include/attention_dout"), QUERY_OVER_LANES, wgsl!("include/attention_tiled"), wgsl!("include/attention_kv_tiles"), wgsl!("include/attention_lanes"), wgsl!("attention_backward_query_lanes")],
    AttentionBackwardKvLanes => "attention_backward_kv_lanes" = &[wgsl!("include/attention_params"), wgsl!("include/attention_dout"), KEY_OVER_LANES, wgsl!("include/attention_tiled"), wgsl!("include/attention_query_tiles"), wgsl!("include/attention_lanes"), wgsl!("attention_backward_kv_lanes")],
    AttentionBackwardQueryRegs64 => "attention_backward_query_regs64" = &[wgsl!("include/attention_params"), wgsl!("include/attention_dout"), wgsl!("include/attention_delta"), HEAD_IN_REGISTERS, wgsl!("include/attention_tiled"), wgsl!("include/attention_kv_tiles"), wgsl!("attention_backward_query_tiled")],
    AttentionBackwardKvLanes64 => "attention_backward_kv_lanes64" = &[wgsl!("include/attention_params"), wgsl!("include/attention_dout"), KEY_OVER_TWO_LANES, wgsl!("include/attention_tiled"), wgsl!("include/attention_query_tiles"), wgsl!("include/attention_lanes"), wgsl!("attention_backward_kv_lanes")],
    KvCacheWrite => "kv_cache_write",
    KvAttentionForward => "kv_attention_forward",
    AttentionBackwardQuery => "attention_backward_query" = &[wgsl!("include/attention_params"), wgsl!("include/attention_delta"), wgsl!("attention_backward_query")],
    AttentionBackwardQueryTiled => "attention_backward_query_tiled" = &[wgsl!("include/attention_params"), wgsl!("include/attention_dout"), wgsl!("include/attention_delta"), HEAD_SIZE_LOOPS, wgsl!("include/attention_tiled"), wgsl!("include/attention_kv_tiles"), wgsl!("attention_backward_query_tiled")],
    AttentionBackwardKey => "attention_backward_key" = &[wgsl!("include/attention_params"), wgsl!("attention_backward_key")],
    AttentionBackwardKeyTiled => "attention_backward_key_tiled" = &[wgsl!("include/attention_params"), wgsl!("include/attention_dout"), HEAD_SIZE_LOOPS, wgsl!("include/attention_tiled"), wgsl!("include/attention_query_tiles"), wgsl!("attention_backward_key_tiled")],
    AttentionBackwardQueryHead32 => "attention_backward_query_head32" = &[wgsl!("include/attention_params"), wgsl!("include/attention_dout"), wgsl!("include/attention_delta"), HEAD_SIZE_LOOPS, wgsl!("include/attention_tiled"), wgsl!("include/attention_kv_tiles"), wgsl!("attention_backward_query_head32")],
    AttentionBackwardKeyHead32 => "attention_backward_key_head32" = &[wgsl!("include/attention_params"), wgsl!("include/attention_dout"), HEAD_SIZE_LOOPS, wgsl!("include/attention_tiled"), wgsl!("attention_backward_key_head32")],
    GeluForward => "gelu_forward" = &[wgsl!("include/activations"), wgsl!("gelu_forward")],
    GeluBackward => "gelu_backward" = &[wgsl!("include/activations"), wgsl!("gelu_backward")],
    ReluForward => "relu_forward" = &[wgsl!("include/activations"), wgsl!("relu_forward")],
    ReluBackward => "relu_backward",
    SwiGluForward => "swiglu_forward",
    SwiGluBackward => "swiglu_backward",
    RopeForward => "rope_forward" = &[wgsl!("include/rope_pairs"), wgsl!("rope_forward")],
    RopeBackward => "rope_backward" = &[wgsl!("include/rope_pairs"), wgsl!("rope_backward")],
    GeluTanhForward => "gelu_tanh_forward" = &[wgsl!("include/activations"), wgsl!("gelu_tanh_forward")],
    GeluTanhBackward => "gelu_tanh_backward" = &[wgsl!("include/activations"), wgsl!("gelu_tanh_backward")],
    CrossPackForward => "cross_pack_forward",
    CrossPackBackward => "cross_pack_backward",
    SoftmaxXentForward => "softmax_xent_forward" = &[wgsl!("include/workgroup_reduce"), wgsl!("softmax_xent_forward")],
    SoftmaxXentForwardSubgroups => "softmax_xent_forward_subgroups" = &[wgsl!("include/workgroup_reduce_subgroups"), wgsl!("softmax_xent_forward")],
    SoftmaxXentBackward => "softmax_xent_backward",
    GradNormPartial => "grad_norm_partial" = &[wgsl!("include/workgroup_reduce"), wgsl!("grad_norm_partial")],
    GradNormPartialSubgroups => "grad_norm_partial_subgroups" = &[wgsl!("include/workgroup_reduce_subgroups"), wgsl!("grad_norm_partial")],
    GradNormFinalize => "grad_norm_finalize" = &[wgsl!("include/workgroup_reduce"), wgsl!("grad_norm_finalize")],
    GradNormFinalizeSubgroups => "grad_norm_finalize_subgroups" = &[wgsl!("include/workgroup_reduce_subgroups"), wgsl!("grad_norm_finalize")],
    AdamwUpdate => "adamw_update",
    StepStats => "step_stats" = &[wgsl!("include/workgroup_reduce"), wgsl!("step_stats")],
    StepStatsSubgroups => "step_stats_subgroups" = &[wgsl!("include/workgroup_reduce_subgroups"), wgsl!("step_stats")],
}

/// All shader sources, in `Kernel::ALL` order.
pub fn all() -> Vec<ShaderSource> {
    Kernel::ALL.iter().map(|k| k.source()).collect()
}
