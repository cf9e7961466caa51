// Self-attention (causal or bidirectional), backward, step 1 of 2, tiled: gradient of Q (and D_i) for head sizes up to 64.
// One workgroup per (b, h, block of 64 query rows), one invocation per query row i; it alone
// writes row i's Q channels of head h.
//   dqkv  : (B, T, C + 2·KVC)   dQ_i = scale·Σ_{j≤i} dS_ij·K_j   (the Q third; K and V: attention_backward_key_tiled)
//   dout  : (B, T, C)    gradient of attention_forward's out
//   qkv   : (B, T, C + 2·KVC)   Q, K, V side by side
//   lse   : (B, NH, T)   log Σ_{j≤i} exp(s_ij), kept by attention_forward
//   delta : (B, NH, T)   D_i = dO_i·out_i, written here (row_delta) for the dK and dV kernels
//   out   : (B, T, C)    attention_forward's out
// CPU reference: crates/playground-core/src/cpu/attention.rs (attention_backward)
//
// The arithmetic of attention_backward_query.wgsl (which serves larger heads): p_ij =
// exp(s_ij − lse_i) is recomputed and dS_ij = p_ij·(dO_i·V_j − D_i). Here Q_i, dO_i and the
// dQ_i being summed stay in up to 16 vec4 registers each, and the workgroup stages BKV keys of K and
// V at a time in workgroup memory, as attention_forward_tiled.wgsl does.
// Params, WORKGROUP_SIZE, MAX_HS4, qkv4, row_block (include/attention_tiled.wgsl) and BKV, k_tile, v_tile,
// stage_kv (include/attention_kv_tiles.wgsl) are prepended by shaders.rs.

@group(0) @binding(0) var<storage, read_write> dqkv: array<f32>;
@group(0) @binding(1) var<storage, read> dout: array<f32>;
@group(0) @binding(2) var<storage, read> qkv: array<f32>;
@group(0) @binding(3) var<storage, read> lse: array<f32>;
@group(0) @binding(4) var<storage, read_write> delta: array<f32>;
@group(0) @binding(5) var<storage, read> out: array<f32>;
@group(0) @binding(6) var<uniform> params: Params;

@compute @workgroup_size(WORKGROUP_SIZE)
fn main(
    @builtin(workgroup_id) wid: vec3<u32>,
    @builtin(num_workgroups) nwg: vec3<u32>,
    @builtin(local_invocation_index) lid: u32,
) {
    let t = params.t;
    let c = params.c;
    let nh = params.nh;
    let block = row_block(wid, nwg, nh);
    if (!block.in_range) { return; } // uniform per workgroup, so the barriers stay valid
    let h = block.h;
    let bi = block.bi;
    let hs = c / nh;
    let hs4 = head_vec4s(hs); // the loops' bound: the head size, or MAX_HS4 (_regs builds)
    let scale = 1.0 / sqrt(f32(hs));
    let i = block.first + lid; // this invocation's query row
    let valid = i < t;
    let ic = min(i, t - 1u);
    let causal = params.causal != 0u;
    let seen = select(t, i + 1u, causal); // keys this row sees

    var q: array<vec4<f32>, MAX_HS4>;
    var g_out: array<vec4<f32>, MAX_HS4>; // dO_i
    var dq: array<vec4<f32>, MAX_HS4>;
    let qbase = q_base(bi * t + ic, h);
    let obase = (bi * t + ic) * c + h * hs;
    for (var d4 = 0u; d4 < hs4; d4++) {
        q[d4] = qkv4(qbase, d4, hs);
        g_out[d4] = dout4(obase, d4, hs);
        dq[d4] = vec4<f32>(0.0);
    }
    let row = (bi * nh + h) * t + ic;
    let row_lse = lse[row];
    let d_i = row_delta(obase, hs);
    if (valid) { delta[row] = d_i; }

    let last = select(t, min(block.first + WORKGROUP_SIZE, t), causal); // keys the block's last row sees
    for (var kv0 = 0u; kv0 < last; kv0 += BKV) {
        stage_kv(lid, bi, kv_head(h), kv0, t, hs, hs4);
        workgroupBarrier();
        if (valid && kv0 < seen) {
            let n_keys = min(BKV, seen - kv0);
            for (var jj = 0u; jj < n_keys; jj++) {
                var s4 = vec4<f32>(0.0);
                var dp4 = vec4<f32>(0.0); // dO_i·V_j
                for (var d4 = 0u; d4 < hs4; d4++) {
                    s4 = fma(q[d4], k_tile[jj * MAX_HS4 + d4], s4);
                    dp4 = fma(g_out[d4], v_tile[jj * MAX_HS4 + d4], dp4);
                }
                let p = exp((s4.x + s4.y + s4.z + s4.w) * scale - row_lse);
                let g = p * (dp4.x + dp4.y + dp4.z + dp4.w - d_i) * scale; // dS_ij·scale
                for (var d4 = 0u; d4 < hs4; d4++) {
                    dq[d4] = fma(vec4<f32>(g), k_tile[jj * MAX_HS4 + d4], dq[d4]);
                }
            }
        }
        workgroupBarrier();
    }

    if (!valid) { return; }
    for (var d4 = 0u; d4 < hs4; d4++) {
        for (var k = 0u; k < 4u; k++) { if (4u * d4 + k < hs) { dqkv[qbase + 4u * d4 + k] = dq[d4][k]; } }
    }
}
