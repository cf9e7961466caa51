// Self-attention (causal or bidirectional), backward, step 2 of 2, tiled: gradients of K and V for head sizes up
// to 64. One workgroup per (b, key/value head g, block of 64 key rows), one invocation per key
// row j; it alone writes row j's K and V channels of head g, summing over the query heads that
// read it.
//   dqkv  : (B, T, C + 2·KVC)   dK_j = scale·Σ_{i≥j} dS_ij·Q_i,  dV_j = Σ_{i≥j} p_ij·dO_i   (the Q third: attention_backward_query_tiled)
//   dout  : (B, T, C)    gradient of attention_forward's out
//   qkv   : (B, T, C + 2·KVC)   Q, K, V side by side
//   lse   : (B, NH, T)   log Σ_{j≤i} exp(s_ij), kept by attention_forward
//   delta : (B, NH, T)   D_i = dO_i·out_i, from the dQ kernel (include/attention_delta.wgsl)
// CPU reference: crates/playground-core/src/cpu/attention.rs (attention_backward)
//
// The arithmetic of attention_backward_key.wgsl (which serves larger heads): p_ij =
// exp(s_ij − lse_i) is recomputed and dS_ij = p_ij·(dO_i·V_j − D_i), summed over the queries
// i ≥ j that see key j. K_j, V_j and the two sums stay in up to 16 vec4 registers each; the
// workgroup stages BQ queries of Q and dO at a time (with their lse and D) in workgroup memory.
// Params, WORKGROUP_SIZE (64 key rows), MAX_HS4, qkv4 and row_block are in include/attention_tiled.wgsl,
// BQ, the query tiles and stage_queries in include/attention_query_tiles.wgsl, prepended by shaders.rs.

@group(0) @binding(0) var<storage, read_write> dqkv: array<f32>;
@group(0) @binding(1) var<storage, read> dout: array<f32>;
@group(0) @binding(2) var<storage, read> qkv: array<f32>;
@group(0) @binding(3) var<storage, read> lse: array<f32>;
@group(0) @binding(4) var<storage, read> delta: array<f32>;
@group(0) @binding(5) var<uniform> params: Params;

@compute @workgroup_size(WORKGROUP_SIZE)
fn main(
    @builtin(workgroup_id) wid: vec3<u32>,
    @builtin(num_workgroups) nwg: vec3<u32>,
    @builtin(local_invocation_index) lid: u32,
) {
    let t = params.t;
    let c = params.c;
    let nh = params.nh;
    let block = row_block(wid, nwg, params.n_kv_head);
    if (!block.in_range) { return; } // uniform per workgroup, so the barriers stay valid
    let kvh = block.h; // the key/value head
    let bi = block.bi;
    let hs = c / nh;
    let hs4 = head_vec4s(hs); // the loops' bound: the head size, or MAX_HS4 (_regs builds)
    let scale = 1.0 / sqrt(f32(hs));
    let j = block.first + lid; // this invocation's key row
    let valid = j < t;

    var k: array<vec4<f32>, MAX_HS4>;
    var v: array<vec4<f32>, MAX_HS4>;
    var dk: array<vec4<f32>, MAX_HS4>;
    var dv: array<vec4<f32>, MAX_HS4>;
    let kbase = k_base(bi * t + min(j, t - 1u), kvh);
    let vbase = v_base(bi * t + min(j, t - 1u), kvh);
    for (var d4 = 0u; d4 < hs4; d4++) {
        k[d4] = qkv4(kbase, d4, hs);
        v[d4] = qkv4(vbase, d4, hs);
        dk[d4] = vec4<f32>(0.0);
        dv[d4] = vec4<f32>(0.0);
    }

    // every query head h that reads key/value head kvh; causal: queries from the block's first
    // key on, each invocation using those at or after its key; bidirectional: every query
    let causal = params.causal != 0u;
    for (var h = kvh * group(); h < (kvh + 1u) * group(); h++) {
        for (var q0 = select(0u, block.first, causal); q0 < t; q0 += BQ) {
            stage_queries(lid, bi, h, q0, t, hs, hs4);
            workgroupBarrier();
            if (valid) {
                let n_q = min(BQ, t - q0);
                for (var qi = select(0u, j - q0, causal && j > q0); qi < n_q; qi++) { // causal: i = q0 + qi ≥ j
                    var s4 = vec4<f32>(0.0);
                    var dp4 = vec4<f32>(0.0); // dO_i·V_j
                    for (var d4 = 0u; d4 < hs4; d4++) {
                        s4 = fma(q_tile[qi * MAX_HS4 + d4], k[d4], s4);
                        dp4 = fma(do_tile[qi * MAX_HS4 + d4], v[d4], dp4);
                    }
                    let p = exp((s4.x + s4.y + s4.z + s4.w) * scale - lse_tile[qi]);
                    let g = p * (dp4.x + dp4.y + dp4.z + dp4.w - delta_tile[qi]) * scale; // dS_ij·scale
                    for (var d4 = 0u; d4 < hs4; d4++) {
                        dv[d4] = fma(vec4<f32>(p), do_tile[qi * MAX_HS4 + d4], dv[d4]);
                        dk[d4] = fma(vec4<f32>(g), q_tile[qi * MAX_HS4 + d4], dk[d4]);
                    }
                }
            }
            workgroupBarrier();
        }
    }

    if (!valid) { return; }
    for (var d4 = 0u; d4 < hs4; d4++) {
        for (var x = 0u; x < 4u; x++) {
            if (4u * d4 + x < hs) {
                dqkv[kbase + 4u * d4 + x] = dk[d4][x];
                dqkv[vbase + 4u * d4 + x] = dv[d4][x];
            }
        }
    }
}
