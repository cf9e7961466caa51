use playground_core::cpu;
use playground_gpu::kernels::rope;
use playground_tests::*;

#[test]
fn rope_forward_and_backward_match_cpu() {
    let Some(gpu) = gpu_or_skip() else { return };
    // (B, T, C, NH, NKV, maxT): HS = 2 (one pair), odd pair counts (HS = 6, 10), T < maxT,
    // B·T·C not a multiple of the workgroup; 6 query heads over 2 or 3 key heads
    let shapes =
        [(1, 1, 2, 1, 1, 1), (2, 7, 12, 2, 2, 9), (3, 5, 30, 3, 3, 5), (1, 33, 64, 4, 4, 40), (2, 7, 24, 6, 2, 9), (3, 5, 60, 6, 3, 5)];
    for (b, t, c, nh, nkv, max_t) in shapes {
        let (cos, sin) = cpu::rope_table(max_t, c / nh, 500_000.0); // Llama 3's base, not the default
        let (g_cos, g_sin) = (upload(&gpu, &cos), upload(&gpu, &sin));
        let tag = format!("b{b} t{t} c{c} nh{nh} nkv{nkv}");
        let (bu, tu, cu, nhu, nkvu) = (b as u32, t as u32, c as u32, nh as u32, nkv as u32);
        for backward in [false, true] {
            let qkv = randn(b * t * (c + 2 * nkv * (c / nh)), 1.0, 90);
            let g_qkv = upload(&gpu, &qkv);
            let mut want = qkv.clone();
            let op = if backward {
                cpu::rope_backward(&mut want, &cos, &sin, b, t, c, nh, nkv);
                rope::rope_backward(&gpu, &g_qkv, &g_cos, &g_sin, bu, tu, cu, nhu, nkvu)
            } else {
                cpu::rope_forward(&mut want, &cos, &sin, b, t, c, nh, nkv);
                rope::rope_forward(&gpu, &g_qkv, &g_cos, &g_sin, bu, tu, cu, nhu, nkvu)
            };
            let got = run_and_read(&gpu, &[op], &[&g_qkv]);
            // the same two products and one sum per value: at most an ulp or two (FMA)
            assert_close(&format!("rope {} {tag}", if backward { "backward" } else { "forward" }), &got[0], &want, 1e-6, 1e-6);
        }
    }
}
