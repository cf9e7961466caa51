use playground_core::cpu;
use playground_gpu::kernels::embedding;
use playground_tests::*;

#[test]
fn embedding_forward_matches_cpu() {
    let Some(gpu) = gpu_or_skip() else { return };
    for (b, t, c, v, max_t) in [(1, 1, 3, 5, 4), (2, 7, 13, 11, 9), (3, 16, 64, 65, 16)] {
        let tokens = rand_tokens(b * t, v, 1);
        let (wte, wpe) = (randn(v * c, 1.0, 2), randn(max_t * c, 1.0, 3));
        let mut want = vec![0.0; b * t * c];
        cpu::embedding_forward(&mut want, &tokens, &wte, Some(&wpe), b, t, c);
        let out = zeros(&gpu, b * t * c);
        let (g_tokens, g_wte) = (upload(&gpu, &tokens), upload(&gpu, &wte));
        let op = embedding::embedding_forward(&gpu, &out, &g_tokens, &g_wte, Some(&upload(&gpu, &wpe)), b as u32, t as u32, c as u32);
        let got = run_and_read(&gpu, &[op], &[&out]);
        assert_close(&format!("embedding b{b} t{t} c{c}"), &got[0], &want, 0.0, 0.0);
        // rotary positions: the token embedding alone
        cpu::embedding_forward(&mut want, &tokens, &wte, None, b, t, c);
        let op = embedding::embedding_forward(&gpu, &out, &g_tokens, &g_wte, None, b as u32, t as u32, c as u32);
        let got = run_and_read(&gpu, &[op], &[&out]);
        assert_close(&format!("embedding without positions b{b} t{t} c{c}"), &got[0], &want, 0.0, 0.0);
    }
}

#[test]
fn embedding_backward_matches_cpu() {
    let Some(gpu) = gpu_or_skip() else { return };
    // ids repeat (B·T > V), T < maxT (the last wpe rows stay as they were), V·C over one workgroup
    for (b, t, c, v, max_t) in [(1, 1, 3, 5, 4), (2, 7, 13, 5, 9), (3, 16, 64, 65, 16), (2, 9, 130, 300, 12)] {
        let tokens = rand_tokens(b * t, v, 30);
        let dout = randn(b * t * c, 1.0, 31);
        // nonzero starting gradients: the kernels accumulate, as the CPU does
        let (mut dwte, mut dwpe) = (randn(v * c, 1.0, 32), randn(max_t * c, 1.0, 33));
        let (g_dwte, g_dwpe) = (upload(&gpu, &dwte), upload(&gpu, &dwpe));
        cpu::embedding_backward(&mut dwte, Some(&mut dwpe), &dout, &tokens, b, t, c);
        let ops = embedding::embedding_backward(
            &gpu,
            &g_dwte,
            Some(&g_dwpe),
            &upload(&gpu, &dout),
            &upload(&gpu, &tokens),
            b as u32,
            t as u32,
            c as u32,
        );
        let got = run_and_read(&gpu, &ops, &[&g_dwte, &g_dwpe]);
        // same additions in the same order from the same start: equal bit for bit
        let tag = format!("b{b} t{t} c{c} v{v}");
        assert_close(&format!("embedding dwte {tag}"), &got[0], &dwte, 0.0, 0.0);
        assert_close(&format!("embedding dwpe {tag}"), &got[1], &dwpe, 0.0, 0.0);
    }
}
