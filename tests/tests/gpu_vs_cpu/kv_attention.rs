use playground_core::cpu;
use playground_gpu::kernels::kv_attention;
use playground_tests::*;

#[test]
fn kv_cache_write_and_kv_attention_forward_match_cpu() {
    let Some(gpu) = gpu_or_skip() else { return };
    // (N, pos0, C, NH, NKV, maxT): one row at position 0, one head, HS = 1, odd C, a row ending
    // at the last position, more keys (70) than the 64 invocations of a workgroup; 6 heads
    // reading 2 or 3 key/value heads (grouped-query attention)
    let shapes = [
        (1, 0, 4, 1, 1, 4),
        (3, 4, 15, 3, 3, 9),
        (1, 8, 15, 5, 5, 9),
        (2, 5, 7, 7, 7, 7),
        (5, 65, 24, 2, 2, 70),
        (3, 4, 30, 6, 2, 9),
        (5, 65, 48, 6, 3, 70),
    ];
    for (n, pos0, c, nh, nkv, maxt) in shapes {
        let tag = format!("n{n} pos0 {pos0} c{c} nh{nh} nkv{nkv} maxT{maxt}");
        let kvc = nkv * (c / nh);
        // the cache holds earlier positions; the new rows' K and V go after them
        let (mut kc, mut vc) = (randn(maxt * kvc, 1.0, 30), randn(maxt * kvc, 1.0, 31));
        let qkv = randn(n * (c + 2 * kvc), 1.0, 32);
        let (g_kc, g_vc, g_qkv) = (upload(&gpu, &kc), upload(&gpu, &vc), upload(&gpu, &qkv));
        let (out, att) = (zeros(&gpu, n * c), zeros(&gpu, n * nh * maxt));
        cpu::kv_cache_write(&mut kc, &mut vc, &qkv, n, pos0, c, nh, nkv, maxt);
        let mut want = vec![0.0; n * c];
        cpu::kv_attention_forward(&mut want, &qkv, &kc, &vc, n, pos0, c, nh, nkv, maxt);
        let (n32, p32, c32, nh32, nkv32, t32) = (n as u32, pos0 as u32, c as u32, nh as u32, nkv as u32, maxt as u32);
        let ops = [
            kv_attention::kv_cache_write(&gpu, &g_kc, &g_vc, &g_qkv, n32, p32, c32, nh32, nkv32, t32),
            kv_attention::kv_attention_forward(&gpu, &out, &att, &g_qkv, &g_kc, &g_vc, n32, p32, c32, nh32, nkv32, t32),
        ];
        let got = run_and_read(&gpu, &ops, &[&g_kc, &g_vc, &out]);
        // the write copies: exact; attention sums in another order
        assert_close(&format!("kv_cache_write K {tag}"), &got[0], &kc, 0.0, 0.0);
        assert_close(&format!("kv_cache_write V {tag}"), &got[1], &vc, 0.0, 0.0);
        assert_close(&format!("kv_attention_forward {tag}"), &got[2], &want, 1e-5, 1e-5);
    }
}
