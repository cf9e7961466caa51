use playground_core::cpu;
use playground_gpu::kernels::{matmul, Write};
use playground_tests::*;

#[test]
fn matmul_forward_matches_cpu() {
    let Some(gpu) = gpu_or_skip() else { return };
    // partial blocks in every direction, K not a multiple of the 8-deep k-slice, and a bias-free
    // case; (129, 9, 257) crosses a 128-block edge by one on both sides
    let shapes = [(1, 1, 1, true), (7, 13, 5, true), (14, 64, 192, true), (65, 33, 130, false), (128, 256, 64, true), (129, 9, 257, true)];
    for tiles in matmul::Tiles::ALL {
        for (m, k, n, with_bias) in shapes {
            let (inp, w, bias) = (randn(m * k, 1.0, 7), randn(n * k, 1.0, 8), randn(n, 1.0, 9));
            let mut want = vec![0.0; m * n];
            cpu::matmul_forward(&mut want, &inp, &w, with_bias.then_some(&bias[..]), m, k, n);
            let out = zeros(&gpu, m * n);
            let g_bias = upload(&gpu, &bias);
            let op = matmul::matmul_forward_tiled(
                &gpu,
                tiles,
                &out,
                &upload(&gpu, &inp),
                &upload(&gpu, &w),
                with_bias.then_some(&g_bias),
                m as u32,
                k as u32,
                n as u32,
            );
            let got = run_and_read(&gpu, &[op], &[&out]);
            // summation order differs (fma, tiling); error grows with K
            assert_close(&format!("matmul {tiles:?} m{m} k{k} n{n}"), &got[0], &want, 1e-5 * (k as f32).sqrt(), 1e-5);
        }
    }
}

#[test]
fn matmul_forward_act_matches_cpu() {
    let Some(gpu) = gpu_or_skip() else { return };
    // odd sizes, partial blocks, with and without bias; inputs scaled so pre spans both tails
    let shapes = [(7, 13, 5, true), (65, 33, 130, false), (129, 9, 257, true)];
    let acts = [cpu::Activation::Gelu, cpu::Activation::GeluTanh, cpu::Activation::Relu];
    for (tiles, act) in matmul::Tiles::ALL.into_iter().flat_map(|t| acts.map(|a| (t, a))) {
        for (m, k, n, with_bias) in shapes {
            let (inp, w, bias) = (randn(m * k, 1.0, 17), randn(n * k, 1.0, 18), randn(n, 1.0, 19));
            let (mut want, mut want_pre) = (vec![0.0; m * n], vec![0.0; m * n]);
            cpu::matmul_forward_act(act, &mut want, &mut want_pre, &inp, &w, with_bias.then_some(&bias[..]), m, k, n);
            let (out, pre) = (zeros(&gpu, m * n), zeros(&gpu, m * n));
            let g_bias = upload(&gpu, &bias);
            let op = matmul::matmul_forward_act_tiled(
                &gpu,
                tiles,
                act,
                &out,
                &pre,
                &upload(&gpu, &inp),
                &upload(&gpu, &w),
                with_bias.then_some(&g_bias),
                m as u32,
                k as u32,
                n as u32,
            );
            let got = run_and_read(&gpu, &[op], &[&out, &pre]);
            let tag = format!("{act:?} {tiles:?} m{m} k{k} n{n}");
            assert_close(&format!("matmul_forward_act pre {tag}"), &got[1], &want_pre, 1e-5 * (k as f32).sqrt(), 1e-5);
            assert_close(&format!("matmul_forward_act out {tag}"), &got[0], &want, 1e-5 * (k as f32).sqrt(), 1e-5);
        }
    }
}

