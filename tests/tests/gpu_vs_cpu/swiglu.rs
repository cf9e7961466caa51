use playground_core::cpu;
use playground_gpu::kernels::swiglu;
use playground_tests::*;

#[test]
fn swiglu_forward_and_backward_match_cpu() {
    let Some(gpu) = gpu_or_skip() else { return };
    // rows·H not a multiple of the workgroup, H odd, tails of the sigmoid (|g| up to ~25)
    for (rows, h) in [(1, 1), (7, 13), (19, 40), (3, 171)] {
        let inp = randn(rows * 2 * h, 5.0, 80);
        let mut out = vec![0.0; rows * h];
        cpu::swiglu_forward(&mut out, &inp, rows, h);
        let (g_out, g_inp) = (zeros(&gpu, rows * h), upload(&gpu, &inp));
        let got = run_and_read(&gpu, &[swiglu::swiglu_forward(&gpu, &g_out, &g_inp, rows as u32, h as u32)], &[&g_out]);
        let tag = format!("rows{rows} h{h}");
        // exp differs by a few ulps between the GPU and the CPU
        assert_close(&format!("swiglu {tag}"), &got[0], &out, 1e-5, 1e-5);

        let dout = randn(rows * h, 1.0, 81);
        // both store: the GPU's gradient starts as garbage, the CPU's as NaN
        let (g_dinp, mut dinp) = (upload(&gpu, &randn(rows * 2 * h, 1.0, 82)), vec![f32::NAN; rows * 2 * h]);
        cpu::swiglu_backward(&mut dinp, &inp, &dout, rows, h);
        let op = swiglu::swiglu_backward(&gpu, &g_dinp, &g_inp, &upload(&gpu, &dout), rows as u32, h as u32);
        let got = run_and_read(&gpu, &[op], &[&g_dinp]);
        assert_close(&format!("swiglu dinp {tag}"), &got[0], &dinp, 1e-5, 1e-5);
    }
}
