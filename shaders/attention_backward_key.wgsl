// Self-attention (causal or bidirectional), backward, step 2 of 2: gradients of K and V. One invocation per
// (b, key/value head g, key position j); it alone writes row j's K and V channels of head g,
// summing over the query heads that read it, storing over what was there (it clears them
// first, then adds each query's terms in place).
//   dqkv  : (B, T, C + 2·KVC)   dK_j = scale·Σ_{i≥j} dS_ij·Q_i,  dV_j = Σ_{i≥j} p_ij·dO_i   (the Q third: attention_backward_query)
//   dout  : (B, T, C)    gradient of attention_forward's out
//   qkv   : (B, T, C + 2·KVC)   Q, K, V side by side
//   lse   : (B, NH, T)   log Σ_{j≤i} exp(s_ij), kept by attention_forward
//   delta : (B, NH, T)   D_i = dO_i·out_i, from the dQ kernel (include/attention_delta.wgsl)
// CPU reference: crates/playground-core/src/cpu/attention.rs (attention_backward)
//
// forward was: s_ij = Q_i·K_j·scale; p_ij = softmax_j(s_ij) over j ≤ i; out_i = Σ_j p_ij·V_j.
// p_ij = exp(s_ij − lse_i) is recomputed and dS_ij = p_ij·(dO_i·V_j − D_i), as in the query
// kernel; here the sums run over the queries i ≥ j that can see key j.
// Params: include/attention_params.wgsl, prepended by shaders.rs.

@group(0) @binding(0) var<storage, read_write> dqkv: array<f32>;
@group(0) @binding(1) var<storage, read> dout: array<f32>;
@group(0) @binding(2) var<storage, read> qkv: array<f32>;
@group(0) @binding(3) var<storage, read> lse: array<f32>;
@group(0) @binding(4) var<storage, read> delta: array<f32>;
@group(0) @binding(5) var<uniform> params: Params;

const WORKGROUP_SIZE: u32 = 64u;

fn dot_qkv(abase: u32, bbase: u32, hs: u32) -> f32 {
    var s = 0.0;
    for (var d = 0u; d < hs; d++) { s = fma(qkv[abase + d], qkv[bbase + d], s); }
    return s;
}

@compute @workgroup_size(WORKGROUP_SIZE)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
    let idx = gid.y * nwg.x * WORKGROUP_SIZE + gid.x; // row (b, g, j) of (B, NKV, T)
    let t = params.t;
    let c = params.c;
    let nh = params.nh;
    let nkv = params.n_kv_head;
    if (idx >= params.b * nkv * t) { return; }
    let j = idx % t;
    let kvh = (idx / t) % nkv;
    let bi = idx / (t * nkv);
    let hs = c / nh;
    let scale = 1.0 / sqrt(f32(hs));
    let kbase = k_base(bi * t + j, kvh);
    let vbase = v_base(bi * t + j, kvh);
    for (var d = 0u; d < hs; d++) {
        dqkv[kbase + d] = 0.0;
        dqkv[vbase + d] = 0.0;
    }

    // every query head h that reads key/value head kvh, and the queries that see key j: i ≥ j
    // when causal, all of them otherwise
    for (var h = kvh * group(); h < (kvh + 1u) * group(); h++) {
        let row0 = (bi * nh + h) * t; // row (b, h, 0) of lse and delta
        for (var i = select(0u, j, params.causal != 0u); i < t; i++) {
            let qbase = q_base(bi * t + i, h);
            let obase = (bi * t + i) * c + h * hs;
            let p = exp(dot_qkv(qbase, kbase, hs) * scale - lse[row0 + i]);
            var dp = 0.0; // dO_i·V_j
            for (var d = 0u; d < hs; d++) {
                let dout_d = dout[obase + d];
                dp = fma(dout_d, qkv[vbase + d], dp);
                dqkv[vbase + d] = fma(p, dout_d, dqkv[vbase + d]);
            }
            let g = p * (dp - delta[row0 + i]) * scale; // dS_ij·scale
            for (var d = 0u; d < hs; d++) { dqkv[kbase + d] = fma(g, qkv[qbase + d], dqkv[kbase + d]); }
        }
    }
}
