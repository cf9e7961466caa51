//! Every WGSL file parses and validates with naga (the validator wgpu uses natively), the
//! registry and `shaders/` agree, and each module keeps the binding conventions that
//! `GpuContext::op` relies on. No GPU needed.

use naga::valid::{Capabilities, ValidationFlags, Validator};
use naga::AddressSpace;
use playground_gpu::kernels;
use playground_gpu::shaders::{all, Kernel};
use playground_gpu::wgsl_minify::minify;
use std::collections::BTreeSet;

fn parse(name: &str, wgsl: &str) -> naga::Module {
    let module = naga::front::wgsl::parse_str(wgsl).unwrap_or_else(|e| panic!("{}", e.emit_to_string_with_path(wgsl, name)));
    // Capabilities::default(): nothing beyond what a browser offers (with unpack2x16float, core
    // WGSL, which naga lists as a capability), except the optional features a kernel uses
    // (subgroups, f16), which launchers take only where granted
    let mut capabilities = Capabilities::default() | Capabilities::SHADER_FLOAT16_IN_FLOAT32;
    if name.ends_with("_subgroups") {
        capabilities |= Capabilities::SUBGROUP;
    }
    if wgsl.starts_with("enable f16;") {
        capabilities |= Capabilities::SHADER_FLOAT16;
    }
    Validator::new(ValidationFlags::all(), capabilities)
        .validate(&module)
        .unwrap_or_else(|e| panic!("{}", e.emit_to_string_with_path(wgsl, name)));
    module
}

#[test]
fn every_shader_parses_and_validates() {
    let sources = all();
    assert!(!sources.is_empty(), "the shader registry is empty");
    for s in sources {
        parse(s.name, &s.wgsl());
    }
}

/// `(path, text)` of the .wgsl files directly in `dir`.
fn wgsl_files(dir: &str) -> Vec<(String, String)> {
    std::fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("{dir}: {e}"))
        .map(|e| e.expect("readable entry").path())
        .filter(|p| p.extension().is_some_and(|x| x == "wgsl"))
        .map(|p| (p.display().to_string(), std::fs::read_to_string(&p).expect("readable file")))
        .collect()
}

#[test]
fn every_file_in_shaders_dir_is_used_and_every_kernel_named_once() {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/../shaders");
    let kernels = wgsl_files(dir);
    assert!(!kernels.is_empty(), "no .wgsl files found in {dir}");
    let sources = all();
    for (path, text) in kernels.iter().chain(&wgsl_files(&format!("{dir}/include"))) {
        let shipped = minify(text);
        assert!(sources.iter().any(|s| s.wgsl().contains(shipped.as_str())), "{path} is in no kernel of shaders.rs");
        assert_eq!(shipped.lines().count(), text.lines().count(), "{path}: minified, its lines moved");
    }
    let names: BTreeSet<&str> = sources.iter().map(|s| s.name).collect();
    assert_eq!(names.len(), sources.len(), "two kernels share a name");
}

#[test]
fn minify_drops_comments_and_spaces_but_no_token_boundary() {
    let wgsl = "// header\n\n  let x : f32 = a - -b; // why\n  @compute @workgroup_size(64) fn main() -> f32 {\n    y += x >= z;\n}\n";
    let want = "\n\nlet x:f32=a- -b;\n@compute @workgroup_size(64)fn main()->f32{\ny+=x>=z;\n}\n";
    assert_eq!(minify(wgsl), want);
}

#[test]
fn storage_bindings_fit_webgpu_default_limits() {
    for s in all() {
        let module = parse(s.name, &s.wgsl());
        let storage = module.global_variables.iter().filter(|(_, g)| matches!(g.space, AddressSpace::Storage { .. })).count();
        assert!(storage <= 8, "{} binds {storage} storage buffers; WebGPU guarantees 8", s.name);
        let workgroup_bytes: u32 = module
            .global_variables
            .iter()
            .filter(|(_, g)| g.space == AddressSpace::WorkGroup)
            .map(|(_, g)| module.types[g.ty].inner.size(module.to_ctx()))
            .sum();
        assert!(workgroup_bytes <= 16384, "{} uses {workgroup_bytes} bytes of workgroup memory", s.name);
    }
}

