use playground_core::cpu::{self, AdamWParams};
use playground_core::{ModelConfig, ParamLayout};
use playground_gpu::kernels::{adamw, clip};
use playground_tests::*;

const HP: AdamWParams = AdamWParams { lr: 1e-2, beta1: 0.9, beta2: 0.95, eps: 1e-8, weight_decay: 0.1, step: 1 };

#[test]
fn adamw_update_matches_cpu_over_three_steps() {
    let Some(gpu) = gpu_or_skip() else { return };
    let n = 1000 + 7; // not a multiple of the workgroup
    let mut params = randn(n, 1.0, 90);
    let (mut m, mut v) = (vec![0.0; n], vec![0.0; n]);
    let grad_scale = 0.37; // as if clipped
    let (g_params, g_m, g_v) = (upload(&gpu, &params), zeros(&gpu, n), zeros(&gpu, n));
    let (g_grads, g_scale) = (zeros(&gpu, n), upload(&gpu, &[grad_scale]));
    // recorded once, its uniform rewritten every step, as a training loop does
    let ops = adamw::adamw_update(&gpu, &g_params, &g_m, &g_v, &g_grads, &g_scale, &HP, n as u32);
    for step in 1..=3 {
        let hp = AdamWParams { step, lr: HP.lr * step as f32, ..HP }; // a schedule changes lr too
        let grads = randn(n, 1.0, 90 + step as u64);
        g_grads.write(&gpu, &grads);
        adamw::write_hparams(&gpu, &ops, &hp);
        cpu::adamw_update(&mut params, &mut m, &mut v, &grads, grad_scale, &hp, n);
        let got = run_and_read(&gpu, &ops, &[&g_params, &g_m, &g_v]);
        // elementwise; √ and ÷ may differ by an ulp or two on the GPU, and the update is ≤ lr
        assert_close(&format!("adamw params step {step}"), &got[0], &params, 1e-6, 1e-6);
        assert_close(&format!("adamw m step {step}"), &got[1], &m, 1e-7, 1e-6);
        assert_close(&format!("adamw v step {step}"), &got[2], &v, 1e-7, 1e-6);
    }
}

#[test]
fn clipped_adamw_step_on_the_model_layout_matches_cpu() {
    let Some(gpu) = gpu_or_skip() else { return };
    // the model's use: one norm over the whole gradient buffer, then AdamW twice, matrices
    // with weight decay and vectors without, on slices of the same buffers
    let cfg = ModelConfig { vocab_size: 37, block_size: 16, n_layer: 2, n_head: 3, n_embd: 15, ..ModelConfig::default() };
    let layout = ParamLayout::new(&cfg);
    let len = layout.padded_len();
    let mut params = randn(len, 0.5, 100);
    let grads = randn(len, 0.2, 101);
    let (mut m, mut v) = (randn(len, 0.01, 102), randn(len, 0.01, 103).iter().map(|x| x * x).collect::<Vec<_>>());
    let max_norm = 1.0; // ~7.7k gradients of N(0, 0.2²): the norm is ~18, so clipping acts
    let hp = AdamWParams { step: 4, ..HP };
    let (g_params, g_m, g_v, g_grads) = (upload(&gpu, &params), upload(&gpu, &m), upload(&gpu, &v), upload(&gpu, &grads));
    let (g_norm, g_scale, g_partials) = (zeros(&gpu, 1), zeros(&gpu, 1), zeros(&gpu, clip::partials_len(len as u32)));

    let norm = cpu::grad_norm(&grads);
    let scale = cpu::clip_scale(norm, max_norm);
    assert!(scale < 0.1, "the test means to clip: norm {norm}");
    let mut ops = clip::grad_norm(&gpu, &g_norm, &g_scale, &g_partials, &g_grads, max_norm, len as u32);
    for (span, weight_decay) in [(layout.decay_span(), HP.weight_decay), (layout.no_decay_span(), 0.0)] {
        let hp = AdamWParams { weight_decay, ..hp };
        let (o, n) = (span.offset, span.len);
        cpu::adamw_update(&mut params[o..o + n], &mut m[o..o + n], &mut v[o..o + n], &grads[o..o + n], scale, &hp, n);
        let view = |t: &playground_gpu::GpuTensor| t.slice(o, n);
        ops.extend(adamw::adamw_update(&gpu, &view(&g_params), &view(&g_m), &view(&g_v), &view(&g_grads), &g_scale, &hp, n as u32));
    }
    let got = run_and_read(&gpu, &ops, &[&g_norm, &g_scale, &g_params, &g_m, &g_v]);
    // f32 tree sums on the GPU vs an f64 sum on the CPU
    assert_close("grad norm", &got[0], &[norm], 0.0, 1e-5);
    assert_close("clip scale", &got[1], &[scale], 0.0, 1e-5);
    // the scale's own 1e-5 passes into g and so into m; the normalized update barely moves
    assert_close("adamw params (decay + no-decay)", &got[2], &params, 1e-6, 1e-5);
    assert_close("adamw m", &got[3], &m, 1e-7, 2e-5);
    assert_close("adamw v", &got[4], &v, 1e-8, 4e-5);
}

#[test]
fn a_non_finite_gradient_norm_refuses_the_step_on_cpu_and_gpu() {
    let Some(gpu) = gpu_or_skip() else { return };
    let n = 300;
    let (params, m, v) = (randn(n, 1.0, 110), randn(n, 0.1, 111), vec![0.01f32; n]);
    for bad in [f32::NAN, f32::INFINITY] {
        let mut grads = randn(n, 1.0, 112);
        grads[123] = bad;
        let scale = cpu::clip_scale(cpu::grad_norm(&grads), 1.0);
        assert!(scale.is_nan(), "a {bad} gradient must give a NaN scale, got {scale}");
        let (mut p, mut m_cpu, mut v_cpu) = (params.clone(), m.clone(), v.clone());
        cpu::adamw_update(&mut p, &mut m_cpu, &mut v_cpu, &grads, scale, &HP, n);
        assert_eq!((&p, &m_cpu, &v_cpu), (&params, &m, &v), "CPU changed state on a {bad} step");

        let (g_params, g_m, g_v, g_grads) = (upload(&gpu, &params), upload(&gpu, &m), upload(&gpu, &v), upload(&gpu, &grads));
        let (g_norm, g_scale, g_partials) = (zeros(&gpu, 1), zeros(&gpu, 1), zeros(&gpu, clip::partials_len(n as u32)));
        let mut ops = clip::grad_norm(&gpu, &g_norm, &g_scale, &g_partials, &g_grads, 1.0, n as u32);
        ops.extend(adamw::adamw_update(&gpu, &g_params, &g_m, &g_v, &g_grads, &g_scale, &HP, n as u32));
        let got = run_and_read(&gpu, &ops, &[&g_norm, &g_scale, &g_params, &g_m, &g_v]);
        assert!(!got[0][0].is_finite() && got[1][0].is_nan(), "GPU norm {} scale {}", got[0][0], got[1][0]);
        assert_eq!((&got[2], &got[3], &got[4]), (&params, &m, &v), "GPU changed state on a {bad} step");
    }
}
