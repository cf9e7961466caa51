use playground_core::{cpu, fast};
use playground_tests::*;

/// (M, K, N): one row, odd sizes, sizes not a multiple of any SIMD width or GEMM tile, and
/// shapes large enough to be split into several tasks (M·K·N over 2^15 per task).
const SHAPES: [(usize, usize, usize); 7] = [(1, 1, 1), (1, 7, 3), (5, 3, 11), (7, 17, 33), (64, 65, 63), (300, 67, 129), (129, 256, 65)];

/// Summation order differs from the reference's (blocked GEMM, FMA), growing with K.
fn rtol(k: usize) -> f32 {
    2e-6 * (k as f32).sqrt().max(4.0)
}

#[test]
fn matmul_forward_matches_cpu() {
    for (m, k, n) in SHAPES {
        let (inp, weight, bias) = (randn(m * k, 1.0, 1), randn(n * k, 1.0, 2), randn(n, 1.0, 3));
        for bias in [Some(&bias[..]), None] {
            let (mut want, mut got) = (vec![0.0; m * n], vec![f32::NAN; m * n]);
            cpu::matmul_forward(&mut want, &inp, &weight, bias, m, k, n);
            fast::matmul_forward(&mut got, &inp, &weight, bias, m, k, n);
            assert_close(&format!("matmul_forward m{m} k{k} n{n} bias {}", bias.is_some()), &got, &want, 1e-5, rtol(k));
        }
    }
}

#[test]
fn matmul_forward_act_matches_cpu() {
    for act in [cpu::Activation::Gelu, cpu::Activation::GeluTanh, cpu::Activation::Relu] {
        for (m, k, n) in SHAPES {
            let (inp, weight, bias) = (randn(m * k, 1.0, 4), randn(n * k, 0.5, 5), randn(n, 1.0, 6));
            let (mut want, mut want_pre) = (vec![0.0; m * n], vec![0.0; m * n]);
            let (mut got, mut got_pre) = (vec![f32::NAN; m * n], vec![f32::NAN; m * n]);
            cpu::matmul_forward_act(act, &mut want, &mut want_pre, &inp, &weight, Some(&bias), m, k, n);
            fast::matmul_forward_act(act, &mut got, &mut got_pre, &inp, &weight, Some(&bias), m, k, n);
            let tag = format!("{act:?} m{m} k{k} n{n}");
            assert_close(&format!("matmul_forward_act pre {tag}"), &got_pre, &want_pre, 1e-5, rtol(k));
            assert_close(&format!("matmul_forward_act out {tag}"), &got, &want, 1e-5, rtol(k));
        }
    }
}

#[test]
fn matmul_backward_matches_cpu() {
    for (m, k, n) in SHAPES {
        let (dout, inp, weight) = (randn(m * n, 1.0, 7), randn(m * k, 1.0, 8), randn(n * k, 1.0, 9));
        // the gradients accumulate: start both from the same non-zero values
        let (dinp0, dweight0, dbias0) = (randn(m * k, 1.0, 10), randn(n * k, 1.0, 11), randn(n, 1.0, 12));
        for with_bias in [true, false] {
            let (mut want_di, mut want_dw, mut want_db) = (dinp0.clone(), dweight0.clone(), dbias0.clone());
            let (mut got_di, mut got_dw, mut got_db) = (dinp0.clone(), dweight0.clone(), dbias0.clone());
            cpu::matmul_backward(&mut want_di, &mut want_dw, with_bias.then_some(&mut want_db[..]), &dout, &inp, &weight, m, k, n);
            fast::matmul_backward(&mut got_di, &mut got_dw, with_bias.then_some(&mut got_db[..]), &dout, &inp, &weight, m, k, n);
            let tag = format!("m{m} k{k} n{n} bias {with_bias}");
            assert_close(&format!("matmul_backward dinp {tag}"), &got_di, &want_di, 1e-5, rtol(n));
            assert_close(&format!("matmul_backward dweight {tag}"), &got_dw, &want_dw, 1e-5, rtol(m));
            assert_close(&format!("matmul_backward dbias {tag}"), &got_db, &want_db, 1e-5, rtol(m));
        }
    }
}
