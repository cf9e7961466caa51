use playground_core::cpu;
use playground_gpu::kernels::{rmsnorm, Write};
use playground_tests::*;

/// Not the default 1e-5, and large enough that a kernel ignoring it would fail the comparison.
const EPS: f32 = 0.25;

// rows = B·T with T = 7 (odd), C = 1, C not a multiple of 4, of the 8 lanes of a row or of
// the 32-channel block, C wider than a workgroup, rows not a multiple of 8
const SIZES: [(usize, usize); 5] = [(1, 1), (14, 13), (7, 64), (3, 130), (70, 37)];

#[test]
fn rmsnorm_forward_matches_cpu() {
    let Some(gpu) = gpu_or_skip() else { return };
    for (rows, c) in SIZES {
        let inp: Vec<f32> = randn(rows * c, 2.0, 4).iter().map(|x| x + 1.0).collect();
        let w = randn(c, 1.0, 5);
        let (mut out, mut rstd) = (vec![0.0; rows * c], vec![0.0; rows]);
        cpu::rmsnorm_forward(&mut out, &mut rstd, &inp, &w, rows, c, EPS);
        let (g_out, g_rstd) = (zeros(&gpu, rows * c), zeros(&gpu, rows));
        let op = rmsnorm::rmsnorm_forward(&gpu, &g_out, &g_rstd, &upload(&gpu, &inp), &upload(&gpu, &w), rows as u32, c as u32, EPS);
        let got = run_and_read(&gpu, &[op], &[&g_out, &g_rstd]);
        let tag = format!("rows{rows} c{c}");
        // the GPU sums in 8 lanes, the CPU in a line: a few ulps apart
        assert_close(&format!("rmsnorm out {tag}"), &got[0], &out, 1e-5, 1e-5);
        assert_close(&format!("rmsnorm rstd {tag}"), &got[1], &rstd, 1e-5, 1e-5);
    }
}

#[test]
fn rmsnorm_forward_residual_matches_cpu() {
    let Some(gpu) = gpu_or_skip() else { return };
    // the residual add before the norm in its kernel: sum = inp + branch stored (exactly the
    // CPU's f32 add), out and rstd of the sum
    for (rows, c) in SIZES {
        let inp: Vec<f32> = randn(rows * c, 2.0, 34).iter().map(|x| x + 1.0).collect();
        let (branch, w) = (randn(rows * c, 1.0, 36), randn(c, 1.0, 35));
        let (mut out, mut rstd, mut sum) = (vec![0.0; rows * c], vec![0.0; rows], vec![0.0; rows * c]);
        cpu::rmsnorm_forward_residual(&mut out, &mut rstd, &mut sum, &inp, &branch, &w, rows, c, EPS);
        let (g_out, g_rstd, g_sum) = (zeros(&gpu, rows * c), zeros(&gpu, rows), zeros(&gpu, rows * c));
        let (g_inp, g_branch, g_w) = (upload(&gpu, &inp), upload(&gpu, &branch), upload(&gpu, &w));
        let op = rmsnorm::rmsnorm_forward_residual(&gpu, &g_out, &g_rstd, &g_sum, &g_inp, &g_branch, &g_w, rows as u32, c as u32, EPS);
        let got = run_and_read(&gpu, &[op], &[&g_out, &g_rstd, &g_sum]);
        let tag = format!("rows{rows} c{c}");
        assert_close(&format!("rmsnorm+residual sum {tag}"), &got[2], &sum, 0.0, 0.0);
        assert_close(&format!("rmsnorm+residual out {tag}"), &got[0], &out, 1e-5, 1e-5);
        assert_close(&format!("rmsnorm+residual rstd {tag}"), &got[1], &rstd, 1e-5, 1e-5);
    }
}

#[test]
fn rmsnorm_backward_matches_cpu() {
    let Some(gpu) = gpu_or_skip() else { return };
    let Some(as_h100) = gpu_as_h100_or_skip() else { return };
    // as on a GPU, the weight gradient over rows > 256 is summed in chunks of 256 rows, then
    // added up (three launches); on the emulator in one chunk (two)
    let chunked = [(600, 37), (1000, 130)].map(|s| (s, &as_h100, 3));
    let cases = SIZES.map(|s| (s, &gpu, 2)).into_iter().chain(chunked);
    for (((rows, c), gpu, launches), write) in cases.flat_map(|case| [Write::Add, Write::Store].map(|write| (case, write))) {
        let inp: Vec<f32> = randn(rows * c, 2.0, 40).iter().map(|x| x + 1.0).collect();
        let w = randn(c, 1.0, 41);
        let (mut out, mut rstd) = (vec![0.0; rows * c], vec![0.0; rows]);
        cpu::rmsnorm_forward(&mut out, &mut rstd, &inp, &w, rows, c, EPS);
        let dout = randn(rows * c, 1.0, 43);
        // nonzero starting gradients: the kernels add dweight, and dinp with Write::Add, as the
        // CPU does; with Write::Store the GPU's dinp starts as garbage, the CPU's at zero
        let (mut dinp, mut dweight) = (randn(rows * c, 1.0, 44), randn(c, 1.0, 45));
        let (g_dinp, g_dweight) = (upload(gpu, &dinp), upload(gpu, &dweight));
        if write == Write::Store {
            dinp.fill(0.0);
        }
        cpu::rmsnorm_backward(&mut dinp, &mut dweight, &dout, &inp, &w, &rstd, rows, c);
        let ops = rmsnorm::rmsnorm_backward(
            gpu,
            &g_dinp,
            &g_dweight,
            &upload(gpu, &dout),
            &upload(gpu, &inp),
            &upload(gpu, &w),
            &upload(gpu, &rstd),
            rows as u32,
            c as u32,
            write,
        );
        let tag = format!("rows{rows} c{c} {write:?}");
        assert_eq!(ops.len(), launches, "{tag}");
        let got = run_and_read(gpu, &ops, &[&g_dinp, &g_dweight]);
        assert_close(&format!("rmsnorm dinp {tag}"), &got[0], &dinp, 1e-5, 1e-5);
        assert_close(&format!("rmsnorm dweight {tag}"), &got[1], &dweight, 1e-5 * (rows as f32).sqrt(), 1e-5);
    }
}
