use playground_core::cpu;
use playground_gpu::kernels::attention;
use playground_tests::*;

/// Causal (GPT, the decoder) and bidirectional (BERT's encoder) attention.
const CAUSAL_AND_NOT: [bool; 2] = [true, false];

/// Shapes (B, T, C, NH, NKV) with grouped-query attention: 6 heads reading 2 or 3 key/value
/// heads, at T = 7 and across the tiled kernels' 64-row blocks, for each kernel family by head
/// size: 5 and 16 (tiled), 27 (_head32), 72 (per row).
const GROUPED: [(usize, usize, usize, usize, usize); 5] =
    [(2, 7, 30, 6, 2), (1, 70, 30, 6, 3), (2, 70, 96, 6, 3), (2, 70, 162, 6, 2), (1, 9, 432, 6, 3)];

/// Q, K, V side by side for these sizes: (B, T, C + 2·KVC).
fn qkv_len(b: usize, t: usize, c: usize, nh: usize, nkv: usize) -> usize {
    b * t * (c + 2 * nkv * (c / nh))
}

/// Multi-head shapes (NKV = NH), then the grouped ones.
fn with_groups<const N: usize>(shapes: [(usize, usize, usize, usize); N]) -> Vec<(usize, usize, usize, usize, usize)> {
    shapes.iter().map(|&(b, t, c, nh)| (b, t, c, nh, nh)).chain(GROUPED).collect()
}

#[test]
fn attention_forward_matches_cpu() {
    let Some(gpu) = gpu_or_skip() else { return };
    // one head and several, T = 1 and odd T, head size not a multiple of 4
    // both settings: causal (GPT) and bidirectional (BERT's encoder)
    let shapes = with_groups([(1, 1, 4, 1), (2, 7, 12, 3), (1, 16, 15, 5), (2, 33, 32, 2)]);
    for (causal, (b, t, c, nh, nkv)) in CAUSAL_AND_NOT.into_iter().flat_map(|m| shapes.iter().map(move |&s| (m, s))) {
        let qkv = randn(qkv_len(b, t, c, nh, nkv), 1.0, 10);
        let mut out = vec![0.0; b * t * c];
        let mut lse = vec![0.0; b * nh * t];
        let mut preatt = vec![0.0; b * nh * t * t];
        let mut att = vec![0.0; b * nh * t * t];
        cpu::attention_forward(&mut out, &mut lse, &mut preatt, &mut att, &qkv, b, t, c, nh, nkv, causal);
        let (g_out, g_lse, g_pre, g_att) =
            (zeros(&gpu, b * t * c), zeros(&gpu, b * nh * t), zeros(&gpu, b * nh * t * t), zeros(&gpu, b * nh * t * t));
        let op = attention::attention_forward(
            &gpu,
            &g_out,
            &g_lse,
            Some((&g_pre, &g_att)),
            &upload(&gpu, &qkv),
            b as u32,
            t as u32,
            c as u32,
            nh as u32,
            nkv as u32,
            causal,
        );
        let got = run_and_read(&gpu, &[op], &[&g_out, &g_lse, &g_pre, &g_att]);
        let tag = format!("b{b} t{t} c{c} nh{nh} nkv{nkv} causal={causal}");
        assert_close(&format!("attention out {tag}"), &got[0], &out, 1e-5, 1e-5);
        assert_close(&format!("attention lse {tag}"), &got[1], &lse, 1e-5, 1e-5);
        assert_close(&format!("attention preatt {tag}"), &got[2], &preatt, 1e-5, 1e-5);
        assert_close(&format!("attention att {tag}"), &got[3], &att, 1e-6, 1e-5);
        // rows of att sum to one; causal: the masked half is exactly zero; bidirectional: no
        // weight is zero (every key is seen)
        for row in got[3].chunks(t).enumerate() {
            let (r, vals) = row;
            let seen = cpu::keys_seen(r % t, t, causal);
            assert!((vals.iter().sum::<f32>() - 1.0).abs() < 1e-5);
            assert!(vals[seen..].iter().all(|&x| x == 0.0));
            assert!(vals[..seen].iter().all(|&x| x > 0.0), "{tag}");
        }
    }
}

