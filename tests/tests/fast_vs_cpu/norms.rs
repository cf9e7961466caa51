use playground_core::{cpu, fast};
use playground_tests::*;

/// Not the default 1e-5, and large enough that a kernel ignoring it would fail the comparison.
const EPS: f32 = 0.25;

/// (rows, C): one row, C = 1, odd C, and enough rows to be split into several tasks.
const SHAPES: [(usize, usize); 6] = [(1, 1), (1, 7), (14, 32), (9, 67), (1000, 67), (2048, 128)];

#[test]
fn layernorm_forward_and_backward_match_cpu() {
    for (rows, c) in SHAPES {
        let (inp, weight, bias) = (randn(rows * c, 2.0, 1), randn(c, 1.0, 2), randn(c, 1.0, 3));
        let (mut out, mut mean, mut rstd) = (vec![0.0; rows * c], vec![0.0; rows], vec![0.0; rows]);
        cpu::layernorm_forward(&mut out, &mut mean, &mut rstd, &inp, &weight, &bias, rows, c, EPS);
        let (mut g_out, mut g_mean, mut g_rstd) = (vec![f32::NAN; rows * c], vec![f32::NAN; rows], vec![f32::NAN; rows]);
        fast::layernorm_forward(&mut g_out, &mut g_mean, &mut g_rstd, &inp, &weight, &bias, rows, c, EPS);
        let tag = format!("rows{rows} c{c}");
        assert_close(&format!("layernorm out {tag}"), &g_out, &out, 1e-5, 1e-5);
        assert_close(&format!("layernorm mean {tag}"), &g_mean, &mean, 1e-6, 1e-5);
        assert_close(&format!("layernorm rstd {tag}"), &g_rstd, &rstd, 1e-6, 1e-5);

        let dout = randn(rows * c, 1.0, 4);
        let (dinp0, dw0, db0) = (randn(rows * c, 1.0, 5), randn(c, 1.0, 6), randn(c, 1.0, 7));
        let (mut di, mut dw, mut db) = (dinp0.clone(), dw0.clone(), db0.clone());
        cpu::layernorm_backward(&mut di, &mut dw, &mut db, &dout, &inp, &weight, &mean, &rstd, rows, c);
        let (mut g_di, mut g_dw, mut g_db) = (dinp0, dw0, db0);
        fast::layernorm_backward(&mut g_di, &mut g_dw, &mut g_db, &dout, &inp, &weight, &mean, &rstd, rows, c);
        assert_close(&format!("layernorm dinp {tag}"), &g_di, &di, 1e-5, 1e-4);
        // dweight and dbias sum over every row, in another order: the error grows with rows
        assert_close(&format!("layernorm dweight {tag}"), &g_dw, &dw, 1e-4, 1e-4);
        assert_close(&format!("layernorm dbias {tag}"), &g_db, &db, 1e-4, 1e-4);
    }
}

#[test]
fn rmsnorm_forward_and_backward_match_cpu() {
    for (rows, c) in SHAPES {
        let (inp, weight) = (randn(rows * c, 2.0, 8), randn(c, 1.0, 9));
        let (mut out, mut rstd) = (vec![0.0; rows * c], vec![0.0; rows]);
        cpu::rmsnorm_forward(&mut out, &mut rstd, &inp, &weight, rows, c, EPS);
        let (mut g_out, mut g_rstd) = (vec![f32::NAN; rows * c], vec![f32::NAN; rows]);
        fast::rmsnorm_forward(&mut g_out, &mut g_rstd, &inp, &weight, rows, c, EPS);
        let tag = format!("rows{rows} c{c}");
        assert_close(&format!("rmsnorm out {tag}"), &g_out, &out, 1e-5, 1e-5);
        assert_close(&format!("rmsnorm rstd {tag}"), &g_rstd, &rstd, 1e-6, 1e-5);

        let dout = randn(rows * c, 1.0, 10);
        let (dinp0, dw0) = (randn(rows * c, 1.0, 11), randn(c, 1.0, 12));
        let (mut di, mut dw) = (dinp0.clone(), dw0.clone());
        cpu::rmsnorm_backward(&mut di, &mut dw, &dout, &inp, &weight, &rstd, rows, c);
        let (mut g_di, mut g_dw) = (dinp0, dw0);
        fast::rmsnorm_backward(&mut g_di, &mut g_dw, &dout, &inp, &weight, &rstd, rows, c);
        assert_close(&format!("rmsnorm dinp {tag}"), &g_di, &di, 1e-5, 1e-4);
        assert_close(&format!("rmsnorm dweight {tag}"), &g_dw, &dw, 1e-4, 1e-4);
    }
}