#[test]
fn matmul_backward_matches_cpu() {
    let Some(gpu) = gpu_or_skip() else { return };
    // M = 1 and N = 1, partial blocks on every side, K and M not multiples of the 8- or 16-deep
    // slices, several blocks of output, N or K not a multiple of 4 (the scalar loads) and a
    // multiple (vec4), a bias-free case; (129, 129, 257) crosses a 128-block edge by one on the
    // two output sides of both kernels. Each sum in one slice and in three (split-K: each
    // slice's sums stored, then added up), where the summed axis has steps for three; the input
    // gradient added to what dinp holds and stored over it (dinp's garbage must not show).
    let shapes = [
        (1, 1, 1, true),
        (7, 13, 5, true),
        (1, 17, 1, true),
        (65, 33, 130, false),
        (14, 64, 192, true),
        (130, 100, 70, true),
        (129, 129, 257, true),
        (300, 24, 36, true),
    ];
    for (tiles, (m, k, n, with_bias)) in matmul::Tiles::ALL.into_iter().flat_map(|t| shapes.map(|s| (t, s))) {
        for (splits, write) in [(1, Write::Add), (3, Write::Add), (1, Write::Store), (3, Write::Store)] {
            let (inp, w, dout) = (randn(m * k, 1.0, 50), randn(n * k, 1.0, 51), randn(m * n, 1.0, 52));
            // nonzero starting gradients: the kernels accumulate, as the CPU does
            let (mut dinp, mut dweight, mut dbias) = (randn(m * k, 1.0, 53), randn(n * k, 1.0, 54), randn(n, 1.0, 55));
            let (g_dinp, g_dweight, g_dbias) = (upload(&gpu, &dinp), upload(&gpu, &dweight), upload(&gpu, &dbias));
            if write == Write::Store {
                dinp.fill(0.0);
            }
            cpu::matmul_backward(&mut dinp, &mut dweight, with_bias.then_some(&mut dbias[..]), &dout, &inp, &w, m, k, n);
            let (g_dout, g_inp, g_w) = (upload(&gpu, &dout), upload(&gpu, &inp), upload(&gpu, &w));
            let (mu, ku, nu) = (m as u32, k as u32, n as u32);
            let input_ops = matmul::matmul_backward_input_tiled(&gpu, tiles, splits, &g_dinp, &g_dout, &g_w, None, mu, ku, nu, write);
            let weight_ops = matmul::matmul_backward_weight_tiled(
                &gpu,
                tiles,
                splits,
                &g_dweight,
                with_bias.then_some(&g_dbias),
                &g_dout,
                &g_inp,
                mu,
                ku,
                nu,
            );
            // several slices where the summed axis holds several of the tiles' depth, else one launch
            let sliced = |depth: usize| depth.div_ceil(splits as usize).next_multiple_of(tiles.depth() as usize) < depth;
            assert_eq!(input_ops.len(), if sliced(n) { 2 } else { 1 }, "{tiles:?} n{n} splits {splits}");
            assert_eq!(weight_ops.len(), if sliced(m) { 2 } else { 1 }, "{tiles:?} m{m} splits {splits}");
            let mut ops = input_ops;
            ops.extend(weight_ops);
            let got = run_and_read(&gpu, &ops, &[&g_dinp, &g_dweight, &g_dbias]);
            let tag = format!("{tiles:?} m{m} k{k} n{n} splits {splits} {write:?}");
            // summation order differs (fma, tiling); the error grows with the summed axis
            assert_close(&format!("matmul dinp {tag}"), &got[0], &dinp, 1e-5 * (n as f32).sqrt(), 1e-5);
            assert_close(&format!("matmul dweight {tag}"), &got[1], &dweight, 1e-5 * (m as f32).sqrt(), 1e-5);
            // without a bias the buffer must be untouched
            let (atol, rtol) = if with_bias { (1e-5 * (m as f32).sqrt(), 1e-5) } else { (0.0, 0.0) };
            assert_close(&format!("matmul dbias {tag}"), &got[2], &dbias, atol, rtol);
        }
    }
}