#[test]
fn bindings_are_contiguous_from_zero_with_the_uniform_last() {
    for s in all() {
        let module = parse(s.name, &s.wgsl());
        let mut bindings: Vec<(u32, AddressSpace)> = module
            .global_variables
            .iter()
            .filter_map(|(_, g)| g.binding.as_ref().map(|b| (b.group, b.binding, g.space)))
            .map(|(group, binding, space)| {
                assert_eq!(group, 0, "{}: everything sits in @group(0)", s.name);
                (binding, space)
            })
            .collect();
        bindings.sort_by_key(|b| b.0);
        for (i, (binding, _)) in bindings.iter().enumerate() {
            assert_eq!(*binding, i as u32, "{}: bindings must be 0..n without gaps", s.name);
        }
        let (last, rest) = bindings.split_last().expect("at least the params binding");
        assert_eq!(last.1, AddressSpace::Uniform, "{}: the uniform params come last", s.name);
        assert!(rest.iter().all(|b| matches!(b.1, AddressSpace::Storage { .. })), "{}: all others are storage", s.name);
    }
}

/// The tile shape of a tiled matmul kernel, by the name shaders.rs gives it.
fn matmul_tiles(k: Kernel) -> Option<kernels::matmul::Tiles> {
    use kernels::matmul::Tiles;
    let name = k.source().name;
    let name = ["_scalar", "_f16_packed", "_f16"].iter().find_map(|s| name.strip_suffix(s)).unwrap_or(name);
    let product = ["matmul_forward", "matmul_backward_input", "matmul_backward_weight"].into_iter().find(|p| name.starts_with(p))?;
    match &name[product.len()..] {
        "" => Some(Tiles::Large),
        "_small" => Some(Tiles::Small),
        "_emulated" => Some(Tiles::Emulated),
        _ => None,
    }
}

