// Self-attention (causal or bidirectional), backward, for training on GPUs, the head in
// registers: gradient of K, or of V (WRITES_V, prepended by shaders.rs: two kernels of this
// file). One workgroup per (b, key/value head g, block of 64 key rows), one invocation per key
// row j, which alone writes row j's K (or V) channels of head g, summing over every query head
// that reads it; queries staged BQ at a time (include/attention_query_tiles.wgsl). K_j, V_j and
// the gradient are private arrays of MAX_HS4 vec4s, every loop over the head running to that
// constant, for the reason attention_forward_tiled.wgsl gives for its _regs build. K, V, dK and
// dV of a 64-channel head in one kernel would be 256 registers an invocation, more than a GPU
// gives one: apart, dV holds K_j and dV_j, dK K_j, V_j and dK_j, and each recomputes p.
//   dqkv  : (B, T, C + 2·KVC)   dK_j += scale·Σ_{i≥j} dS_ij·Q_i,  dS_ij = p_ij·(dO_i·V_j − D_i)
//                               dV_j += Σ_{i≥j} p_ij·dO_i
//   dout  : (B, T, C)    gradient of attention_forward's out
//   qkv   : (B, T, C + 2·KVC)   Q, K, V side by side
//   lse   : (B, NH, T)   log Σ_{j≤i} exp(s_ij), kept by attention_forward
//   delta : (B, NH, T)   D_i = dO_i·out_i, from the dQ kernel (include/attention_delta.wgsl)
// CPU reference: crates/playground-core/src/cpu/attention.rs (attention_backward)
//
// Channels past the head size are zeros. Params, WORKGROUP_SIZE, qkv4 and row_block are in
// include/attention_params.wgsl and include/attention_tiled.wgsl, prepended by shaders.rs.

@group(0) @binding(0) var<storage, read_write> dqkv: array<f32>;
@group(0) @binding(1) var<storage, read> dout: array<f32>;
@group(0) @binding(2) var<storage, read> qkv: array<f32>;
@group(0) @binding(3) var<storage, read> lse: array<f32>;
@group(0) @binding(4) var<storage, read> delta: array<f32>;
@group(0) @binding(5) var<uniform> params: Params;

// dqkv[base + 4·d4 .. +4] += v, the channels below hs.
fn add4(base: u32, d4: u32, hs: u32, v: vec4<f32>) {
    for (var x = 0u; x < 4u; x++) { if (4u * d4 + x < hs) { dqkv[base + 4u * d4 + x] += v[x]; } }
}

@compute @workgroup_size(WORKGROUP_SIZE)
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
    let j = block.first + lid; // this invocation's key row
    let valid = j < t;

    let kbase = k_base(bi * t + min(j, t - 1u), kvh);
    let vbase = v_base(bi * t + min(j, t - 1u), kvh);
    var k: array<vec4<f32>, MAX_HS4>;
    var v: array<vec4<f32>, MAX_HS4>; // V_j, for dK only
    var grad: array<vec4<f32>, MAX_HS4>; // dK_j or dV_j
    for (var d = 0u; d < MAX_HS4; d++) {
        k[d] = qkv4(kbase, d, hs);
        if (!WRITES_V) { v[d] = qkv4(vbase, d, hs); }
        grad[d] = vec4<f32>(0.0);
    }

    // every query head h that reads key/value head kvh; causal: queries from the block's first
    // key on, each invocation using those at or after its key; bidirectional: every query
    let causal = params.causal != 0u;
    for (var h = kvh * group(); h < (kvh + 1u) * group(); h++) {
        for (var q0 = select(0u, block.first, causal); q0 < t; q0 += BQ) {
            stage_queries(lid, bi, h, q0, t, hs, MAX_HS4);
            workgroupBarrier();
            if (valid) {
                let n_q = min(BQ, t - q0);
                for (var qi = select(0u, j - q0, causal && j > q0); qi < n_q; qi++) { // causal: i = q0 + qi ≥ j
                    let o = qi * MAX_HS4;
                    var s4 = vec4<f32>(0.0);
                    for (var d = 0u; d < MAX_HS4; d++) { s4 = fma(q_tile[o + d], k[d], s4); }
                    let p = exp((s4.x + s4.y + s4.z + s4.w) * scale - lse_tile[qi]);
                    if (WRITES_V) {
                        for (var d = 0u; d < MAX_HS4; d++) { grad[d] = fma(vec4<f32>(p), do_tile[o + d], grad[d]); }
                    } else {
                        var dp4 = vec4<f32>(0.0); // dO_i·V_j
                        for (var d = 0u; d < MAX_HS4; d++) { dp4 = fma(do_tile[o + d], v[d], dp4); }
                        let ds = p * (dp4.x + dp4.y + dp4.z + dp4.w - delta_tile[qi]) * scale; // dS_ij·scale
                        for (var d = 0u; d < MAX_HS4; d++) { grad[d] = fma(vec4<f32>(ds), q_tile[o + d], grad[d]); }
                    }
                }
            }
            workgroupBarrier();
        }
    }

    if (!valid) { return; }
    let base = select(kbase, vbase, WRITES_V);
    for (var d = 0u; d < MAX_HS4; d++) { add4(base, d, hs, grad[d]); }
}
