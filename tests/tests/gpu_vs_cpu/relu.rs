use playground_core::cpu;
use playground_gpu::kernels::relu;
use playground_tests::*;

#[test]
fn relu_forward_and_backward_match_cpu() {
    let Some(gpu) = gpu_or_skip() else { return };
    // n not a multiple of the workgroup; exact zeros and signed zeros included
    let inp: Vec<f32> = randn(1000, 2.0, 70).into_iter().chain([-0.0, 0.0, 1e-30, -1e-30]).collect();
    let n = inp.len();
    let mut want = vec![0.0; n];
    cpu::relu_forward(&mut want, &inp, n);
    let (out, g_inp) = (zeros(&gpu, n), upload(&gpu, &inp));
    let got = run_and_read(&gpu, &[relu::relu_forward(&gpu, &out, &g_inp, n as u32)], &[&out]);
    assert_close("relu", &got[0], &want, 0.0, 0.0);

    let dout = randn(n, 1.0, 71);
    // both store, zeros where inp ≤ 0 too: the GPU's gradient starts as garbage, the CPU's as NaN
    let (g_dinp, mut dinp) = (upload(&gpu, &randn(n, 1.0, 72)), vec![f32::NAN; n]);
    cpu::relu_backward(&mut dinp, &inp, &dout, n);
    let got = run_and_read(&gpu, &[relu::relu_backward(&gpu, &g_dinp, &g_inp, &upload(&gpu, &dout), n as u32)], &[&g_dinp]);
    assert_close("relu dinp", &got[0], &dinp, 0.0, 0.0);
}