#[test]
fn matmul_backward_input_act_matches_cpu() {
    let Some(gpu) = gpu_or_skip() else { return };
    // the input gradient through the activation's derivative (the FFN's pre): odd sizes with
    // partial blocks, N and K not multiples of 4 (scalar loads) and multiples (vec4), in one
    // slice (the epilogue applies act') and three (reduce_partials applies it), added to a
    // nonzero dpre and stored over garbage; pre spans both tails of every activation
    let shapes = [(7, 13, 5), (65, 36, 130), (129, 129, 257), (300, 24, 36)];
    let acts = [cpu::Activation::Gelu, cpu::Activation::GeluTanh, cpu::Activation::Relu];
    for (tiles, act) in matmul::Tiles::ALL.into_iter().flat_map(|t| acts.map(|a| (t, a))) {
        for (m, k, n) in shapes {
            for (splits, write) in [(1, Write::Add), (3, Write::Add), (1, Write::Store), (3, Write::Store)] {
                let (pre, w, dout) = (randn(m * k, 3.0, 70), randn(n * k, 1.0, 71), randn(m * n, 1.0, 72));
                let mut dpre = randn(m * k, 1.0, 73);
                let g_dpre = upload(&gpu, &dpre);
                if write == Write::Store {
                    dpre.fill(0.0);
                }
                cpu::matmul_backward_input_act(act, &mut dpre, &pre, &dout, &w, m, k, n);
                let g_pre = upload(&gpu, &pre);
                let (mu, ku, nu) = (m as u32, k as u32, n as u32);
                let ops = matmul::matmul_backward_input_tiled(
                    &gpu,
                    tiles,
                    splits,
                    &g_dpre,
                    &upload(&gpu, &dout),
                    &upload(&gpu, &w),
                    Some((act, &g_pre)),
                    mu,
                    ku,
                    nu,
                    write,
                );
                let sliced = n.div_ceil(splits as usize).next_multiple_of(tiles.depth() as usize) < n;
                assert_eq!(ops.len(), if sliced { 2 } else { 1 }, "{tiles:?} n{n} splits {splits}");
                let got = run_and_read(&gpu, &ops, &[&g_dpre]);
                let tag = format!("{act:?} {tiles:?} m{m} k{k} n{n} splits {splits} {write:?}");
                // the sums' order differs (fma, tiling) and grows with N; act' is at most ~1.13
                assert_close(&format!("matmul_backward_input_act dpre {tag}"), &got[0], &dpre, 2e-5 * (n as f32).sqrt(), 1e-5);
            }
        }
    }
}

#[test]
fn matmul_backward_splits_its_sums_to_fill_a_gpu() {
    let Some(gpu) = gpu_as_h100_or_skip() else { return };
    let splits = |blocks, depth, partial| matmul::splits(&gpu, matmul::Tiles::Large, blocks, depth, partial);
    // the baby GPT's qkv weight gradient: 9·3 blocks of 128×128 would keep 27 of an H100's 132
    // units busy; in 29 slices of M they make 783 workgroups, 5.93 a unit (6 rounds; 30 slices
    // would make 6.14, 7 rounds)
    assert_eq!(splits(27, 16384, 1152 * 384 + 1152), 29);
    // at most one slice per 128 rows
    assert_eq!(splits(27, 600, 1152 * 384 + 1152), 4);
    // its input gradient: 128·3 blocks are 2.91 a unit already, 3 rounds; halves would make
    // 5.82 rounds of half the length, no sooner, and add a sum
    assert_eq!(splits(384, 1152, 16384 * 384), 1);
    // the fc layer's weight gradient: 36 blocks in 11 slices make 396 workgroups, 3 a unit
    assert_eq!(splits(36, 16384, 1536 * 384 + 1536), 11);
    // and what the H100's choice computes is the CPU's gradient (M = 600: four slices)
    let (m, k, n) = (600, 20, 36);
    let (inp, w, dout) = (randn(m * k, 1.0, 60), randn(n * k, 1.0, 61), randn(m * n, 1.0, 62));
    let (mut dinp, mut dweight, mut dbias) = (vec![0.0; m * k], vec![0.0; n * k], vec![0.0; n]);
    cpu::matmul_backward(&mut dinp, &mut dweight, Some(&mut dbias[..]), &dout, &inp, &w, m, k, n);
    let (g_dinp, g_dweight, g_dbias) = (zeros(&gpu, m * k), zeros(&gpu, n * k), zeros(&gpu, n));
    let ops = matmul::matmul_backward(
        &gpu,
        &g_dinp,
        &g_dweight,
        Some(&g_dbias),
        &upload(&gpu, &dout),
        &upload(&gpu, &inp),
        &upload(&gpu, &w),
        None,
        m as u32,
        k as u32,
        n as u32,
        Write::Add,
    );
    assert_eq!(ops.len(), 3, "input, weight in slices, their sum");
    let got = run_and_read(&gpu, &ops, &[&g_dinp, &g_dweight, &g_dbias]);
    assert_close("split dinp", &got[0], &dinp, 1e-4, 1e-5);
    assert_close("split dweight", &got[1], &dweight, 1e-5 * (m as f32).sqrt(), 1e-5);
    assert_close("split dbias", &got[2], &dbias, 1e-5 * (m as f32).sqrt(), 1e-5);
}

