// Self-attention (causal or bidirectional), backward, step 1 of 2, for heads of 65 to 128
// channels on GPUs: attention_backward_query_tiled.wgsl's gradient of Q (and D_i) with each query
// row held by LANES invocations, as attention_forward_lanes.wgsl holds it.
//   dqkv  : (B, T, C + 2·KVC)   dQ_i = scale·Σ_{j≤i} dS_ij·K_j   (the Q third; K and V: attention_backward_key)
//   dout  : (B, T, C)    gradient of attention_forward's out
//   qkv   : (B, T, C + 2·KVC)   Q, K, V side by side
//   lse   : (B, NH, T)   log Σ_{j≤i} exp(s_ij), kept by attention_forward
//   delta : (B, NH, T)   D_i = dO_i·out_i, written here for the dK and dV kernels
//   out   : (B, T, C)    attention_forward's out
// CPU reference: crates/playground-core/src/cpu/attention.rs (attention_backward)
//
// p_ij = exp(s_ij − lse_i) is recomputed and dS_ij = p_ij·(dO_i·V_j − D_i). Lane k of a row
// holds the head's vec4s k, k + LANES, … of Q_i, dO_i and the dQ_i being summed (3 × 32 floats
// in registers; one invocation would hold 384). Per step of BKV = 4 staged keys each lane stores
// its parts of q·k and dO·v (a vec2 per key) in workgroup memory, a barrier, and every lane of
// the row sums the LANES parts in the same order and adds dS·K to its slice of dQ. D_i is summed
// over the lanes the same way once, before the keys.
// Params, WORKGROUP_SIZE, qkv4, row_block (include/attention_tiled.wgsl), MAX_HS4, BKV = STEP,
// LANES (shaders.rs), k_tile, v_tile, stage_kv (include/attention_kv_tiles.wgsl) and LANE_HS4,
// INVOCATIONS, parts, row_sum (include/attention_lanes.wgsl) are prepended by shaders.rs.

@group(0) @binding(0) var<storage, read_write> dqkv: array<f32>;
@group(0) @binding(1) var<storage, read> dout: array<f32>;
@group(0) @binding(2) var<storage, read> qkv: array<f32>;
@group(0) @binding(3) var<storage, read> lse: array<f32>;
@group(0) @binding(4) var<storage, read_write> delta: array<f32>;
@group(0) @binding(5) var<storage, read> out: array<f32>;
@group(0) @binding(6) var<uniform> params: Params;

// out[base + 4·d4 .. +4], zero past the head size, as include/attention_dout.wgsl reads dO.
fn out4(base: u32, d4: u32, hs: u32) -> vec4<f32> {
    var v = vec4<f32>(0.0);
    for (var i = 0u; i < 4u; i++) { if (4u * d4 + i < hs) { v[i] = out[base + 4u * d4 + i]; } }
    return v;
}

@compute @workgroup_size(WORKGROUP_SIZE * LANES)
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
    let scale = 1.0 / sqrt(f32(hs));
    let r = lid / LANES; // this invocation's row in the block
    let lane = lid % LANES;
    let i = block.first + r; // its query row
    let valid = i < t;
    let ic = min(i, t - 1u);
    let causal = params.causal != 0u;
    let seen = select(t, i + 1u, causal); // keys this row sees

    var q: array<vec4<f32>, LANE_HS4>;
    var g_out: array<vec4<f32>, LANE_HS4>; // dO_i
    var dq: array<vec4<f32>, LANE_HS4>;
    let qbase = q_base(bi * t + ic, h);
    let obase = (bi * t + ic) * c + h * hs;
    var d_part = vec4<f32>(0.0); // this lane's part of D_i = dO_i·out_i
    for (var d = 0u; d < LANE_HS4; d++) {
        let d4 = d * LANES + lane;
        q[d] = qkv4(qbase, d4, hs); // zero past the head size
        g_out[d] = dout4(obase, d4, hs);
        dq[d] = vec4<f32>(0.0);
        d_part = fma(g_out[d], out4(obase, d4, hs), d_part);
    }
    parts[lid] = vec2<f32>(d_part.x + d_part.y + d_part.z + d_part.w, 0.0);
    workgroupBarrier();
    let d_i = row_sum(0u, r).x;
    let row = (bi * nh + h) * t + ic;
    if (valid && lane == 0u) { delta[row] = d_i; }
    let row_lse = lse[row];
    workgroupBarrier(); // parts is rewritten by the first step

    let last = select(t, min(block.first + WORKGROUP_SIZE, t), causal); // keys the block's last row sees
    for (var kv0 = 0u; kv0 < last; kv0 += BKV) {
        if (lid < WORKGROUP_SIZE) { stage_kv(lid, bi, kv_head(h), kv0, t, hs, MAX_HS4); }
        workgroupBarrier();
        let sees_step = valid && kv0 < seen; // the row sees keys of this step
        if (sees_step) {
            for (var jj = 0u; jj < BKV; jj++) {
                var s4 = vec4<f32>(0.0);
                var dp4 = vec4<f32>(0.0); // dO_i·V_j
                for (var d = 0u; d < LANE_HS4; d++) {
                    s4 = fma(q[d], k_tile[jj * MAX_HS4 + d * LANES + lane], s4);
                    dp4 = fma(g_out[d], v_tile[jj * MAX_HS4 + d * LANES + lane], dp4);
                }
                parts[jj * INVOCATIONS + lid] = vec2<f32>(s4.x + s4.y + s4.z + s4.w, dp4.x + dp4.y + dp4.z + dp4.w);
            }
        }
        workgroupBarrier();
        if (sees_step) {
            let n_keys = min(BKV, seen - kv0);
            for (var jj = 0u; jj < n_keys; jj++) {
                let sums = row_sum(jj, r);
                let p = exp(sums.x * scale - row_lse);
                let g = p * (sums.y - d_i) * scale; // dS_ij·scale
                for (var d = 0u; d < LANE_HS4; d++) {
                    dq[d] = fma(vec4<f32>(g), k_tile[jj * MAX_HS4 + d * LANES + lane], dq[d]);
                }
            }
        }
        workgroupBarrier(); // the tiles and parts are rewritten by the next step
    }

    if (!valid) { return; }
    for (var d = 0u; d < LANE_HS4; d++) {
        let d4 = d * LANES + lane;
        for (var k = 0u; k < 4u; k++) { if (4u * d4 + k < hs) { dqkv[qbase + 4u * d4 + k] = dq[d][k]; } }
    }
}
