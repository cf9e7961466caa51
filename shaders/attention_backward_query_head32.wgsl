// Self-attention (causal or bidirectional), backward, step 1 of 2, for heads of at most 32
// channels: gradient of Q. attention_backward_query_tiled.wgsl with the head written out: the
// same work, the same workgroups (one per (b, h, block of 64 query rows), one invocation per
// query row i, which alone writes row i's Q channels of head h).
//   dqkv  : (B, T, C + 2·KVC)   dQ_i = scale·Σ_{j≤i} dS_ij·K_j   (the K and V thirds: attention_backward_key_head32)
//   dout  : (B, T, C)    gradient of attention_forward's out
//   qkv   : (B, T, C + 2·KVC)   Q, K, V side by side
//   lse   : (B, NH, T)   log Σ_{j≤i} exp(s_ij), kept by attention_forward
//   delta : (B, NH, T)   D_i = dO_i·out_i, written here (row_delta) for the dK and dV kernels
//   out   : (B, T, C)    attention_forward's out
// CPU reference: crates/playground-core/src/cpu/attention.rs (attention_backward)
//
// Q_i, dO_i and dQ_i are H4 = 8 vec4 variables each, every loop over the head written out, for
// the reason attention_backward_key_head32.wgsl gives. Channels past the head size are zeros.
// Params, WORKGROUP_SIZE, qkv4, row_block and the K/V tiles (stage_kv) are in include/attention_params.wgsl,
// include/attention_tiled.wgsl and include/attention_kv_tiles.wgsl, prepended by shaders.rs.

@group(0) @binding(0) var<storage, read_write> dqkv: array<f32>;
@group(0) @binding(1) var<storage, read> dout: array<f32>;
@group(0) @binding(2) var<storage, read> qkv: array<f32>;
@group(0) @binding(3) var<storage, read> lse: array<f32>;
@group(0) @binding(4) var<storage, read_write> delta: array<f32>;
@group(0) @binding(5) var<storage, read> out: array<f32>;
@group(0) @binding(6) var<uniform> params: Params;

const H4: u32 = 8u; // the head, in vec4s (≤ 32 channels)

// dqkv[base + 4·d4 .. +4] = v, the channels below hs.
fn store4(base: u32, d4: u32, hs: u32, v: vec4<f32>) {
    for (var x = 0u; x < 4u; x++) { if (4u * d4 + x < hs) { dqkv[base + 4u * d4 + x] = v[x]; } }
}

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
    let scale = 1.0 / sqrt(f32(hs));
    let i = block.first + lid; // this invocation's query row
    let valid = i < t;
    let ic = min(i, t - 1u);
    let causal = params.causal != 0u;
    let seen = select(t, i + 1u, causal); // keys this row sees

    let qbase = q_base(bi * t + ic, h);
    let obase = (bi * t + ic) * c + h * hs;
    let q0 = qkv4(qbase, 0u, hs); let o0 = dout4(obase, 0u, hs); var dq0 = vec4<f32>(0.0);
    let q1 = qkv4(qbase, 1u, hs); let o1 = dout4(obase, 1u, hs); var dq1 = vec4<f32>(0.0);
    let q2 = qkv4(qbase, 2u, hs); let o2 = dout4(obase, 2u, hs); var dq2 = vec4<f32>(0.0);
    let q3 = qkv4(qbase, 3u, hs); let o3 = dout4(obase, 3u, hs); var dq3 = vec4<f32>(0.0);
    let q4 = qkv4(qbase, 4u, hs); let o4 = dout4(obase, 4u, hs); var dq4 = vec4<f32>(0.0);
    let q5 = qkv4(qbase, 5u, hs); let o5 = dout4(obase, 5u, hs); var dq5 = vec4<f32>(0.0);
    let q6 = qkv4(qbase, 6u, hs); let o6 = dout4(obase, 6u, hs); var dq6 = vec4<f32>(0.0);
    let q7 = qkv4(qbase, 7u, hs); let o7 = dout4(obase, 7u, hs); var dq7 = vec4<f32>(0.0);
    let row = (bi * nh + h) * t + ic;
    let row_lse = lse[row];
    let d_i = row_delta(obase, hs);
    if (valid) { delta[row] = d_i; }

    let last = select(t, min(block.first + WORKGROUP_SIZE, t), causal); // keys the block's last row sees
    for (var kv0 = 0u; kv0 < last; kv0 += BKV) {
        stage_kv(lid, bi, kv_head(h), kv0, t, hs, H4); // all 8 vec4s of each key, zeros past hs
        workgroupBarrier();
        if (valid && kv0 < seen) {
            let n_keys = min(BKV, seen - kv0);
            for (var jj = 0u; jj < n_keys; jj++) {
                let e = jj * MAX_HS4;
                let k0 = k_tile[e + 0u];
                let k1 = k_tile[e + 1u];
                let k2 = k_tile[e + 2u];
                let k3 = k_tile[e + 3u];
                let k4 = k_tile[e + 4u];
                let k5 = k_tile[e + 5u];
                let k6 = k_tile[e + 6u];
                let k7 = k_tile[e + 7u];
                let s4 = q0 * k0 + q1 * k1 + q2 * k2 + q3 * k3 + q4 * k4 + q5 * k5 + q6 * k6 + q7 * k7;
                let dp4 = o0 * v_tile[e + 0u] + o1 * v_tile[e + 1u] + o2 * v_tile[e + 2u] + o3 * v_tile[e + 3u] + o4 * v_tile[e + 4u] + o5 * v_tile[e + 5u] + o6 * v_tile[e + 6u] + o7 * v_tile[e + 7u]; // dO_i·V_j
                let p = exp((s4.x + s4.y + s4.z + s4.w) * scale - row_lse);
                let g = p * (dp4.x + dp4.y + dp4.z + dp4.w - d_i) * scale; // dS_ij·scale
                dq0 = fma(vec4<f32>(g), k0, dq0);
                dq1 = fma(vec4<f32>(g), k1, dq1);
                dq2 = fma(vec4<f32>(g), k2, dq2);
                dq3 = fma(vec4<f32>(g), k3, dq3);
                dq4 = fma(vec4<f32>(g), k4, dq4);
                dq5 = fma(vec4<f32>(g), k5, dq5);
                dq6 = fma(vec4<f32>(g), k6, dq6);
                dq7 = fma(vec4<f32>(g), k7, dq7);
            }
        }
        workgroupBarrier();
    }

    if (!valid) { return; }
    store4(qbase, 0u, hs, dq0);
    store4(qbase, 1u, hs, dq1);
    store4(qbase, 2u, hs, dq2);
    store4(qbase, 3u, hs, dq3);
    store4(qbase, 4u, hs, dq4);
    store4(qbase, 5u, hs, dq5);
    store4(qbase, 6u, hs, dq6);
    store4(qbase, 7u, hs, dq7);
}