/// The workgroup size each launcher assumes when it sizes its grid.
fn launcher_workgroup_size(k: Kernel) -> [u32; 3] {
    use kernels::*;
    match k {
        Kernel::AblateForward => ablate::WORKGROUP_SIZE,
        Kernel::EmbeddingForward => embedding::WORKGROUP_SIZE,
        Kernel::EmbeddingBackwardWte => embedding::BACKWARD_WTE_WORKGROUP_SIZE,
        Kernel::EmbeddingBackwardWpe => embedding::BACKWARD_WPE_WORKGROUP_SIZE,
        Kernel::LayerNormForward => layernorm::WORKGROUP_SIZE,
        Kernel::LayerNormBackwardInput => layernorm::BACKWARD_INPUT_WORKGROUP_SIZE,
        Kernel::LayerNormBackwardParams => layernorm::BACKWARD_PARAMS_WORKGROUP_SIZE,
        Kernel::RmsNormForward => rmsnorm::WORKGROUP_SIZE,
        Kernel::RmsNormBackwardInput => rmsnorm::BACKWARD_INPUT_WORKGROUP_SIZE,
        Kernel::RmsNormBackwardParams => rmsnorm::BACKWARD_PARAMS_WORKGROUP_SIZE,
        Kernel::MatmulForward
        | Kernel::MatmulForwardScalar
        | Kernel::MatmulForwardSmall
        | Kernel::MatmulForwardSmallScalar
        | Kernel::MatmulForwardEmulated
        | Kernel::MatmulForwardEmulatedScalar
        | Kernel::MatmulBackwardInput
        | Kernel::MatmulBackwardInputScalar
        | Kernel::MatmulBackwardInputSmall
        | Kernel::MatmulBackwardInputSmallScalar
        | Kernel::MatmulBackwardInputEmulated
        | Kernel::MatmulBackwardInputEmulatedScalar
        | Kernel::MatmulBackwardWeight
        | Kernel::MatmulBackwardWeightScalar
        | Kernel::MatmulBackwardWeightSmall
        | Kernel::MatmulBackwardWeightSmallScalar
        | Kernel::MatmulBackwardWeightEmulated
        | Kernel::MatmulBackwardWeightEmulatedScalar
        | Kernel::MatmulForwardF16
        | Kernel::MatmulForwardF16Packed
        | Kernel::MatmulForwardSmallF16
        | Kernel::MatmulForwardSmallF16Packed
        | Kernel::MatmulForwardEmulatedF16
        | Kernel::MatmulForwardEmulatedF16Packed => matmul_tiles(k).expect("a tiled matmul").workgroup_size(),
        Kernel::MatmulForwardSkinny | Kernel::MatmulForwardSkinnyF16 | Kernel::MatmulForwardSkinnyF16Packed => {
            matmul::SKINNY_WORKGROUP_SIZE
        }
        Kernel::ReducePartials | Kernel::ReducePartialsForward => reduce::WORKGROUP_SIZE,
        Kernel::KvCacheWrite => kv_attention::WRITE_WORKGROUP_SIZE,
        Kernel::KvAttentionForward => kv_attention::WORKGROUP_SIZE,
        Kernel::AttentionForward => attention::WORKGROUP_SIZE,
        Kernel::AttentionBackwardQuery | Kernel::AttentionBackwardKey => attention::BACKWARD_WORKGROUP_SIZE,
        Kernel::AttentionForwardTiled
        | Kernel::AttentionForwardHead32
        | Kernel::AttentionBackwardQueryTiled
        | Kernel::AttentionBackwardKeyTiled
        | Kernel::AttentionBackwardQueryHead32
        | Kernel::AttentionBackwardKeyHead32
        | Kernel::AttentionForwardRegs64
        | Kernel::AttentionBackwardQueryRegs64 => attention::TILED_WORKGROUP_SIZE,
        Kernel::AttentionBackwardKvLanes64 => attention::REGS_KV_WORKGROUP_SIZE,
        Kernel::AttentionForwardLanes | Kernel::AttentionBackwardQueryLanes | Kernel::AttentionBackwardKvLanes => {
            attention::LANES_WORKGROUP_SIZE
        }
        Kernel::GeluForward => gelu::WORKGROUP_SIZE,
        Kernel::GeluBackward => gelu::BACKWARD_WORKGROUP_SIZE,
        Kernel::ReluForward => relu::WORKGROUP_SIZE,
        Kernel::ReluBackward => relu::BACKWARD_WORKGROUP_SIZE,
        Kernel::SwiGluForward => swiglu::WORKGROUP_SIZE,
        Kernel::SwiGluBackward => swiglu::BACKWARD_WORKGROUP_SIZE,
        Kernel::RopeForward => rope::WORKGROUP_SIZE,
        Kernel::RopeBackward => rope::BACKWARD_WORKGROUP_SIZE,
        Kernel::GeluTanhForward => kernels::gelu_tanh::WORKGROUP_SIZE,
        Kernel::GeluTanhBackward => kernels::gelu_tanh::BACKWARD_WORKGROUP_SIZE,
        Kernel::CrossPackForward | Kernel::CrossPackBackward => cross_pack::WORKGROUP_SIZE,
        Kernel::SoftmaxXentForward | Kernel::SoftmaxXentForwardSubgroups => softmax_xent::WORKGROUP_SIZE,
        Kernel::SoftmaxXentBackward => softmax_xent::BACKWARD_WORKGROUP_SIZE,
        Kernel::GradNormPartial | Kernel::GradNormPartialSubgroups => clip::PARTIAL_WORKGROUP_SIZE,
        Kernel::GradNormFinalize | Kernel::GradNormFinalizeSubgroups => clip::FINALIZE_WORKGROUP_SIZE,
        Kernel::AdamwUpdate => adamw::WORKGROUP_SIZE,
        Kernel::StepStats | Kernel::StepStatsSubgroups => kernels::stats::WORKGROUP_SIZE,
    }
}

#[test]
fn workgroup_sizes_match_launchers() {
    for &k in Kernel::ALL {
        let s = k.source();
        let module = parse(s.name, &s.wgsl());
        assert_eq!(module.entry_points.len(), 1, "{}: one entry point per file", s.name);
        let ep = &module.entry_points[0];
        assert_eq!(ep.name, "main", "{}", s.name);
        assert_eq!(ep.workgroup_size, launcher_workgroup_size(k), "{}: WGSL and launcher disagree", s.name);
    }
}

/// The value of a module-scope `const NAME: u32`.
fn const_u32(module: &naga::Module, name: &str) -> u32 {
    let (_, constant) = module.constants.iter().find(|(_, c)| c.name.as_deref() == Some(name)).unwrap_or_else(|| panic!("no const {name}"));
    match module.global_expressions[constant.init] {
        naga::Expression::Literal(naga::Literal::U32(v)) => v,
        ref e => panic!("const {name} is not a u32 literal: {e:?}"),
    }
}