#[test]
fn matmul_forward_split_over_k_matches_cpu() {
    // recorded as on an H100: the GPU tiles, whose split forward adds the slices, the bias and
    // the activation in reduce_partials_forward.wgsl (an emulator keeps one slice)
    let Some(gpu) = gpu_as_h100_or_skip() else { return };
    // odd sizes, partial blocks; with three slices asked for, K of 13 and up is split
    let shapes = [(1, 1, 1), (7, 13, 5), (13, 65, 7), (65, 129, 13), (129, 257, 65), (257, 65, 129)];
    let acts = [None, Some(cpu::Activation::Gelu), Some(cpu::Activation::GeluTanh), Some(cpu::Activation::Relu)];
    for tiles in [matmul::Tiles::Small, matmul::Tiles::Large] {
        for ((m, k, n), act, with_bias, splits) in shapes
            .into_iter()
            .flat_map(|s| acts.into_iter().flat_map(move |a| [(s, a, true, 1), (s, a, false, 1), (s, a, true, 3), (s, a, false, 3)]))
        {
            let (inp, w, bias) = (randn(m * k, 1.0, 70), randn(n * k, 1.0, 71), randn(n, 1.0, 72));
            let want = cpu_forward(act, &inp, &w, with_bias.then_some(&bias[..]), m, k, n);
            let (out, pre, g_bias) = (zeros(&gpu, m * n), zeros(&gpu, m * n), upload(&gpu, &bias));
            let (g_inp, g_w) = (upload(&gpu, &inp), upload(&gpu, &w));
            let (mu, ku, nu) = (m as u32, k as u32, n as u32);
            let g_act = act.map(|a| (a, &pre));
            let ops =
                matmul::matmul_forward_split(&gpu, tiles, splits, g_act, &out, &g_inp, &g_w, with_bias.then_some(&g_bias), mu, ku, nu);
            let sliced = k.div_ceil(splits as usize).next_multiple_of(tiles.depth() as usize) < k;
            let tag = format!("{act:?} {tiles:?} m{m} k{k} n{n} bias {with_bias} splits {splits}");
            assert_eq!(ops.len(), if sliced { 2 } else { 1 }, "{tag}");
            assert_forward(&format!("split forward {tag}"), &run_and_read(&gpu, &ops, &[&out, &pre]), &want, act, k);
        }
    }
}

