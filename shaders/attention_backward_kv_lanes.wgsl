// Self-attention (causal or bidirectional), backward, step 2 of 2, on GPUs: gradients of K and
// V with each key row held by LANES invocations, as attention_forward_lanes.wgsl holds a query
// row. Two builds (shaders.rs): for heads of 65 to 128 channels four lanes and BQ = 4
// (attention_backward_kv_lanes), for heads of 33 to 64 two lanes and BQ = 8
// (attention_backward_kv_lanes64, after the _regs64 forward and dQ). One workgroup per (b,
// key/value head g, block of 64 key rows), 64·LANES invocations; the row's lanes alone write row
// j's K and V channels of head g, summing over every query head that reads it; queries staged
// BQ at a time (include/attention_query_tiles.wgsl).
//   dqkv  : (B, T, C + 2·KVC)   dK_j = scale·Σ_{i≥j} dS_ij·Q_i,  dS_ij = p_ij·(dO_i·V_j − D_i)
//                               dV_j = Σ_{i≥j} p_ij·dO_i
//   dout  : (B, T, C)    gradient of attention_forward's out
//   qkv   : (B, T, C + 2·KVC)   Q, K, V side by side
//   lse   : (B, NH, T)   log Σ_{j≤i} exp(s_ij), kept by attention_forward
//   delta : (B, NH, T)   D_i = dO_i·out_i, from the dQ kernel
// CPU reference: crates/playground-core/src/cpu/attention.rs (attention_backward)
//
// Each lane holds its 8 vec4s of K_j, V_j, dK_j and dV_j (LANE_HS4: 128 floats in registers;
// one invocation would hold 256 for a 64-channel head, 512 for 128, past a GPU's 255). Per
// step each lane stores its parts of q·k and dO·v for the BQ queries in `parts`, a
// barrier, and every lane of the row sums the LANES parts in the same order and adds p·dO to its
// slice of dV and dS·scale·Q to its slice of dK.
// Params, WORKGROUP_SIZE, qkv4, row_block (include/attention_tiled.wgsl), MAX_HS4, BQ = STEP,
// LANES (shaders.rs), q_tile, do_tile, lse_tile, delta_tile, stage_queries
// (include/attention_query_tiles.wgsl) and LANE_HS4, INVOCATIONS, parts, row_sum
// (include/attention_lanes.wgsl) are prepended by shaders.rs.

@group(0) @binding(0) var<storage, read_write> dqkv: array<f32>;
@group(0) @binding(1) var<storage, read> dout: array<f32>;
@group(0) @binding(2) var<storage, read> qkv: array<f32>;
@group(0) @binding(3) var<storage, read> lse: array<f32>;
@group(0) @binding(4) var<storage, read> delta: array<f32>;
@group(0) @binding(5) var<uniform> params: Params;

// dqkv[base + 4·d4 .. +4] = v, the channels below hs.
fn store4(base: u32, d4: u32, hs: u32, v: vec4<f32>) {
    for (var x = 0u; x < 4u; x++) { if (4u * d4 + x < hs) { dqkv[base + 4u * d4 + x] = v[x]; } }
}

@compute @workgroup_size(WORKGROUP_SIZE * LANES)
fn main(
    @builtin(workgroup_id) wid: vec3<u32>,
    @builtin(num_workgroups) nwg: vec3<u32>,
    @builtin(local_invocation_index) lid: u32,
) {
    let t = params.t;
    let hs = params.c / params.nh;
    let block = row_block(wid, nwg, params.n_kv_head);
    if (!block.in_range) { return; } // uniform per workgroup, so the barriers stay valid
    let kvh = block.h; // the key/value head
    let bi = block.bi;
    let scale = 1.0 / sqrt(f32(hs));
    let r = lid / LANES; // this invocation's row in the block
    let lane = lid % LANES;
    let j = block.first + r; // its key row
    let valid = j < t;

    let kbase = k_base(bi * t + min(j, t - 1u), kvh);
    let vbase = v_base(bi * t + min(j, t - 1u), kvh);
    var k: array<vec4<f32>, LANE_HS4>;
    var v: array<vec4<f32>, LANE_HS4>;
    var dk: array<vec4<f32>, LANE_HS4>;
    var dv: array<vec4<f32>, LANE_HS4>;
    for (var d = 0u; d < LANE_HS4; d++) {
        k[d] = qkv4(kbase, d * LANES + lane, hs); // zero past the head size
        v[d] = qkv4(vbase, d * LANES + lane, hs);
        dk[d] = vec4<f32>(0.0);
        dv[d] = vec4<f32>(0.0);
    }

    // every query head h that reads key/value head kvh; causal: queries from the block's first
    // key on, each row using those at or after its key; bidirectional: every query
    let causal = params.causal != 0u;
    for (var h = kvh * group(); h < (kvh + 1u) * group(); h++) {
        for (var q0 = select(0u, block.first, causal); q0 < t; q0 += BQ) {
            if (lid < WORKGROUP_SIZE) { stage_queries(lid, bi, h, q0, t, hs, MAX_HS4); }
            workgroupBarrier();
            let sees_step = valid && (!causal || q0 + BQ > j); // some query of this step sees key j
            if (sees_step) {
                for (var qi = 0u; qi < BQ; qi++) {
                    var s4 = vec4<f32>(0.0);
                    var dp4 = vec4<f32>(0.0); // dO_i·V_j
                    for (var d = 0u; d < LANE_HS4; d++) {
                        s4 = fma(q_tile[qi * MAX_HS4 + d * LANES + lane], k[d], s4);
                        dp4 = fma(do_tile[qi * MAX_HS4 + d * LANES + lane], v[d], dp4);
                    }
                    parts[qi * INVOCATIONS + lid] = vec2<f32>(s4.x + s4.y + s4.z + s4.w, dp4.x + dp4.y + dp4.z + dp4.w);
                }
            }
            workgroupBarrier();
            if (sees_step) {
                let n_q = min(BQ, t - q0);
                for (var qi = select(0u, j - q0, causal && j > q0); qi < n_q; qi++) { // causal: i = q0 + qi ≥ j
                    let sums = row_sum(qi, r);
                    let p = exp(sums.x * scale - lse_tile[qi]);
                    let ds = p * (sums.y - delta_tile[qi]) * scale; // dS_ij·scale
                    for (var d = 0u; d < LANE_HS4; d++) {
                        let o = qi * MAX_HS4 + d * LANES + lane;
                        dv[d] = fma(vec4<f32>(p), do_tile[o], dv[d]);
                        dk[d] = fma(vec4<f32>(ds), q_tile[o], dk[d]);
                    }
                }
            }
            workgroupBarrier(); // the tiles and parts are rewritten by the next step
        }
    }

    if (!valid) { return; }
    for (var d = 0u; d < LANE_HS4; d++) {
        store4(kbase, d * LANES + lane, hs, dk[d]);
        store4(vbase, d * LANES + lane, hs, dv[d]);
    }
}
