use playground_core::cpu;
use playground_gpu::kernels::clip;
use playground_tests::*;

/// Runs both grad_norm kernels on `grads` and returns (norm, scale).
fn gpu_grad_norm(gpu: &playground_gpu::GpuContext, grads: &[f32], max_norm: f32) -> (f32, f32) {
    let n = grads.len();
    let (norm, scale, partials) = (zeros(gpu, 1), zeros(gpu, 1), zeros(gpu, clip::partials_len(n as u32)));
    let ops = clip::grad_norm(gpu, &norm, &scale, &partials, &upload(gpu, grads), max_norm, n as u32);
    let got = run_and_read(gpu, &ops, &[&norm, &scale]);
    (got[0][0], got[1][0])
}

#[test]
fn grad_norm_and_clip_scale_match_cpu() {
    let Some(gpus) = both_reductions_or_skip() else { return };
    for gpu in gpus {
        // empty, tiny, exactly one chunk, one chunk and one value, many chunks (not a multiple)
        for n in [0, 7, 4096, 4097, 100_003] {
            let grads = randn(n, 0.1, 110);
            let norm = cpu::grad_norm(&grads);
            // a max_norm above the norm (scale 1) and one below it (scale < 1)
            for max_norm in [2.0 * norm + 1.0, 0.5 * norm] {
                let scale = cpu::clip_scale(norm, max_norm);
                let (g_norm, g_scale) = gpu_grad_norm(&gpu, &grads, max_norm);
                // f32 partial sums in trees on the GPU vs one f64 sum on the CPU
                assert_close(&format!("grad norm n{n}"), &[g_norm], &[norm], 0.0, 1e-5);
                assert_close(&format!("clip scale n{n} max_norm {max_norm}"), &[g_scale], &[scale], 0.0, 1e-5);
            }
        }
    }
}

#[test]
fn a_nan_gradient_gives_a_nan_norm_and_scale() {
    let Some(gpus) = both_reductions_or_skip() else { return };
    for gpu in gpus {
        let mut grads = randn(5000, 0.1, 111);
        grads[4321] = f32::NAN; // in the second chunk
        let (norm, scale) = gpu_grad_norm(&gpu, &grads, 1.0);
        assert!(cpu::grad_norm(&grads).is_nan() && cpu::clip_scale(f32::NAN, 1.0).is_nan());
        assert!(norm.is_nan(), "GPU norm {norm}");
        assert!(scale.is_nan(), "GPU scale {scale}: a NaN step must not be hidden");
    }
}
