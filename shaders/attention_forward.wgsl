// Multi-head self-attention, causal or bidirectional, forward. One invocation per (b, h, query position t);
// head h reads key/value head g = h / (NH/NKV).
//   out    : (B, T, C)      head h writes channels [h·HS, (h+1)·HS)
//   lse    : (B, NH, T)     log Σ_{seen j} exp(score[t, j]), kept for the backward pass
//   preatt : (B, NH, T, T)  scores Q·Kᵀ/√HS for all j, written only when keep_weights = 1
//   att    : (B, NH, T, T)  softmax weights, 0 for unseen j, written only when keep_weights = 1
//   qkv    : (B, T, C + 2·KVC)   Q (NH heads), K and V (NKV heads) side by side
// CPU reference: crates/playground-core/src/cpu/attention.rs (attention_forward)
//
// Pass 1 finds the row's max and normalizer online (no (T, T) scratch); pass 2 accumulates
// out = Σ_j softmax_j · V[j]. A causal row sees keys j ≤ t, a bidirectional one all T;
// masked positions (j > t) are skipped, not given −∞.
// Params: include/attention_params.wgsl, prepended by shaders.rs.

@group(0) @binding(0) var<storage, read_write> out: array<f32>;
@group(0) @binding(1) var<storage, read_write> lse: array<f32>;
@group(0) @binding(2) var<storage, read_write> preatt: array<f32>;
@group(0) @binding(3) var<storage, read_write> att: array<f32>;
@group(0) @binding(4) var<storage, read> qkv: array<f32>;
@group(0) @binding(5) var<uniform> params: Params;

const WORKGROUP_SIZE: u32 = 64u;
const MOST_NEGATIVE: f32 = -0x1.fffffep+127f; // the most negative finite f32; WGSL has no infinity literal

fn score(qbase: u32, kbase: u32, hs: u32, scale: f32) -> f32 {
    var s = 0.0;
    for (var d = 0u; d < hs; d++) { s = fma(qkv[qbase + d], qkv[kbase + d], s); }
    return s * scale;
}

@compute @workgroup_size(WORKGROUP_SIZE)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
    let idx = gid.y * nwg.x * WORKGROUP_SIZE + gid.x;
    let t = params.t;
    let c = params.c;
    let nh = params.nh;
    if (idx >= params.b * nh * t) { return; }
    let ti = idx % t;
    let h = (idx / t) % nh;
    let bi = idx / (t * nh);
    let hs = c / nh;
    let scale = 1.0 / sqrt(f32(hs));
    let g = kv_head(h);
    let qbase = q_base(bi * t + ti, h);
    let seen = select(t, ti + 1u, params.causal != 0u); // keys this row sees

    // pass 1: running max m and normalizer l = Σ exp(s - m)
    var m = MOST_NEGATIVE;
    var l = 0.0;
    for (var j = 0u; j < seen; j++) {
        let s = score(qbase, k_base(bi * t + j, g), hs, scale);
        if (s > m) {
            l = l * exp(m - s) + 1.0;
            m = s;
        } else {
            l += exp(s - m);
        }
    }
    let row_lse = m + log(l);
    lse[idx] = row_lse;

    // pass 2: out = Σ_j exp(s_j − lse) · V[j]
    let obase = (bi * t + ti) * c + h * hs;
    for (var d = 0u; d < hs; d++) { out[obase + d] = 0.0; }
    let wbase = idx * t; // row (b, h, ti) of the (T, T) matrices
    for (var j = 0u; j < seen; j++) {
        let s = score(qbase, k_base(bi * t + j, g), hs, scale);
        let p = exp(s - row_lse);
        let vbase = v_base(bi * t + j, g);
        for (var d = 0u; d < hs; d++) { out[obase + d] = fma(p, qkv[vbase + d], out[obase + d]); }
        if (params.keep_weights != 0u) {
            preatt[wbase + j] = s;
            att[wbase + j] = p;
        }
    }
    if (params.keep_weights != 0u) {
        // the masked half: scores are still shown, weights are exactly 0
        for (var j = seen; j < t; j++) {
            preatt[wbase + j] = score(qbase, k_base(bi * t + j, g), hs, scale);
            att[wbase + j] = 0.0;
        }
    }
}
