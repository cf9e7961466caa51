use playground_core::cpu;
use playground_gpu::kernels::gelu;
use playground_tests::*;

#[test]
fn gelu_forward_matches_cpu() {
    let Some(gpu) = gpu_or_skip() else { return };
    // ±20 range catches tail differences; n not a multiple of the workgroup
    let inp: Vec<f32> = randn(1000, 6.0, 12).into_iter().chain([-20.0, -10.0, -1e-8, 0.0, 1e-8, 10.0, 20.0]).collect();
    let n = inp.len();
    let mut want = vec![0.0; n];
    cpu::gelu_forward(&mut want, &inp, n);
    let out = zeros(&gpu, n);
    let got = run_and_read(&gpu, &[gelu::gelu_forward(&gpu, &out, &upload(&gpu, &inp), n as u32)], &[&out]);
    // A&S 7.1.26 erf: |error| < 1.5e-7, times |x|/2
    assert_close("gelu", &got[0], &want, 2e-6, 2e-6);
}

#[test]
fn gelu_backward_matches_cpu() {
    let Some(gpu) = gpu_or_skip() else { return };
    // ±20 range catches tail differences; n not a multiple of the workgroup
    let inp: Vec<f32> = randn(1000, 6.0, 60).into_iter().chain([-20.0, -10.0, -1e-8, 0.0, 1e-8, 10.0, 20.0]).collect();
    let n = inp.len();
    let dout = randn(n, 1.0, 61);
    // both store: the GPU's gradient starts as garbage, the CPU's as NaN
    let (g_dinp, mut dinp) = (upload(&gpu, &randn(n, 1.0, 62)), vec![f32::NAN; n]);
    cpu::gelu_backward(&mut dinp, &inp, &dout, n);
    let got = run_and_read(&gpu, &[gelu::gelu_backward(&gpu, &g_dinp, &upload(&gpu, &inp), &upload(&gpu, &dout), n as u32)], &[&g_dinp]);
    // A&S 7.1.26 erf: |error| < 1.5e-7 in Φ, times |dout| (≤ 4 here), plus exp's few ulps in φ
    assert_close("gelu dinp", &got[0], &dinp, 2e-6, 2e-6);
}
