// Self-attention (causal or bidirectional), backward, step 1 of 2: gradient of Q (and D_i). One invocation per
// (b, h, query position i); it alone writes row i's Q channels of head h, storing over what
// was there (it clears them first, then adds each key's term in place).
//   dqkv  : (B, T, C + 2·KVC)   dQ_i = scale·Σ_{j≤i} dS_ij·K_j   (the Q third; K and V: attention_backward_key)
//   dout  : (B, T, C)    gradient of attention_forward's out
//   qkv   : (B, T, C + 2·KVC)   Q, K, V side by side
//   lse   : (B, NH, T)   log Σ_{j≤i} exp(s_ij), kept by attention_forward
//   delta : (B, NH, T)   D_i = dO_i·out_i, written here (row_delta) for the dK and dV kernels
//   out   : (B, T, C)    attention_forward's out
// CPU reference: crates/playground-core/src/cpu/attention.rs (attention_backward)
//
// forward was: s_ij = Q_i·K_j·scale; p_ij = softmax_j(s_ij) over j ≤ i; out_i = Σ_j p_ij·V_j.
// No (T, T) weights are kept in training: p_ij = exp(s_ij − lse_i) is recomputed, then
//   dS_ij = p_ij·(dO_i·V_j − D_i)     (softmax backward, with Σ_j p_ij·dO_i·V_j = D_i)
// Masked positions (j > i when causal) are skipped: their p is exactly 0.
// Params: include/attention_params.wgsl, prepended by shaders.rs.

@group(0) @binding(0) var<storage, read_write> dqkv: array<f32>;
@group(0) @binding(1) var<storage, read> dout: array<f32>;
@group(0) @binding(2) var<storage, read> qkv: array<f32>;
@group(0) @binding(3) var<storage, read> lse: array<f32>;
@group(0) @binding(4) var<storage, read_write> delta: array<f32>;
@group(0) @binding(5) var<storage, read> out: array<f32>;
@group(0) @binding(6) var<uniform> params: Params;

const WORKGROUP_SIZE: u32 = 64u;

fn dot_qkv(abase: u32, bbase: u32, hs: u32) -> f32 {
    var s = 0.0;
    for (var d = 0u; d < hs; d++) { s = fma(qkv[abase + d], qkv[bbase + d], s); }
    return s;
}

@compute @workgroup_size(WORKGROUP_SIZE)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
    let idx = gid.y * nwg.x * WORKGROUP_SIZE + gid.x; // row (b, h, i) of (B, NH, T)
    let t = params.t;
    let c = params.c;
    let nh = params.nh;
    if (idx >= params.b * nh * t) { return; }
    let i = idx % t;
    let h = (idx / t) % nh;
    let bi = idx / (t * nh);
    let hs = c / nh;
    let scale = 1.0 / sqrt(f32(hs));
    let qbase = q_base(bi * t + i, h);
    let obase = (bi * t + i) * c + h * hs;
    let row_lse = lse[idx];
    let d_i = row_delta(obase, hs);
    delta[idx] = d_i;
    for (var d = 0u; d < hs; d++) { dqkv[qbase + d] = 0.0; }

    let seen = select(t, i + 1u, params.causal != 0u); // keys this row sees
    for (var j = 0u; j < seen; j++) {
        let kbase = k_base(bi * t + j, kv_head(h));
        let vbase = v_base(bi * t + j, kv_head(h));
        let p = exp(dot_qkv(qbase, kbase, hs) * scale - row_lse);
        var dp = 0.0; // dO_i·V_j
        for (var d = 0u; d < hs; d++) { dp = fma(dout[obase + d], qkv[vbase + d], dp); }
        let g = p * (dp - d_i) * scale; // dS_ij·scale
        for (var d = 0u; d < hs; d++) { dqkv[qbase + d] = fma(g, qkv[kbase + d], dqkv[qbase + d]); }
    }
}
