use playground_core::cpu;
use playground_core::cpu::layernorm::LN_EPS;
use playground_gpu::kernels::{layernorm, Write};
use playground_tests::*;

#[test]
fn layernorm_forward_matches_cpu() {
    let Some(gpu) = gpu_or_skip() else { return };
    // rows = B·T with T = 7 (odd), C not a multiple of 4 or of the 8 lanes of a row, C wider
    // than a workgroup, rows not a multiple of the 8 rows of a workgroup
    for (rows, c) in [(1, 1), (14, 13), (7, 64), (3, 130), (70, 37)] {
        let inp: Vec<f32> = randn(rows * c, 2.0, 4).iter().map(|x| x + 3.0).collect(); // a mean to remove
        let (w, bias) = (randn(c, 1.0, 5), randn(c, 1.0, 6));
        let (mut out, mut mean, mut rstd) = (vec![0.0; rows * c], vec![0.0; rows], vec![0.0; rows]);
        cpu::layernorm_forward(&mut out, &mut mean, &mut rstd, &inp, &w, &bias, rows, c, LN_EPS);
        let (g_out, g_mean, g_rstd) = (zeros(&gpu, rows * c), zeros(&gpu, rows), zeros(&gpu, rows));
        let op = layernorm::layernorm_forward(
            &gpu,
            &g_out,
            &g_mean,
            &g_rstd,
            &upload(&gpu, &inp),
            &upload(&gpu, &w),
            &upload(&gpu, &bias),
            rows as u32,
            c as u32,
            LN_EPS,
        );
        let got = run_and_read(&gpu, &[op], &[&g_out, &g_mean, &g_rstd]);
        let tag = format!("rows{rows} c{c}");
        // the GPU sums in a tree, the CPU in a line: a few ulps apart
        assert_close(&format!("layernorm out {tag}"), &got[0], &out, 1e-5, 1e-5);
        assert_close(&format!("layernorm mean {tag}"), &got[1], &mean, 1e-5, 1e-6);
        assert_close(&format!("layernorm rstd {tag}"), &got[2], &rstd, 1e-5, 1e-5);
    }
}

#[test]
fn layernorm_forward_residual_matches_cpu() {
    let Some(gpu) = gpu_or_skip() else { return };
    // the residual add before the norm in its kernel: sum = inp + branch stored (exactly the
    // CPU's f32 add), out, mean and rstd of the sum; the sizes of layernorm_forward_matches_cpu
    for (rows, c) in [(1, 1), (14, 13), (7, 64), (3, 130), (70, 37)] {
        let inp: Vec<f32> = randn(rows * c, 2.0, 24).iter().map(|x| x + 3.0).collect();
        let (branch, w, bias) = (randn(rows * c, 1.0, 27), randn(c, 1.0, 25), randn(c, 1.0, 26));
        let (mut out, mut mean, mut rstd, mut sum) = (vec![0.0; rows * c], vec![0.0; rows], vec![0.0; rows], vec![0.0; rows * c]);
        cpu::layernorm_forward_residual(&mut out, &mut mean, &mut rstd, &mut sum, &inp, &branch, &w, &bias, rows, c, LN_EPS);
        let (g_out, g_mean, g_rstd, g_sum) = (zeros(&gpu, rows * c), zeros(&gpu, rows), zeros(&gpu, rows), zeros(&gpu, rows * c));
        let op = layernorm::layernorm_forward_residual(
            &gpu,
            &g_out,
            &g_mean,
            &g_rstd,
            &g_sum,
            &upload(&gpu, &inp),
            &upload(&gpu, &branch),
            &upload(&gpu, &w),
            &upload(&gpu, &bias),
            rows as u32,
            c as u32,
            LN_EPS,
        );
        let got = run_and_read(&gpu, &[op], &[&g_out, &g_mean, &g_rstd, &g_sum]);
        let tag = format!("rows{rows} c{c}");
        assert_close(&format!("layernorm+residual sum {tag}"), &got[3], &sum, 0.0, 0.0);
        assert_close(&format!("layernorm+residual out {tag}"), &got[0], &out, 1e-5, 1e-5);
        assert_close(&format!("layernorm+residual mean {tag}"), &got[1], &mean, 1e-5, 1e-6);
        assert_close(&format!("layernorm+residual rstd {tag}"), &got[2], &rstd, 1e-5, 1e-5);
    }
}