#[test]
fn attention_forward_for_training_matches_cpu() {
    let Some(gpu) = gpu_or_skip() else { return };
    // without weights, as in training: the tiled kernel for heads up to 64 channels, with T = 1,
    // odd T, T crossing the 64-row blocks (65, 130) and head sizes 4, 4, 3, 16, 64, 48; the
    // _head32 kernel for heads of 17 to 32 (32, 27 and 17, odd; 26 with T crossing a block); the
    // per-row kernel for the 72-channel head
    let shapes = with_groups([
        (1, 1, 4, 1),
        (2, 7, 12, 3),
        (1, 16, 15, 5),
        (2, 33, 32, 2),
        (1, 65, 64, 1),
        (2, 130, 96, 2),
        (2, 33, 32, 1),
        (2, 70, 27, 1),
        (1, 9, 17, 1),
        (2, 65, 52, 2),
        (1, 9, 72, 1),
    ]);
    for (causal, (b, t, c, nh, nkv)) in CAUSAL_AND_NOT.into_iter().flat_map(|m| shapes.iter().map(move |&s| (m, s))) {
        let qkv = randn(qkv_len(b, t, c, nh, nkv), 1.0, 12);
        let (mut out, mut lse) = (vec![0.0; b * t * c], vec![0.0; b * nh * t]);
        let (mut preatt, mut att) = (vec![0.0; b * nh * t * t], vec![0.0; b * nh * t * t]);
        cpu::attention_forward(&mut out, &mut lse, &mut preatt, &mut att, &qkv, b, t, c, nh, nkv, causal);
        let (g_out, g_lse) = (zeros(&gpu, b * t * c), zeros(&gpu, b * nh * t));
        let (u, tu, cu, nhu, nkvu) = (b as u32, t as u32, c as u32, nh as u32, nkv as u32);
        let op = attention::attention_forward(&gpu, &g_out, &g_lse, None, &upload(&gpu, &qkv), u, tu, cu, nhu, nkvu, causal);
        let got = run_and_read(&gpu, &[op], &[&g_out, &g_lse]);
        let (tiled, head32) = (attention::tiled(cu, nhu), attention::head32(cu, nhu));
        let tag = format!("b{b} t{t} c{c} nh{nh} nkv{nkv} causal={causal} tiled={tiled} head32={head32}");
        // one pass with a running max instead of two: rescaling adds a few ulps
        assert_close(&format!("attention out {tag}"), &got[0], &out, 1e-5, 1e-5);
        assert_close(&format!("attention lse {tag}"), &got[1], &lse, 1e-5, 1e-5);
    }
}

#[test]
fn attention_forward_without_weights_gives_the_same_output() {
    let Some(gpu) = gpu_or_skip() else { return };
    let (b, t, c, nh) = (2, 9, 8, 2);
    for causal in CAUSAL_AND_NOT {
        let qkv = upload(&gpu, &randn(qkv_len(b, t, c, nh, nh), 1.0, 11));
        let (o1, l1, o2, l2) = (zeros(&gpu, b * t * c), zeros(&gpu, b * nh * t), zeros(&gpu, b * t * c), zeros(&gpu, b * nh * t));
        let (pre, att) = (zeros(&gpu, b * nh * t * t), zeros(&gpu, b * nh * t * t));
        let ops = [
            attention::attention_forward(
                &gpu,
                &o1,
                &l1,
                Some((&pre, &att)),
                &qkv,
                b as u32,
                t as u32,
                c as u32,
                nh as u32,
                nh as u32,
                causal,
            ),
            attention::attention_forward(&gpu, &o2, &l2, None, &qkv, b as u32, t as u32, c as u32, nh as u32, nh as u32, causal),
        ];
        let got = run_and_read(&gpu, &ops, &[&o1, &o2, &l1, &l2]);
        // a trace and training run different kernels (per-row two-pass; tiled online softmax), so
        // the two agree to rounding, not to the bit
        assert_close(&format!("out with vs without weights causal={causal}"), &got[0], &got[1], 1e-6, 1e-6);
        assert_close(&format!("lse with vs without weights causal={causal}"), &got[2], &got[3], 1e-6, 1e-6);
    }
}

