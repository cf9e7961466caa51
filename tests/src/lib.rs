//! Helpers shared by the integration tests: tolerance checks, seeded data, the GPU context.

use playground_core::hf::weights::INDEX_JSON;
use playground_core::hf::{HfConfig, ShardIndex};
use playground_core::{CpuModel, ModelConfig, ParamLayout, Rng};
use playground_gpu::context::Op;
use playground_gpu::readback::read_f32;
use playground_gpu::{DeviceFacts, GpuContext, GpuTensor};
use std::sync::{Arc, OnceLock};

/// Checks `|got − want| ≤ atol + rtol·|want|` elementwise (llm.c's `check_tensor`), prints one
/// line with the largest difference, and returns it. Panics with the first mismatches.
pub fn assert_close(label: &str, got: &[f32], want: &[f32], atol: f32, rtol: f32) -> f32 {
    assert_eq!(got.len(), want.len(), "{label}: length {} != {}", got.len(), want.len());
    let mut max_diff = 0.0f32;
    let mut bad = Vec::new();
    for (i, (&g, &w)) in got.iter().zip(want).enumerate() {
        let diff = (g - w).abs();
        if diff.is_nan() || diff > atol + rtol * w.abs() {
            bad.push((i, g, w));
        }
        if diff.is_finite() {
            max_diff = max_diff.max(diff);
        } else if g.to_bits() != w.to_bits() {
            max_diff = f32::INFINITY;
        }
    }
    println!("{label}: {} values, max |diff| = {max_diff:.3e}", got.len());
    if !bad.is_empty() {
        let shown: Vec<String> = bad.iter().take(5).map(|(i, g, w)| format!("[{i}] got {g} want {w}")).collect();
        panic!("{label}: {} of {} values differ beyond atol {atol:e} + rtol {rtol:e}: {}", bad.len(), got.len(), shown.join(", "));
    }
    max_diff
}

/// `n` samples of N(0, std²) from a seeded generator.
pub fn randn(n: usize, std: f32, seed: u64) -> Vec<f32> {
    Rng::new(seed).normal_vec(n, std)
}

/// `n` token ids below `v`.
pub fn rand_tokens(n: usize, v: usize, seed: u64) -> Vec<u32> {
    let mut rng = Rng::new(seed);
    (0..n).map(|_| rng.below(v) as u32).collect()
}

static GPU: OnceLock<Result<Arc<GpuContext>, String>> = OnceLock::new();

/// The shared GPU context (pipelines compile once per test binary). Without an adapter the
/// test is skipped loudly, unless `PLAYGROUND_REQUIRE_GPU=1`, where it fails: `make test` sets
/// it, so the GPU tests cannot pass by not running.
pub fn gpu_or_skip() -> Option<Arc<GpuContext>> {
    let ctx = GPU.get_or_init(|| pollster::block_on(GpuContext::new()).map(Arc::new).map_err(|e| e.to_string()));
    match ctx {
        Ok(gpu) => Some(gpu.clone()),
        Err(e) if std::env::var("PLAYGROUND_REQUIRE_GPU").as_deref() == Ok("1") => {
            panic!("PLAYGROUND_REQUIRE_GPU=1 but no GPU context: {e}")
        }
        Err(e) => {
            eprintln!("skipped: no GPU adapter ({e}); set PLAYGROUND_REQUIRE_GPU=1 to make this a failure");
            None
        }
    }
}

static GPU_AS_H100: OnceLock<Option<Arc<GpuContext>>> = OnceLock::new();

/// A second context on the same adapter whose launchers size their grids as on an H100
/// (`GpuContext::with_device_facts`): the paths a real GPU takes (split sums, 128×128 tiles)
/// run on lavapipe too. It asks for no optional features, so where `gpu_or_skip`'s context
/// reduces with subgroups (lavapipe has them) this one takes the workgroup-memory reductions.
/// Skipped or failing without an adapter as `gpu_or_skip`.
pub fn gpu_as_h100_or_skip() -> Option<Arc<GpuContext>> {
    gpu_or_skip()?;
    GPU_AS_H100
        .get_or_init(|| {
            let gpu = pollster::block_on(GpuContext::with_optional_features(wgpu::Features::empty()))
                .expect("a second context on the adapter of the first");
            Some(Arc::new(gpu.with_device_facts(DeviceFacts::H100)))
        })
        .clone()
}

/// Both contexts, `gpu_or_skip`'s and `gpu_as_h100_or_skip`'s: on lavapipe the first reduces
/// with subgroups and the second in workgroup memory, so a test over both runs both paths.
pub fn both_reductions_or_skip() -> Option<[Arc<GpuContext>; 2]> {
    Some([gpu_or_skip()?, gpu_as_h100_or_skip()?])
}

/// Runs `ops` in one submission and reads `outputs` back.
pub fn run_and_read(gpu: &GpuContext, ops: &[Op], outputs: &[&GpuTensor]) -> Vec<Vec<f32>> {
    gpu.run(ops);
    pollster::block_on(read_f32(gpu, outputs)).expect("readback")
}

/// A GPU buffer holding `data` (f32 or u32).
pub fn upload<T: bytemuck::Pod>(gpu: &GpuContext, data: &[T]) -> GpuTensor {
    GpuTensor::from_slice(gpu, "test input", data)
}