#[test]
fn layernorm_backward_matches_cpu() {
    let Some(gpu) = gpu_or_skip() else { return };
    let Some(as_h100) = gpu_as_h100_or_skip() else { return };
    // C = 1, C not a multiple of 4 or of the 32-channel block, C wider than the workgroup,
    // rows not a multiple of the 8 row lanes; as on a GPU, the weight and bias gradients over
    // rows > 256 are summed in chunks of 256 rows, then added up (three launches), on the
    // emulator in one chunk (two)
    let sizes = [(1, 1), (14, 13), (7, 64), (3, 130), (70, 37)].map(|s| (s, &gpu, 2));
    let chunked = [(600, 37), (1000, 130)].map(|s| (s, &as_h100, 3));
    let cases = sizes.into_iter().chain(chunked).flat_map(|case| [Write::Add, Write::Store].map(|write| (case, write)));
    for (((rows, c), gpu, launches), write) in cases {
        let inp: Vec<f32> = randn(rows * c, 2.0, 40).iter().map(|x| x + 3.0).collect();
        let (w, bias) = (randn(c, 1.0, 41), randn(c, 1.0, 42));
        let (mut out, mut mean, mut rstd) = (vec![0.0; rows * c], vec![0.0; rows], vec![0.0; rows]);
        cpu::layernorm_forward(&mut out, &mut mean, &mut rstd, &inp, &w, &bias, rows, c, LN_EPS);
        let dout = randn(rows * c, 1.0, 43);
        // nonzero starting gradients: the kernels add dweight and dbias, and dinp with Write::Add,
        // as the CPU does; with Write::Store the GPU's dinp starts as garbage, the CPU's at zero
        let (mut dinp, mut dweight, mut dbias) = (randn(rows * c, 1.0, 44), randn(c, 1.0, 45), randn(c, 1.0, 46));
        let g_dinp = upload(gpu, &dinp);
        if write == Write::Store {
            dinp.fill(0.0);
        }
        // dweight and dbias as two slices of one gradient buffer, as the model binds them
        let stride = c.next_multiple_of(64); // 256-byte offsets
        let mut grads = vec![0.0; 2 * stride];
        grads[..c].copy_from_slice(&dweight);
        grads[stride..stride + c].copy_from_slice(&dbias);
        let g_grads = upload(gpu, &grads);
        let (g_dweight, g_dbias) = (g_grads.slice(0, c), g_grads.slice(stride, c));
        cpu::layernorm_backward(&mut dinp, &mut dweight, &mut dbias, &dout, &inp, &w, &mean, &rstd, rows, c);
        let ops = layernorm::layernorm_backward(
            gpu,
            &g_dinp,
            &g_dweight,
            &g_dbias,
            &upload(gpu, &dout),
            &upload(gpu, &inp),
            &upload(gpu, &w),
            &upload(gpu, &mean),
            &upload(gpu, &rstd),
            rows as u32,
            c as u32,
            write,
        );
        let tag = format!("rows{rows} c{c} {write:?}");
        assert_eq!(ops.len(), launches, "{tag}");
        let got = run_and_read(gpu, &ops, &[&g_dinp, &g_dweight, &g_dbias]);
        // tree sums on the GPU, sums in a line on the CPU; the row sums grow with rows
        let atol = 1e-5 * (rows as f32).sqrt();
        assert_close(&format!("layernorm dinp {tag}"), &got[0], &dinp, 1e-5, 1e-5);
        assert_close(&format!("layernorm dweight {tag}"), &got[1], &dweight, atol, 1e-5);
        assert_close(&format!("layernorm dbias {tag}"), &got[2], &dbias, atol, 1e-5);
    }
}
