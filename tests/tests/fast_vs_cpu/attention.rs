use playground_core::{cpu, fast};
use playground_tests::*;

/// (B, T, C, NH, NKV): T = 1, odd T, one head and several, head sizes odd (3, 5, 27) and 32 or
/// 64, T across the 32-row blocks (33, 65, 130), key/value heads shared by 2, 3 or all query heads.
const SHAPES: [(usize, usize, usize, usize, usize); 9] = [
    (1, 1, 4, 1, 1),
    (2, 7, 12, 4, 4),
    (1, 16, 15, 3, 3),
    (2, 33, 54, 2, 2),
    (1, 65, 64, 2, 2),
    (3, 130, 128, 4, 4),
    (1, 40, 27, 1, 1),
    (2, 37, 24, 4, 2),
    (1, 70, 90, 6, 2),
];

/// qkv's row width: C + 2·KVC.
fn width(c: usize, nh: usize, nkv: usize) -> usize {
    c + 2 * nkv * (c / nh)
}

#[test]
fn attention_forward_matches_cpu() {
    for causal in [true, false] {
        for (b, t, c, nh, nkv) in SHAPES {
            let qkv = randn(b * t * width(c, nh, nkv), 1.0, 1);
            let (mut out, mut lse, mut preatt, mut att) =
                (vec![0.0; b * t * c], vec![0.0; b * nh * t], vec![0.0; b * nh * t * t], vec![0.0; b * nh * t * t]);
            cpu::attention_forward(&mut out, &mut lse, &mut preatt, &mut att, &qkv, b, t, c, nh, nkv, causal);
            let mut got =
                (vec![f32::NAN; b * t * c], vec![f32::NAN; b * nh * t], vec![f32::NAN; b * nh * t * t], vec![f32::NAN; b * nh * t * t]);
            fast::attention_forward(&mut got.0, &mut got.1, &mut got.2, &mut got.3, &qkv, b, t, c, nh, nkv, causal);
            let tag = format!("b{b} t{t} c{c} nh{nh} nkv{nkv} causal={causal}");
            assert_close(&format!("attention out {tag}"), &got.0, &out, 1e-5, 1e-4);
            assert_close(&format!("attention lse {tag}"), &got.1, &lse, 1e-5, 1e-5);
            assert_close(&format!("attention preatt {tag}"), &got.2, &preatt, 1e-5, 1e-5);
            assert_close(&format!("attention att {tag}"), &got.3, &att, 1e-6, 1e-5);
            if causal {
                // the masked weights are exact zeros, as in the reference
                assert!(got.3.chunks(t).enumerate().all(|(r, row)| row[r % t + 1..].iter().all(|&x| x == 0.0)), "{tag}");
            }
        }
    }
}

#[test]
fn attention_backward_matches_cpu() {
    for causal in [true, false] {
        for (b, t, c, nh, nkv) in SHAPES {
            let qkv = randn(b * t * width(c, nh, nkv), 1.0, 2);
            let (mut out, mut lse, mut preatt, mut att) =
                (vec![0.0; b * t * c], vec![0.0; b * nh * t], vec![0.0; b * nh * t * t], vec![0.0; b * nh * t * t]);
            cpu::attention_forward(&mut out, &mut lse, &mut preatt, &mut att, &qkv, b, t, c, nh, nkv, causal);
            let dout = randn(b * t * c, 1.0, 3);
            let dqkv0 = randn(b * t * width(c, nh, nkv), 1.0, 4); // accumulates into what is there
            let (mut want, mut got) = (dqkv0.clone(), dqkv0);
            cpu::attention_backward(&mut want, &dout, &qkv, &att, b, t, c, nh, nkv, causal);
            fast::attention_backward(&mut got, &dout, &qkv, &att, b, t, c, nh, nkv, causal);
            assert_close(&format!("attention dqkv b{b} t{t} c{c} nh{nh} nkv{nkv} causal={causal}"), &got, &want, 1e-5, 1e-4);
        }
    }
}

/// The GEMM formulation of the backward against finite differences of the forward, on its own.
#[test]
fn attention_backward_matches_finite_differences() {
    for causal in [true, false] {
        let (b, t, c, nh, nkv) = (2, 5, 8, 4, 2);
        let qkv = randn(b * t * width(c, nh, nkv), 1.0, 5);
        let r = randn(b * t * c, 1.0, 6);
        let forward = |qkv: &[f32]| {
            let (mut out, mut lse, mut preatt, mut att) =
                (vec![0.0; b * t * c], vec![0.0; b * nh * t], vec![0.0; b * nh * t * t], vec![0.0; b * nh * t * t]);
            fast::attention_forward(&mut out, &mut lse, &mut preatt, &mut att, qkv, b, t, c, nh, nkv, causal);
            (out, att)
        };
        let (_, att) = forward(&qkv);
        let mut dqkv = vec![0.0; b * t * width(c, nh, nkv)];
        fast::attention_backward(&mut dqkv, &r, &qkv, &att, b, t, c, nh, nkv, causal);
        let numeric = numerical_grad(|x| dot_f64(&forward(x).0, &r), &qkv, 1e-3);
        assert_close(&format!("gradcheck fast attention causal={causal}"), &dqkv, &numeric, 1e-3, 1e-2);
    }
}