#[test]
fn matmul_forward_splits_its_sums_where_units_would_be_idle() {
    let Some(gpu) = gpu_as_h100_or_skip() else { return };
    let splits = |blocks, depth, partial| matmul::splits(&gpu, matmul::Tiles::Large, blocks, depth, partial);
    // the baby GPT's FFN projection (M 16,384, K 1,536, N 384): 128·3 blocks are 2.91 on each
    // of an H100's 132 units, 97% of 3 rounds; slices would not finish sooner
    assert_eq!(splits(384, 1536, 16384 * 384), 1);
    // the same projection over 2,048 rows: 16·3 blocks leave 84 units idle; 8 slices of K
    // make 384 workgroups, 2.91 a unit
    assert_eq!(splits(48, 1536, 2048 * 384), 8);
    // and the choice that matmul_forward makes is what it records: two launches for that shape
    let (m, k, n) = (2048, 1536, 384);
    let (inp, w, bias) = (randn(m * k, 1.0, 73), randn(n * k, 0.05, 74), randn(n, 1.0, 75));
    let mut want = vec![0.0; m * n];
    cpu::matmul_forward(&mut want, &inp, &w, Some(&bias), m, k, n);
    let out = zeros(&gpu, m * n);
    let ops = matmul::matmul_forward(
        &gpu,
        &out,
        &upload(&gpu, &inp),
        &upload(&gpu, &w),
        Some(&upload(&gpu, &bias)),
        m as u32,
        k as u32,
        n as u32,
    );
    assert_eq!(ops.len(), 2, "slices of K, then their sum with the bias");
    let got = run_and_read(&gpu, &ops, &[&out]);
    assert_close("split forward as recorded", &got[0], &want, 1e-5 * (k as f32).sqrt(), 1e-5);
}

#[test]
fn matmul_forward_launches_the_rows_past_its_whole_rounds_apart_and_matches_cpu() {
    // recorded as on an H100 (132 units, each kept at its rate by one 128×128 block): 30 rows of
    // 9 blocks are 270, of which 6 would take a third round; the first 29 rows (261 blocks)
    // run over all of K in two, the last row's 9 blocks in slices of K, summed with the bias
    // and the activation by a third launch. Odd sizes too: a last row of blocks 88 rows deep,
    // a last column part empty, K not a multiple of 4 (the scalar loads)
    let Some(gpu) = gpu_as_h100_or_skip() else { return };
    for (m, k, n, act) in [(3800, 384, 1152, Some(cpu::Activation::Gelu)), (3800, 383, 1150, None)] {
        let (inp, w, bias) = (randn(m * k, 1.0, 76), randn(n * k, 0.05, 77), randn(n, 1.0, 78));
        let want = cpu_forward(act, &inp, &w, Some(&bias), m, k, n);
        let (out, pre) = (zeros(&gpu, m * n), zeros(&gpu, m * n));
        let (g_inp, g_w, g_bias) = (upload(&gpu, &inp), upload(&gpu, &w), upload(&gpu, &bias));
        let (mu, ku, nu) = (m as u32, k as u32, n as u32);
        let ops = match act {
            Some(a) => matmul::matmul_forward_act(&gpu, a, &out, &pre, &g_inp, &g_w, Some(&g_bias), mu, ku, nu),
            None => matmul::matmul_forward(&gpu, &out, &g_inp, &g_w, Some(&g_bias), mu, ku, nu),
        };
        let tag = format!("m{m} k{k} n{n} {act:?}");
        let grids: Vec<[u32; 3]> = ops.iter().map(|op| op.workgroups).collect();
        assert_eq!(ops.len(), 3, "{tag}: the whole rounds, the last row in slices, their sum: {grids:?}");
        assert_eq!(grids[0], [9, 29, 1], "{tag}: the first 29 rows of blocks over all of K");
        assert!(grids[1][..2] == [9, 1] && grids[1][2] > 1, "{tag}: the last row of blocks in slices of K: {:?}", grids[1]);
        assert_forward(&format!("forward with its tail apart {tag}"), &run_and_read(&gpu, &ops, &[&out, &pre]), &want, act, k);
    }
}