#[test]
fn attention_backward_matches_cpu() {
    let Some(gpu) = gpu_or_skip() else { return };
    // T = 1 and odd T, one head and several, head sizes 1·12, 3·4, 5·3 (odd), 3·5, 2·16, 1·32;
    // T crossing the tiled kernels' 64-row blocks with heads of 64 and 13; heads of 32 and 27
    // (odd) take the _head32 kernels; a 72-channel head (the per-row kernels)
    let shapes = with_groups([
        (2, 1, 12, 1),
        (2, 7, 12, 3),
        (2, 7, 15, 5),
        (2, 33, 15, 3),
        (2, 33, 32, 2),
        (2, 33, 32, 1),
        (2, 70, 27, 1),
        (1, 130, 128, 2),
        (2, 65, 26, 2),
        (1, 9, 72, 1),
    ]);
    for (causal, (b, t, c, nh, nkv)) in CAUSAL_AND_NOT.into_iter().flat_map(|m| shapes.iter().map(move |&s| (m, s))) {
        let qkv = randn(qkv_len(b, t, c, nh, nkv), 1.0, 80);
        let (mut out, mut lse) = (vec![0.0; b * t * c], vec![0.0; b * nh * t]);
        let (mut preatt, mut att) = (vec![0.0; b * nh * t * t], vec![0.0; b * nh * t * t]);
        cpu::attention_forward(&mut out, &mut lse, &mut preatt, &mut att, &qkv, b, t, c, nh, nkv, causal);
        let dout = randn(b * t * c, 1.0, 81);
        // the GPU's dqkv starts as garbage, which the kernels store over; the CPU adds to zeros
        let dqkv_init = randn(qkv.len(), 1.0, 82);
        let mut dqkv = vec![0.0; qkv.len()];
        cpu::attention_backward(&mut dqkv, &dout, &qkv, &att, b, t, c, nh, nkv, causal);

        let (g_qkv, g_dout) = (upload(&gpu, &qkv), upload(&gpu, &dout));
        let (u, tu, cu, nhu, nkvu) = (b as u32, t as u32, c as u32, nh as u32, nkv as u32);
        // 1) from the CPU forward's out and lse: the backward kernels alone
        let (g_dqkv, g_delta) = (upload(&gpu, &dqkv_init), zeros(&gpu, b * nh * t));
        let ops = attention::attention_backward(
            &gpu,
            &g_dqkv,
            &g_delta,
            &g_dout,
            &g_qkv,
            &upload(&gpu, &out),
            &upload(&gpu, &lse),
            u,
            tu,
            cu,
            nhu,
            nkvu,
            causal,
        );
        let from_cpu = run_and_read(&gpu, &ops, &[&g_dqkv, &g_delta]);
        // 2) after the GPU forward without (T, T) weights, as in training
        let (g_out, g_lse) = (zeros(&gpu, b * t * c), zeros(&gpu, b * nh * t));
        let g_dqkv2 = upload(&gpu, &dqkv_init);
        let mut ops = vec![attention::attention_forward(&gpu, &g_out, &g_lse, None, &g_qkv, u, tu, cu, nhu, nkvu, causal)];
        ops.extend(attention::attention_backward(&gpu, &g_dqkv2, &g_delta, &g_dout, &g_qkv, &g_out, &g_lse, u, tu, cu, nhu, nkvu, causal));
        let from_gpu = run_and_read(&gpu, &ops, &[&g_dqkv2]);

        let tag = format!("b{b} t{t} c{c} nh{nh} nkv{nkv} causal={causal}");
        // p is recomputed from lse instead of read from att, and D = dO·out replaces Σ att·datt:
        // a few ulps on terms of size ~1, summed over up to T keys or queries
        assert_close(&format!("attention dqkv {tag}"), &from_cpu[0], &dqkv, 2e-5, 1e-4);
        assert_close(&format!("attention dqkv after gpu forward {tag}"), &from_gpu[0], &dqkv, 2e-5, 1e-4);
        // the dQ kernel's D = dO·out per row, stored for dK and dV
        assert_close(&format!("attention delta {tag}"), &from_cpu[1], &row_deltas(&dout, &out, b, t, c, nh), 1e-5, 1e-5);
    }
}

#[test]
fn attention_with_the_head_in_registers_matches_cpu() {
    // the kernels with the head in registers (forward, dQ, and dK with dV over two lanes a key
    // row) for heads of 33 to 64 channels: 33, 41 and 63 (odd), 64, 36; T = 1, 7 and T crossing
    // the 64-row blocks and the 8-query staging steps; grouped-query attention (NKV < NH)
    let shapes = [(2, 70, 82, 2, 1), (1, 65, 64, 1, 1), (2, 1, 33, 1, 1), (1, 130, 189, 3, 1), (2, 7, 384, 6, 2), (2, 33, 216, 6, 3)];
    // dQ computes each row's D = dO·out (no launch of its own) and stores it for dK and dV
    let kernels = ["attention_forward_regs64", "attention_backward_query_regs64", "attention_backward_kv_lanes64"];
    attention_as_an_h100_records_it_matches_cpu("registers", &shapes, &kernels, 90);
}

/// D (B, NH, T): each row's dO·out over its head, which the dQ kernels store in `delta`.
fn row_deltas(dout: &[f32], out: &[f32], b: usize, t: usize, c: usize, nh: usize) -> Vec<f32> {
    let hs = c / nh;
    let mut delta = vec![0.0; b * nh * t];
    for (row, d) in delta.iter_mut().enumerate() {
        let (bi, h, i) = (row / (nh * t), row / t % nh, row % t);
        let base = (bi * t + i) * c + h * hs;
        *d = (0..hs).map(|x| dout[base + x] * out[base + x]).sum();
    }
    delta
}

