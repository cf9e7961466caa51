use playground_core::{cpu, fast};
use playground_tests::*;

#[test]
fn softmax_xent_matches_cpu() {
    // V = 1, odd V, and a vocabulary large enough for several tasks; logits of scale 5 so
    // that rows are peaked; one target IGNOREd
    for (rows, v) in [(1, 1), (7, 65), (5, 50_257), (300, 1001)] {
        let logits = randn(rows * v, 5.0, 1);
        let mut targets = rand_tokens(rows, v, 2);
        targets[rows / 2] = cpu::IGNORE;
        let (mut probs, mut losses) = (vec![0.0; rows * v], vec![0.0; rows]);
        cpu::softmax_xent_forward(&mut probs, &mut losses, &logits, &targets, rows, v);
        let (mut g_probs, mut g_losses) = (vec![f32::NAN; rows * v], vec![f32::NAN; rows]);
        fast::softmax_xent_forward(&mut g_probs, &mut g_losses, &logits, &targets, rows, v);
        let tag = format!("rows{rows} v{v}");
        // the reference adds the V exponentials in one running f32 sum, whose rounding grows
        // with V (3.6e-5 relative at V = 50,257); the fast one in eight lanes
        let rtol = 1e-5 * (v as f32 / 1000.0).max(1.0).sqrt() * 2.0;
        assert_close(&format!("softmax_xent probs {tag}"), &g_probs, &probs, 1e-7, rtol);
        assert_close(&format!("softmax_xent losses {tag}"), &g_losses, &losses, 1e-5, 1e-5);

        let mut g_plain = vec![f32::NAN; rows * v];
        fast::softmax_forward(&mut g_plain, &logits, rows, v);
        assert_close(&format!("softmax probs {tag}"), &g_plain, &probs, 1e-7, rtol);

        let (dlosses, dlogits0) = (randn(rows, 1.0, 3), randn(rows * v, 1.0, 4));
        // both store: what the gradients held before is overwritten
        let (mut want, mut got) = (dlogits0, vec![f32::NAN; rows * v]);
        cpu::softmax_xent_backward(&mut want, &dlosses, &probs, &targets, rows, v);
        fast::softmax_xent_backward(&mut got, &dlosses, &probs, &targets, rows, v);
        assert_close(&format!("softmax_xent dlogits {tag}"), &got, &want, 1e-6, 1e-6);
    }
}
