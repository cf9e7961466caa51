use playground_core::cpu;
use playground_gpu::kernels::residual;
use playground_tests::*;

#[test]
fn residual_forward_matches_cpu() {
    let Some(gpu) = gpu_or_skip() else { return };
    for n in [1, 7 * 13, 70_001] {
        let (a, b) = (randn(n, 1.0, 13), randn(n, 1.0, 14));
        let mut want = vec![0.0; n];
        cpu::residual_forward(&mut want, &a, &b, n);
        let out = zeros(&gpu, n);
        let got = run_and_read(&gpu, &[residual::residual_forward(&gpu, &out, &upload(&gpu, &a), &upload(&gpu, &b), n as u32)], &[&out]);
        assert_close(&format!("residual n{n}"), &got[0], &want, 0.0, 0.0);
    }
}