#[test]
fn matmul_forward_skinny_matches_cpu() {
    let Some(gpu) = gpu_or_skip() else { return };
    // 1 to 16 rows (a token at a time, a short prompt), K a multiple of 4 (from one vec4 up), N not a multiple
    // of the 4 columns of an invocation nor the 128 of a workgroup; with and without bias and
    // activation
    let shapes = [
        (1, 4, 1, true),
        (1, 12, 5, false),
        (3, 300, 65, true),
        (8, 512, 130, true),
        (5, 768, 267, false),
        (2, 8, 3, true),
        (16, 96, 33, true),
        (11, 40, 129, false),
    ];
    let acts = [None, Some(cpu::Activation::Gelu), Some(cpu::Activation::GeluTanh), Some(cpu::Activation::Relu)];
    for act in acts {
        for (m, k, n, with_bias) in shapes {
            let (inp, w, bias) = (randn(m * k, 1.0, 27), randn(n * k, 1.0, 28), randn(n, 1.0, 29));
            let want = cpu_forward(act, &inp, &w, with_bias.then_some(&bias[..]), m, k, n);
            let (out, pre, g_bias) = (zeros(&gpu, m * n), zeros(&gpu, m * n), upload(&gpu, &bias));
            let (g_inp, g_w) = (upload(&gpu, &inp), upload(&gpu, &w));
            let g_act = act.map(|a| (a, &pre));
            let op =
                matmul::matmul_forward_skinny(&gpu, g_act, &out, &g_inp, &g_w, with_bias.then_some(&g_bias), m as u32, k as u32, n as u32);
            let tag = format!("matmul skinny {act:?} m{m} k{k} n{n}");
            assert_forward(&tag, &run_and_read(&gpu, &[op], &[&out, &pre]), &want, act, k);
        }
    }
}

