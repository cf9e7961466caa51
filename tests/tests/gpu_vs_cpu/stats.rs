use playground_core::cpu;
use playground_gpu::kernels::stats;
use playground_tests::*;

#[test]
fn step_stats_writes_the_mean_loss_and_norm_into_its_slot() {
    let Some(gpus) = both_reductions_or_skip() else { return };
    for gpu in gpus {
        let history = upload(&gpu, &[-1.0f32; 8]); // 4 slots
                                                   // count < rows: the mean over the counted rows (masked-LM), the others hold 0
        for (rows, slot, count) in [(1, 0, 1), (7 * 13, 3, 7 * 13), (4096 + 5, 1, 4096 + 5), (7 * 13, 2, 11)] {
            let losses: Vec<f32> = randn(rows, 1.0, 120 + rows as u64).iter().map(|x| x.abs() + 2.0).collect();
            let norm = upload(&gpu, &[0.25f32 * slot as f32]);
            let got = run_and_read(
                &gpu,
                &[stats::step_stats(&gpu, &history, &upload(&gpu, &losses), &norm, rows as u32, slot, count as u32)],
                &[&history],
            );
            let want = cpu::mean_loss(&losses, count);
            // a tree of f32 sums against a sequential f32 sum
            assert_close(&format!("mean loss rows{rows}"), &[got[0][2 * slot as usize]], &[want], 0.0, 1e-5);
            assert_eq!(got[0][2 * slot as usize + 1], 0.25 * slot as f32);
        }
    }
}

#[test]
fn lavapipe_reduces_with_subgroups_and_without() {
    let Some([gpu, as_h100]) = both_reductions_or_skip() else { return };
    // make test's adapter (lavapipe) has subgroups: the tests over both contexts run both
    // reduction paths (include/workgroup_reduce{,_subgroups}.wgsl)
    assert!(gpu.subgroups(), "{} offers no subgroups", gpu.adapter_name());
    assert!(!as_h100.subgroups());
}
