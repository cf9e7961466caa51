//! Helpers shared by the integration tests: tolerance checks, seeded data, the GPU context.

use playground_core::{CpuModel, ModelConfig, ParamLayout, Rng};
use playground_gpu::context::Op;
use playground_gpu::readback::read_f32;
use playground_gpu::{GpuContext, GpuTensor};
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
