use playground_core::cpu;
use playground_gpu::kernels::cross_pack;
use playground_tests::*;

#[test]
fn cross_pack_forward_and_backward_match_cpu() {
    let Some(gpu) = gpu_or_skip() else { return };
    // rows·(C + 2·KVC) not a multiple of the workgroup, C odd; fewer key/value channels than C
    for (rows, c, kvc) in [(1, 1, 1), (7, 13, 13), (35, 24, 24), (7, 15, 5), (35, 24, 8)] {
        let (q, kv) = (randn(rows * c, 1.0, 90), randn(rows * 2 * kvc, 1.0, 91));
        let w = c + 2 * kvc;
        let mut out = vec![0.0; rows * w];
        cpu::cross_pack_forward(&mut out, &q, &kv, rows, c, kvc);
        let g_out = zeros(&gpu, rows * w);
        let (r, cu, kvcu) = (rows as u32, c as u32, kvc as u32);
        let op = cross_pack::cross_pack_forward(&gpu, &g_out, &upload(&gpu, &q), &upload(&gpu, &kv), r, cu, kvcu);
        let got = run_and_read(&gpu, &[op], &[&g_out]);
        let tag = format!("rows{rows} c{c} kvc{kvc}");
        assert_close(&format!("cross_pack {tag}"), &got[0], &out, 0.0, 0.0);

        let dout = randn(rows * w, 1.0, 92);
        // both gradients are stored: the GPU's start as garbage, the CPU's as NaN
        let (g_dq, g_dkv) = (upload(&gpu, &randn(rows * c, 1.0, 93)), upload(&gpu, &randn(rows * 2 * kvc, 1.0, 94)));
        let (mut dq, mut dkv) = (vec![f32::NAN; rows * c], vec![f32::NAN; rows * 2 * kvc]);
        cpu::cross_pack_backward(&mut dq, &mut dkv, &dout, rows, c, kvc);
        let op = cross_pack::cross_pack_backward(&gpu, &g_dq, &g_dkv, &upload(&gpu, &dout), r, cu, kvcu);
        let got = run_and_read(&gpu, &[op], &[&g_dq, &g_dkv]);
        assert_close(&format!("cross_pack dq {tag}"), &got[0], &dq, 0.0, 0.0);
        assert_close(&format!("cross_pack dkv {tag}"), &got[1], &dkv, 0.0, 0.0);
    }
}