/// A zeroed GPU buffer of `n` elements.
pub fn zeros(gpu: &GpuContext, n: usize) -> GpuTensor {
    GpuTensor::zeros(gpu, "test output", n)
}

/// Centered finite differences of a scalar function at the elements `indices` of `x` (the
/// CS231n pattern): (f(x + h·eᵢ) − f(x − h·eᵢ)) / 2h. The step is the one f32 can represent,
/// (xᵢ + h) − (xᵢ − h), so rounding of xᵢ ± h does not bias the quotient.
pub fn numerical_grad_at(mut f: impl FnMut(&[f32]) -> f64, x: &[f32], indices: &[usize], h: f32) -> Vec<f32> {
    let mut x = x.to_vec();
    indices
        .iter()
        .map(|&i| {
            let x0 = x[i];
            let (plus, minus) = (x0 + h, x0 - h);
            x[i] = plus;
            let fp = f(&x);
            x[i] = minus;
            let fm = f(&x);
            x[i] = x0;
            ((fp - fm) / (plus as f64 - minus as f64)) as f32
        })
        .collect()
}

/// Centered finite differences of `f` at every element of `x`.
pub fn numerical_grad(f: impl FnMut(&[f32]) -> f64, x: &[f32], h: f32) -> Vec<f32> {
    numerical_grad_at(f, x, &(0..x.len()).collect::<Vec<_>>(), h)
}

/// Σ aᵢ·bᵢ in f64: the scalar loss L = Σ out·r whose gradient with respect to `out` is `r`.
pub fn dot_f64(a: &[f32], b: &[f32]) -> f64 {
    a.iter().zip(b).map(|(&x, &y)| x as f64 * y as f64).sum()
}

/// The Hugging Face fixtures (tokenizers trained by `tokenizers`, checkpoints written by
/// `transformers`) in build/hf-fixtures, made by tests/python/hf_fixtures.py with the
/// project's Python environment (build/venv) when missing or made by another version of the
/// script. Without that environment the tests that need them skip loudly, and fail instead
/// when PLAYGROUND_REQUIRE_PYTHON_FIXTURES=1, as `make test` sets.
pub fn hf_fixtures() -> Option<std::path::PathBuf> {
    static DIR: OnceLock<Option<std::path::PathBuf>> = OnceLock::new();
    DIR.get_or_init(make_hf_fixtures).clone()
}

fn make_hf_fixtures() -> Option<std::path::PathBuf> {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).parent().expect("tests/ sits in the workspace root").to_path_buf();
    let out = root.join("build/hf-fixtures");
    let sources = ["tests/python/hf_fixtures.py", "tests/python/hf_text.py"]
        .map(|p| std::fs::read_to_string(root.join(p)).expect("the fixture scripts"));
    let stamp = sources.concat();
    if std::fs::read_to_string(out.join("stamp.txt")).is_ok_and(|s| s == stamp) {
        return Some(out);
    }
    let python = root.join("build/venv/bin/python");
    eprintln!("{} is missing or stale: running tests/python/hf_fixtures.py", out.display());
    let status = std::process::Command::new(&python).arg("tests/python/hf_fixtures.py").arg(&out).current_dir(&root).status();
    if status.as_ref().is_ok_and(|s| s.success()) && std::fs::read_to_string(out.join("stamp.txt")).is_ok_and(|s| s == stamp) {
        return Some(out);
    }
    let what = format!("could not make the Hugging Face fixtures with {} ({status:?})", python.display());
    let hint = "HINT: scripts/setup.sh test (build/venv with transformers and tokenizers from scripts/requirements-parity.txt)";
    if std::env::var("PLAYGROUND_REQUIRE_PYTHON_FIXTURES").is_ok_and(|v| v == "1") {
        panic!("{what}, and PLAYGROUND_REQUIRE_PYTHON_FIXTURES=1. {hint}");
    }
    eprintln!("SKIPPED: {what}. {hint}");
    None
}

/// The weight files of a Hugging Face model folder: the index's shards, or model.safetensors.
pub fn hf_weight_files(dir: &std::path::Path) -> (Option<ShardIndex>, Vec<(String, Vec<u8>)>) {
    let read = |name: &str| (name.to_string(), std::fs::read(dir.join(name)).unwrap_or_else(|e| panic!("{name}: {e}")));
    match std::fs::read_to_string(dir.join(INDEX_JSON)) {
        Ok(json) => {
            let index = ShardIndex::from_json(&json).unwrap();
            let files = index.files.iter().map(|f| read(f)).collect();
            (Some(index), files)
        }
        Err(_) => (None, vec![read("model.safetensors")]),
    }
}

/// config.json of a Hugging Face model folder.
pub fn hf_config(dir: &std::path::Path) -> HfConfig {
    HfConfig::from_json(&std::fs::read_to_string(dir.join("config.json")).unwrap()).unwrap()
}

/// A model with weights larger than the initialization's (N(0, 0.3), norm weights around 1), so
/// that attention is far from uniform.
pub fn spread_model(cfg: ModelConfig, seed: u64) -> CpuModel {
    let layout = ParamLayout::new(&cfg);
    let mut params = randn(layout.padded_len(), 0.3, seed);
    for t in layout.tensors() {
        if t.name.contains("ln_") && t.name.ends_with(".weight") {
            t.span.of_mut(&mut params).iter_mut().for_each(|w| *w += 1.0);
        }
    }
    CpuModel::from_params(cfg, params).unwrap()
}
