use playground_core::cpu;
use playground_gpu::kernels::softmax_xent;
use playground_tests::*;

/// Every third row (from the second on) outside the loss, as masked-LM's unmasked positions.
fn with_ignored(mut targets: Vec<u32>) -> Vec<u32> {
    targets.iter_mut().skip(1).step_by(3).for_each(|t| *t = cpu::IGNORE);
    targets
}

#[test]
fn softmax_xent_forward_matches_cpu() {
    let Some(gpus) = both_reductions_or_skip() else { return };
    for gpu in gpus {
        for (rows, v) in [(1, 1), (7, 13), (14, 65), (3, 1000)] {
            let logits: Vec<f32> = randn(rows * v, 5.0, 15);
            let targets = with_ignored(rand_tokens(rows, v, 16));
            let (mut probs, mut losses) = (vec![0.0; rows * v], vec![0.0; rows]);
            cpu::softmax_xent_forward(&mut probs, &mut losses, &logits, &targets, rows, v);
            let (g_probs, g_losses) = (zeros(&gpu, rows * v), zeros(&gpu, rows));
            let g_targets = upload(&gpu, &targets);
            let op = softmax_xent::softmax_xent_forward(
                &gpu,
                &g_probs,
                &g_losses,
                &upload(&gpu, &logits),
                Some(&g_targets),
                rows as u32,
                v as u32,
            );
            let got = run_and_read(&gpu, &[op], &[&g_probs, &g_losses]);
            assert_close(&format!("softmax probs rows{rows} v{v}"), &got[0], &probs, 1e-6, 1e-5);
            assert_close(&format!("xent losses rows{rows} v{v}"), &got[1], &losses, 1e-5, 1e-5);
            for (r, _) in targets.iter().enumerate().filter(|(_, &tg)| tg == cpu::IGNORE) {
                assert_eq!(got[1][r], 0.0, "an ignored row's loss is exactly 0");
            }
        }
    }
}

#[test]
fn softmax_without_targets_leaves_losses_alone() {
    let Some(gpus) = both_reductions_or_skip() else { return };
    for gpu in gpus {
        let (rows, v) = (3, 10);
        let logits = randn(rows * v, 1.0, 17);
        let mut probs = vec![0.0; rows * v];
        cpu::softmax_forward(&mut probs, &logits, rows, v);
        let (g_probs, g_losses) = (zeros(&gpu, rows * v), upload(&gpu, &[7.0f32; 3]));
        let op = softmax_xent::softmax_xent_forward(&gpu, &g_probs, &g_losses, &upload(&gpu, &logits), None, rows as u32, v as u32);
        let got = run_and_read(&gpu, &[op], &[&g_probs, &g_losses]);
        assert_close("softmax probs", &got[0], &probs, 1e-6, 1e-5);
        assert_eq!(got[1], vec![7.0; 3]);
    }
}

#[test]
fn softmax_xent_backward_matches_cpu() {
    let Some(gpu) = gpu_or_skip() else { return };
    for (rows, v) in [(1, 1), (7, 13), (14, 65), (3, 1000)] {
        let logits: Vec<f32> = randn(rows * v, 5.0, 70);
        let targets = with_ignored(rand_tokens(rows, v, 71));
        let (mut probs, mut losses) = (vec![0.0; rows * v], vec![0.0; rows]);
        cpu::softmax_xent_forward(&mut probs, &mut losses, &logits, &targets, rows, v);
        let dlosses = randn(rows, 1.0, 72);
        // both store, zeros in IGNORE rows too: the GPU's gradient starts as garbage, the CPU's as NaN
        let (g_dlogits, mut dlogits) = (upload(&gpu, &randn(rows * v, 1.0, 73)), vec![f32::NAN; rows * v]);
        cpu::softmax_xent_backward(&mut dlogits, &dlosses, &probs, &targets, rows, v);
        let op = softmax_xent::softmax_xent_backward(
            &gpu,
            &g_dlogits,
            &upload(&gpu, &dlosses),
            &upload(&gpu, &probs),
            &upload(&gpu, &targets),
            rows as u32,
            v as u32,
        );
        let got = run_and_read(&gpu, &[op], &[&g_dlogits]);
        // one multiply and one add per element; the GPU may fuse them into an fma
        assert_close(&format!("softmax_xent dlogits rows{rows} v{v}"), &got[0], &dlogits, 1e-6, 1e-6);
    }
}
