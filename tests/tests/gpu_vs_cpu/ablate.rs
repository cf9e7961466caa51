use playground_core::cpu;
use playground_gpu::kernels::ablate;
use playground_tests::*;

#[test]
fn ablate_forward_matches_cpu() {
    let Some(gpu) = gpu_or_skip() else { return };
    // odd sizes: 7 rows of 3 groups of 5; the mask starts 2 entries in and mixes 0, 1 and 0.5
    let (rows, groups, width, offset) = (7, 3, 5, 2);
    let x = randn(rows * groups * width, 1.0, 5);
    let mask = [9.0, 9.0, 0.0, 1.0, 0.5];
    let mut want = x.clone();
    cpu::ablate_forward(&mut want, &mask, offset, rows, groups, width);
    assert!(want[..width].iter().all(|&v| v == 0.0), "group 0 is off");
    assert_eq!(want[width..2 * width], x[width..2 * width], "group 1 unchanged");
    let gx = upload(&gpu, &x);
    let op = ablate::ablate_forward(&gpu, &gx, &upload(&gpu, &mask), offset as u32, rows as u32, groups as u32, width as u32);
    let got = run_and_read(&gpu, &[op], &[&gx]);
    assert_eq!(got[0], want, "a product by 0, 1 or 0.5 is exact on both");
}
