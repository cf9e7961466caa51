// Self-attention (causal or bidirectional), backward, step 1 of 3. One invocation per (b, h, query position t).
//   delta : (B, NH, T)   delta[b, h, t] = Σ_d dout[b, t, h·HS + d]·out[b, t, h·HS + d]
//   dout  : (B, T, C)    gradient of attention_forward's out
//   out   : (B, T, C)    attention_forward's out
// CPU reference: crates/playground-core/src/cpu/attention.rs (attention_backward)
//
// The softmax backward needs Σ_j att[t, j]·datt[t, j] per query row, with datt[t, j] = dO_t·V_j.
// Since out_t = Σ_j att[t, j]·V_j, that sum equals dO_t·out_t (FlashAttention-2's D): one dot
// product per row instead of a pass over the (T, T) weights, which training never stores.
// attention_backward_query.wgsl and attention_backward_key.wgsl read it.
// Params: include/attention_params.wgsl, prepended by shaders.rs (causal is not used here).

@group(0) @binding(0) var<storage, read_write> delta: array<f32>;
@group(0) @binding(1) var<storage, read> dout: array<f32>;
@group(0) @binding(2) var<storage, read> out: array<f32>;
@group(0) @binding(3) var<uniform> params: Params;

const WORKGROUP_SIZE: u32 = 64u;

@compute @workgroup_size(WORKGROUP_SIZE)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
    let idx = gid.y * nwg.x * WORKGROUP_SIZE + gid.x; // row (b, h, t) of (B, NH, T)
    let t = params.t;
    let nh = params.nh;
    if (idx >= params.b * nh * t) { return; }
    let ti = idx % t;
    let h = (idx / t) % nh;
    let bi = idx / (t * nh);
    let hs = params.c / nh;
    let base = (bi * t + ti) * params.c + h * hs;
    var s = 0.0;
    for (var d = 0u; d < hs; d++) { s = fma(dout[base + d], out[base + d], s); }
    delta[idx] = s;
}
