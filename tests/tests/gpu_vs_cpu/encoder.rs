use playground_core::cpu;
use playground_gpu::kernels::encoder;
use playground_tests::*;

#[test]
fn encoder_forward_matches_cpu() {
    let Some(gpu) = gpu_or_skip() else { return };
    for (b, t, c, v, max_t) in [(1, 1, 3, 5, 4), (2, 7, 13, 11, 9), (3, 16, 64, 65, 16)] {
        let tokens = rand_tokens(b * t, v, 1);
        let (wte, wpe) = (randn(v * c, 1.0, 2), randn(max_t * c, 1.0, 3));
        let mut want = vec![0.0; b * t * c];
        cpu::encoder_forward(&mut want, &tokens, &wte, &wpe, b, t, c);
        let out = zeros(&gpu, b * t * c);
        let op = encoder::encoder_forward(
            &gpu,
            &out,
            &upload(&gpu, &tokens),
            &upload(&gpu, &wte),
            &upload(&gpu, &wpe),
            b as u32,
            t as u32,
            c as u32,
        );
        let got = run_and_read(&gpu, &[op], &[&out]);
        assert_close(&format!("encoder b{b} t{t} c{c}"), &got[0], &want, 0.0, 0.0);
    }
}
