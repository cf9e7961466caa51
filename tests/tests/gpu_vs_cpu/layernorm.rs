use playground_core::cpu;
use playground_gpu::kernels::layernorm;
use playground_tests::*;

#[test]
fn layernorm_forward_matches_cpu() {
    let Some(gpu) = gpu_or_skip() else { return };
    // rows = B·T with T = 7 (odd), C not a multiple of 4, C wider than the workgroup
    for (rows, c) in [(1, 1), (14, 13), (7, 64), (3, 130)] {
        let inp: Vec<f32> = randn(rows * c, 2.0, 4).iter().map(|x| x + 3.0).collect(); // a mean to remove
        let (w, bias) = (randn(c, 1.0, 5), randn(c, 1.0, 6));
        let (mut out, mut mean, mut rstd) = (vec![0.0; rows * c], vec![0.0; rows], vec![0.0; rows]);
        cpu::layernorm_forward(&mut out, &mut mean, &mut rstd, &inp, &w, &bias, rows, c);
        let (g_out, g_mean, g_rstd) = (zeros(&gpu, rows * c), zeros(&gpu, rows), zeros(&gpu, rows));
        let op = layernorm::layernorm_forward(
            &gpu,
            &g_out,
            &g_mean,
            &g_rstd,
            &upload(&gpu, &inp),
            &upload(&gpu, &w),
            &upload(&gpu, &bias),
            rows as u32,
            c as u32,
        );
        let got = run_and_read(&gpu, &[op], &[&g_out, &g_mean, &g_rstd]);
        let tag = format!("rows{rows} c{c}");
        // the GPU sums in a tree, the CPU in a line: a few ulps apart
        assert_close(&format!("layernorm out {tag}"), &got[0], &out, 1e-5, 1e-5);
        assert_close(&format!("layernorm mean {tag}"), &got[1], &mean, 1e-5, 1e-6);
        assert_close(&format!("layernorm rstd {tag}"), &got[2], &rstd, 1e-5, 1e-5);
    }
}
