use playground_core::cpu;
use playground_gpu::kernels::matmul;
use playground_tests::*;

#[test]
fn matmul_forward_matches_cpu() {
    let Some(gpu) = gpu_or_skip() else { return };
    // partial tiles in every direction, K not a multiple of the 16-wide k-slice, and a bias-free case
    for (m, k, n, with_bias) in [(1, 1, 1, true), (7, 13, 5, true), (14, 64, 192, true), (65, 33, 130, false), (128, 256, 64, true)] {
        let (inp, w, bias) = (randn(m * k, 1.0, 7), randn(n * k, 1.0, 8), randn(n, 1.0, 9));
        let mut want = vec![0.0; m * n];
        cpu::matmul_forward(&mut want, &inp, &w, with_bias.then_some(&bias[..]), m, k, n);
        let out = zeros(&gpu, m * n);
        let g_bias = upload(&gpu, &bias);
        let op = matmul::matmul_forward(
            &gpu,
            &out,
            &upload(&gpu, &inp),
            &upload(&gpu, &w),
            with_bias.then_some(&g_bias),
            m as u32,
            k as u32,
            n as u32,
        );
        let got = run_and_read(&gpu, &[op], &[&out]);
        // summation order differs (fma, tiling); error grows with K
        assert_close(&format!("matmul m{m} k{k} n{n}"), &got[0], &want, 1e-5 * (k as f32).sqrt(), 1e-5);
    }
}