#[test]
fn matmul_aligned_blocks_load_unchecked_and_match_cpu() {
    let Some(gpu) = gpu_or_skip() else { return };
    // sizes whose every block and staged step lies inside the operands for all three tile
    // shapes (rows and columns multiples of 128, summed axes of 16): the launchers build the
    // pipelines with ALIGNED, whose loads skip their bounds checks; one row more is not aligned
    for tiles in matmul::Tiles::ALL {
        assert!(tiles.aligned(256, 128, 48) && !tiles.aligned(257, 128, 48) && !tiles.aligned(256, 128, 44), "{tiles:?}");
        // the forward, with its activation, in one slice and in three (partials, then their sum)
        let (m, k, n) = (256, 48, 128);
        let (inp, w, bias) = (randn(m * k, 1.0, 80), randn(n * k, 1.0, 81), randn(n, 1.0, 82));
        let act = Some(cpu::Activation::Gelu);
        let want = cpu_forward(act, &inp, &w, Some(&bias), m, k, n);
        let (g_inp, g_w, g_bias) = (upload(&gpu, &inp), upload(&gpu, &w), upload(&gpu, &bias));
        for splits in [1, 3] {
            let (out, pre) = (zeros(&gpu, m * n), zeros(&gpu, m * n));
            let g_act = act.map(|a| (a, &pre));
            let (mu, ku, nu) = (m as u32, k as u32, n as u32);
            let ops = matmul::matmul_forward_split(&gpu, tiles, splits, g_act, &out, &g_inp, &g_w, Some(&g_bias), mu, ku, nu);
            let tag = format!("aligned forward {tiles:?} splits {splits}");
            assert!(ops[0].constants.aligned && ops.len() == splits as usize / 2 + 1, "{tag}: {} launches", ops.len());
            assert_forward(&tag, &run_and_read(&gpu, &ops, &[&out, &pre]), &want, act, k);
        }
        // both gradients, in one slice and three, the input's through the activation's derivative
        let (m, k, n) = (128, 256, 128);
        let (pre, w, dout, inp) = (randn(m * k, 3.0, 83), randn(n * k, 1.0, 84), randn(m * n, 1.0, 85), randn(m * k, 1.0, 86));
        let (mut dpre, mut dweight, mut dbias) = (vec![0.0; m * k], vec![0.0; n * k], vec![0.0; n]);
        cpu::matmul_backward_input_act(cpu::Activation::Gelu, &mut dpre, &pre, &dout, &w, m, k, n);
        cpu::matmul_backward(&mut vec![0.0; m * k], &mut dweight, Some(&mut dbias[..]), &dout, &inp, &w, m, k, n);
        let (g_pre, g_w, g_dout, g_inp) = (upload(&gpu, &pre), upload(&gpu, &w), upload(&gpu, &dout), upload(&gpu, &inp));
        for splits in [1, 3] {
            let (g_dpre, g_dweight, g_dbias) = (zeros(&gpu, m * k), zeros(&gpu, n * k), zeros(&gpu, n));
            let g_act = Some((cpu::Activation::Gelu, &g_pre));
            let (mu, ku, nu) = (m as u32, k as u32, n as u32);
            let mut ops = matmul::matmul_backward_input_tiled(&gpu, tiles, splits, &g_dpre, &g_dout, &g_w, g_act, mu, ku, nu, Write::Store);
            let weight_ops =
                matmul::matmul_backward_weight_tiled(&gpu, tiles, splits, &g_dweight, Some(&g_dbias), &g_dout, &g_inp, mu, ku, nu);
            let tag = format!("aligned backward {tiles:?} splits {splits}");
            assert!(ops[0].constants.aligned && weight_ops[0].constants.aligned, "{tag}");
            assert_eq!((ops.len(), weight_ops.len()), if splits == 1 { (1, 1) } else { (2, 2) }, "{tag}");
            ops.extend(weight_ops);
            let got = run_and_read(&gpu, &ops, &[&g_dpre, &g_dweight, &g_dbias]);
            assert_close(&format!("{tag} dpre"), &got[0], &dpre, 2e-5 * (n as f32).sqrt(), 1e-5);
            assert_close(&format!("{tag} dweight"), &got[1], &dweight, 1e-5 * (m as f32).sqrt(), 1e-5);
            assert_close(&format!("{tag} dbias"), &got[2], &dbias, 1e-5 * (m as f32).sqrt(), 1e-5);
        }
        // f16 weights, read as f16
        let (m, k, n) = (128, 32, 128);
        let (w, halves) = f16_exact_weights(n * k, 87);
        let inp = randn(m * k, 1.0, 88);
        let want = cpu_forward(None, &inp, &w, None, m, k, n);
        let out = zeros(&gpu, m * n);
        let (g_inp, g_halves) = (upload(&gpu, &inp), upload(&gpu, &halves));
        let op = matmul::matmul_forward_f16_tiled(&gpu, tiles, None, &out, &g_inp, &g_halves, None, m as u32, k as u32, n as u32);
        let tag = format!("aligned f16 weights {tiles:?} {}", op_name(&gpu));
        assert!(op.constants.aligned, "{tag}");
        assert_forward(&tag, &run_and_read(&gpu, &[op], &[&out]), &want, None, k);
    }
}

/// The CPU's forward of (M, K) · (N, K)ᵀ + bias, with `act` (out, and pre = out before the
/// activation) or without (out; pre stays zero, as no kernel writes it then).
fn cpu_forward(
    act: Option<cpu::Activation>,
    inp: &[f32],
    w: &[f32],
    bias: Option<&[f32]>,
    m: usize,
    k: usize,
    n: usize,
) -> (Vec<f32>, Vec<f32>) {
    let (mut out, mut pre) = (vec![0.0; m * n], vec![0.0; m * n]);
    match act {
        Some(a) => cpu::matmul_forward_act(a, &mut out, &mut pre, inp, w, bias, m, k, n),
        None => cpu::matmul_forward(&mut out, inp, w, bias, m, k, n),
    }
    (out, pre)
}

/// Asserts a forward's read-back out (`got[0]`), and with an activation its pre (`got[1]`),
/// against `cpu_forward`'s, within the tolerance of a sum over K.
fn assert_forward(tag: &str, got: &[Vec<f32>], want: &(Vec<f32>, Vec<f32>), act: Option<cpu::Activation>, k: usize) {
    assert_close(tag, &got[0], &want.0, 1e-5 * (k as f32).sqrt(), 1e-5);
    if act.is_some() {
        assert_close(&format!("{tag} pre"), &got[1], &want.1, 1e-5 * (k as f32).sqrt(), 1e-5);
    }
}

