use playground_core::cpu::AdamWParams;
use playground_core::{cpu, fast};
use playground_tests::*;

#[test]
fn adamw_update_matches_cpu() {
    let hp = AdamWParams { lr: 1e-3, beta1: 0.9, beta2: 0.99, eps: 1e-8, weight_decay: 0.1, step: 3 };
    for n in [1, 13, 300_007] {
        let (p, m, v, g) =
            (randn(n, 1.0, 1), randn(n, 0.1, 2), randn(n, 0.1, 3).iter().map(|x| x * x).collect::<Vec<f32>>(), randn(n, 1.0, 4));
        for scale in [1.0, 0.37, f32::NAN] {
            let (mut wp, mut wm, mut wv) = (p.clone(), m.clone(), v.clone());
            let (mut gp, mut gm, mut gv) = (p.clone(), m.clone(), v.clone());
            cpu::adamw_update(&mut wp, &mut wm, &mut wv, &g, scale, &hp, n);
            fast::adamw_update(&mut gp, &mut gm, &mut gv, &g, scale, &hp, n);
            // the same arithmetic in the same order: equal to the bit, and a NaN scale changes nothing
            assert_eq!((gp, gm, gv), (wp, wm, wv), "adamw n{n} scale {scale}");
        }
    }
}