#[test]
fn tile_and_chunk_sizes_match_launchers() {
    let tiled: Vec<(Kernel, kernels::matmul::Tiles)> = Kernel::ALL.iter().filter_map(|&k| Some((k, matmul_tiles(k)?))).collect();
    assert_eq!(tiled.len(), 24, "three matmuls, three tile shapes, vec4 and scalar loads; f16 weights forward");
    for (k, tiles) in tiled {
        let s = k.source();
        let module = parse(s.name, &s.wgsl());
        assert_eq!(const_u32(&module, "TILE"), tiles.side(), "{}", s.name);
        assert_eq!(const_u32(&module, "BK"), tiles.depth(), "{}", s.name);
        assert_eq!([const_u32(&module, "WORKGROUP_SIZE"); 2], tiles.workgroup_size()[..2], "{}", s.name);
        assert_eq!(const_u32(&module, "SLOTS"), tiles.stage_slots(), "{}", s.name);
        let shared: u32 = module
            .global_variables
            .iter()
            .filter(|(_, g)| g.space == AddressSpace::WorkGroup)
            .map(|(_, g)| module.types[g.ty].inner.size(module.to_ctx()))
            .sum();
        assert_eq!(shared, tiles.shared_bytes(), "{}", s.name);
        assert!(shared <= 16384, "{}: {shared} bytes of workgroup memory, over WebGPU's default limit", s.name);
    }
    for k in [Kernel::AttentionForwardTiled, Kernel::AttentionBackwardQueryTiled, Kernel::AttentionBackwardKeyTiled] {
        let s = k.source();
        assert_eq!(4 * const_u32(&parse(s.name, &s.wgsl()), "MAX_HS4"), kernels::attention::TILED_MAX_HEAD_SIZE, "{}", s.name);
    }
    for k in [Kernel::AttentionForwardLanes, Kernel::AttentionBackwardQueryLanes, Kernel::AttentionBackwardKvLanes] {
        let s = k.source();
        let module = parse(s.name, &s.wgsl());
        assert_eq!(4 * const_u32(&module, "MAX_HS4"), kernels::attention::LANES_MAX_HEAD_SIZE, "{}", s.name);
        assert_eq!(const_u32(&module, "LANES"), kernels::attention::LANES, "{}", s.name);
    }
    let s = Kernel::AttentionBackwardKvLanes64.source();
    let module = parse(s.name, &s.wgsl());
    assert_eq!(4 * const_u32(&module, "MAX_HS4"), kernels::attention::REGS_MAX_HEAD_SIZE, "{}", s.name);
    assert_eq!(const_u32(&module, "LANES"), kernels::attention::REGS_KV_LANES, "{}", s.name);
    for k in [Kernel::AttentionForwardHead32, Kernel::AttentionBackwardQueryHead32, Kernel::AttentionBackwardKeyHead32] {
        let s = k.source();
        assert_eq!(4 * const_u32(&parse(s.name, &s.wgsl()), "H4"), kernels::attention::HEAD32_MAX_HEAD_SIZE, "{}", s.name);
    }
    for k in [Kernel::LayerNormForward, Kernel::LayerNormBackwardInput, Kernel::RmsNormForward, Kernel::RmsNormBackwardInput] {
        let s = k.source();
        assert_eq!(const_u32(&parse(s.name, &s.wgsl()), "ROWS"), kernels::layernorm::ROWS_PER_WORKGROUP, "{}", s.name);
    }
    for k in [Kernel::GradNormPartial, Kernel::GradNormPartialSubgroups] {
        let s = k.source();
        assert_eq!(const_u32(&parse(s.name, &s.wgsl()), "CHUNK"), kernels::clip::CHUNK, "{}", s.name);
    }
    for k in [Kernel::MatmulForwardSkinny, Kernel::MatmulForwardSkinnyF16, Kernel::MatmulForwardSkinnyF16Packed] {
        let s = k.source();
        assert_eq!(const_u32(&parse(s.name, &s.wgsl()), "ROWS"), kernels::matmul::SKINNY_ROWS, "{}", s.name);
        assert_eq!(const_u32(&parse(s.name, &s.wgsl()), "COLS"), kernels::matmul::SKINNY_COLS, "{}", s.name);
    }
}