/// `len` weights exactly representable in f16 (multiples of 1/256 up to ±4), and their halves as
/// `matmul_forward_f16` binds them.
fn f16_exact_weights(len: usize, seed: u64) -> (Vec<f32>, Vec<u32>) {
    let w: Vec<f32> = randn(len, 1.0, seed).iter().map(|x| (x * 256.0).round().clamp(-1024.0, 1024.0) / 256.0).collect();
    let halves = matmul::pack_halves(&w.iter().map(|&x| f16_bits(x)).collect::<Vec<_>>());
    (w, halves)
}

/// The f16 bits of `x`, which must be a normal f16 value exactly (sign, 5-bit exponent biased
/// by 15, the 10 high bits of the f32 mantissa).
fn f16_bits(x: f32) -> u16 {
    if x == 0.0 {
        return 0;
    }
    let b = x.to_bits();
    let exp = ((b >> 23) & 0xff) as i32 - 127 + 15;
    assert!((1..31).contains(&exp) && b & 0x1fff == 0, "{x} is not a normal f16");
    ((b >> 16) & 0x8000) as u16 | (exp as u16) << 10 | ((b >> 13) & 0x3ff) as u16
}

#[test]
fn matmul_forward_with_f16_weights_matches_cpu() {
    let Some(gpus) = both_reductions_or_skip() else { return };
    // the first context has shader-f16 (lavapipe offers it) and reads the halves as f16, the
    // second asks for no features and unpacks them from u32 pairs
    assert!(gpus[0].shader_f16() && !gpus[1].shader_f16());
    // K a multiple of 4 (f16_fits); M from one token (skinny) to partial 128-row blocks, N odd
    let shapes = [(1, 4, 3, true), (5, 12, 33, false), (16, 64, 65, true), (17, 36, 130, true), (129, 20, 7, false)];
    let acts = [None, Some(cpu::Activation::Gelu)];
    for (gpu, act) in gpus.iter().flat_map(|g| acts.map(|a| (g, a))) {
        for (m, k, n, with_bias) in shapes {
            let (w, halves) = f16_exact_weights(n * k, 70);
            let (inp, bias) = (randn(m * k, 1.0, 71), randn(n, 1.0, 72));
            let want = cpu_forward(act, &inp, &w, with_bias.then_some(&bias[..]), m, k, n);
            let (g_inp, g_w, g_bias) = (upload(gpu, &inp), upload(gpu, &halves), upload(gpu, &bias));
            let (mu, ku, nu) = (m as u32, k as u32, n as u32);
            // every tile shape, and the launcher's choice: the skinny kernel up to 16 rows
            let runs = matmul::Tiles::ALL.map(Some).into_iter().chain([None]);
            for tiles in runs {
                let how =
                    tiles.map_or(if m <= matmul::SKINNY_ROWS as usize { "skinny".into() } else { "chosen".into() }, |t| format!("{t:?}"));
                let (out, pre) = (zeros(gpu, m * n), zeros(gpu, m * n));
                let g_act = act.map(|a| (a, &pre));
                let g_b = with_bias.then_some(&g_bias);
                let op = match tiles {
                    Some(t) => matmul::matmul_forward_f16_tiled(gpu, t, g_act, &out, &g_inp, &g_w, g_b, mu, ku, nu),
                    None => matmul::matmul_forward_f16(gpu, g_act, &out, &g_inp, &g_w, g_b, mu, ku, nu),
                };
                let tag = format!("f16 weights {} {how} {act:?} m{m} k{k} n{n}", op_name(gpu));
                assert_forward(&tag, &run_and_read(gpu, &[op], &[&out, &pre]), &want, act, k);
            }
        }
    }
}

fn op_name(gpu: &playground_gpu::GpuContext) -> &'static str {
    if gpu.shader_f16() {
        "shader-f16"
    } else {
        "packed"
    }
}