#[test]
fn attention_with_the_row_over_lanes_matches_cpu() {
    // heads of 65 to 128 channels take the kernels with each row over four lanes (forward, dQ,
    // dK/dV): heads of 65, 127 (odd), 100 (not a multiple of 16: a lane's vec4s end mid-head),
    // 72, 96, 128; T = 1, 7, 64 (one whole block), 65 and 130 (across blocks and staging
    // steps); grouped-query attention (NKV < NH)
    let shapes = [
        (2, 1, 65, 1, 1),
        (1, 7, 144, 2, 1),
        (2, 64, 192, 2, 2),
        (1, 65, 300, 3, 1),
        (1, 130, 254, 2, 2),
        (2, 130, 512, 4, 2),
        (1, 65, 384, 3, 3),
    ];
    let kernels = ["attention_forward_lanes", "attention_backward_query_lanes", "attention_backward_kv_lanes"];
    attention_as_an_h100_records_it_matches_cpu("lanes", &shapes, &kernels, 95);
}

/// Recorded as on an H100 (not an emulator), for each shape (B, T, C, NH, NKV), causal and not:
/// the forward (out, lse), then the backward after it (dqkv, and each row's D = dO·out, which
/// dQ stores for dK and dV), against the CPU; the launches must be `kernels`. `seed`: the
/// inputs', and the next two for dO and the garbage the GPU's dqkv starts as (stored over).
fn attention_as_an_h100_records_it_matches_cpu(label: &str, shapes: &[(usize, usize, usize, usize, usize)], kernels: &[&str], seed: u64) {
    let Some(gpu) = gpu_as_h100_or_skip() else { return };
    for (causal, (b, t, c, nh, nkv)) in CAUSAL_AND_NOT.into_iter().flat_map(|m| shapes.iter().map(move |&s| (m, s))) {
        let qkv = randn(qkv_len(b, t, c, nh, nkv), 1.0, seed);
        let (mut out, mut lse) = (vec![0.0; b * t * c], vec![0.0; b * nh * t]);
        let (mut preatt, mut att) = (vec![0.0; b * nh * t * t], vec![0.0; b * nh * t * t]);
        cpu::attention_forward(&mut out, &mut lse, &mut preatt, &mut att, &qkv, b, t, c, nh, nkv, causal);
        let dout = randn(b * t * c, 1.0, seed + 1);
        let dqkv_init = randn(qkv.len(), 1.0, seed + 2);
        let mut dqkv = vec![0.0; qkv.len()];
        cpu::attention_backward(&mut dqkv, &dout, &qkv, &att, b, t, c, nh, nkv, causal);

        let (u, tu, cu, nhu, nkvu) = (b as u32, t as u32, c as u32, nh as u32, nkv as u32);
        let (g_qkv, g_dout, g_dqkv) = (upload(&gpu, &qkv), upload(&gpu, &dout), upload(&gpu, &dqkv_init));
        let (g_out, g_lse, g_delta) = (zeros(&gpu, b * t * c), zeros(&gpu, b * nh * t), zeros(&gpu, b * nh * t));
        let mut ops = vec![attention::attention_forward(&gpu, &g_out, &g_lse, None, &g_qkv, u, tu, cu, nhu, nkvu, causal)];
        ops.extend(attention::attention_backward(&gpu, &g_dqkv, &g_delta, &g_dout, &g_qkv, &g_out, &g_lse, u, tu, cu, nhu, nkvu, causal));
        let launched: Vec<_> = ops.iter().map(|op| op.kernel.source().name).collect();
        assert_eq!(launched, kernels, "c{c} nh{nh}");
        let got = run_and_read(&gpu, &ops, &[&g_out, &g_lse, &g_dqkv, &g_delta]);
        let tag = format!("b{b} t{t} c{c} nh{nh} nkv{nkv} causal={causal}");
        assert_close(&format!("{label}: attention out {tag}"), &got[0], &out, 1e-5, 1e-5);
        assert_close(&format!("{label}: attention lse {tag}"), &got[1], &lse, 1e-5, 1e-5);
        assert_close(&format!("{label}: attention dqkv {tag}"), &got[2], &dqkv, 2e-5, 1e-4);
        assert_close(&format!("{label}: attention delta {tag}"), &got[3], &row_deltas(&dout, &out, b, t, c, nh), 1e-5, 1e-5);
    }
}
