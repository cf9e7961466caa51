use playground_core::cpu;
use playground_gpu::kernels::attention;
use playground_tests::*;

#[test]
fn attention_forward_matches_cpu() {
    let Some(gpu) = gpu_or_skip() else { return };
    // one head and several, T = 1 and odd T, head size not a multiple of 4
    for (b, t, c, nh) in [(1, 1, 4, 1), (2, 7, 12, 3), (1, 16, 15, 5), (2, 33, 32, 2)] {
        let qkv = randn(b * t * 3 * c, 1.0, 10);
        let mut out = vec![0.0; b * t * c];
        let mut lse = vec![0.0; b * nh * t];
        let mut preatt = vec![0.0; b * nh * t * t];
        let mut att = vec![0.0; b * nh * t * t];
        cpu::attention_forward(&mut out, &mut lse, &mut preatt, &mut att, &qkv, b, t, c, nh);
        let (g_out, g_lse, g_pre, g_att) =
            (zeros(&gpu, b * t * c), zeros(&gpu, b * nh * t), zeros(&gpu, b * nh * t * t), zeros(&gpu, b * nh * t * t));
        let op = attention::attention_forward(
            &gpu,
            &g_out,
            &g_lse,
            Some((&g_pre, &g_att)),
            &upload(&gpu, &qkv),
            b as u32,
            t as u32,
            c as u32,
            nh as u32,
        );
        let got = run_and_read(&gpu, &[op], &[&g_out, &g_lse, &g_pre, &g_att]);
        let tag = format!("b{b} t{t} c{c} nh{nh}");
        assert_close(&format!("attention out {tag}"), &got[0], &out, 1e-5, 1e-5);
        assert_close(&format!("attention lse {tag}"), &got[1], &lse, 1e-5, 1e-5);
        assert_close(&format!("attention preatt {tag}"), &got[2], &preatt, 1e-5, 1e-5);
        assert_close(&format!("attention att {tag}"), &got[3], &att, 1e-6, 1e-5);
        // rows of att sum to one and the masked half is exactly zero
        for row in got[3].chunks(t).enumerate() {
            let (r, vals) = row;
            let ti = r % t;
            assert!((vals.iter().sum::<f32>() - 1.0).abs() < 1e-5);
            assert!(vals[ti + 1..].iter().all(|&x| x == 0.0));
        }
    }
}

#[test]
fn attention_forward_without_weights_gives_the_same_output() {
    let Some(gpu) = gpu_or_skip() else { return };
    let (b, t, c, nh) = (2, 9, 8, 2);
    let qkv = upload(&gpu, &randn(b * t * 3 * c, 1.0, 11));
    let (o1, l1, o2, l2) = (zeros(&gpu, b * t * c), zeros(&gpu, b * nh * t), zeros(&gpu, b * t * c), zeros(&gpu, b * nh * t));
    let (pre, att) = (zeros(&gpu, b * nh * t * t), zeros(&gpu, b * nh * t * t));
    let ops = [
        attention::attention_forward(&gpu, &o1, &l1, Some((&pre, &att)), &qkv, b as u32, t as u32, c as u32, nh as u32),
        attention::attention_forward(&gpu, &o2, &l2, None, &qkv, b as u32, t as u32, c as u32, nh as u32),
    ];
    let got = run_and_read(&gpu, &ops, &[&o1, &o2, &l1, &l2]);
    assert_close("out with vs without weights", &got[0], &got[1], 0.0, 0.0);
    assert_close("lse with vs without weights", &got[2], &got[3], 0.0, 0.0);
}
