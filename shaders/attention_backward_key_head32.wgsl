// Self-attention (causal or bidirectional), backward, step 2 of 2, for heads of at most 32
// channels: gradients of K and V. attention_backward_key_tiled.wgsl with the head written out:
// the same work, the same workgroups (one per (b, key/value head g, block of 64 key rows), one
// invocation per key row j, which alone writes row j's K and V channels of head g, summing
// over every query head that reads it).
//   dqkv  : (B, T, C + 2·KVC)   dK_j = scale·Σ_{i≥j} dS_ij·Q_i,  dV_j = Σ_{i≥j} p_ij·dO_i   (the Q third: attention_backward_query_head32)
//   dout  : (B, T, C)    gradient of attention_forward's out
//   qkv   : (B, T, C + 2·KVC)   Q, K, V side by side
//   lse   : (B, NH, T)   log Σ_{j≤i} exp(s_ij), kept by attention_forward
//   delta : (B, NH, T)   D_i = dO_i·out_i, from the dQ kernel (include/attention_delta.wgsl)
// CPU reference: crates/playground-core/src/cpu/attention.rs (attention_backward)
//
// K_j, V_j, dK_j and dV_j are H4 = 8 vec4 variables each (k0..k7, ...), every loop over the
// head written out: on a CPU-emulated GPU (SwiftShader, lavapipe) a private array indexed by a
// loop counter is read and written lane by lane, and this kernel ran 2.6× faster than the
// tiled one in Chromium's SwiftShader at head size 32 (docs/PERFORMANCE.md). Channels past the
// head size are zeros (qkv4 and dout4 read none), so smaller heads run it too.
// Params, WORKGROUP_SIZE (64 key rows), qkv4 and row_block are in include/attention_params.wgsl and
// include/attention_tiled.wgsl, prepended by shaders.rs.

@group(0) @binding(0) var<storage, read_write> dqkv: array<f32>;
@group(0) @binding(1) var<storage, read> dout: array<f32>;
@group(0) @binding(2) var<storage, read> qkv: array<f32>;
@group(0) @binding(3) var<storage, read> lse: array<f32>;
@group(0) @binding(4) var<storage, read> delta: array<f32>;
@group(0) @binding(5) var<uniform> params: Params;

// BQ, the queries staged per step (16), is prepended by shaders.rs with the tiled kernels' sizes.
const H4: u32 = 8u;  // the head, in vec4s (≤ 32 channels)

var<workgroup> q_tile: array<vec4<f32>, BQ * H4>;  // [query][d4]
var<workgroup> do_tile: array<vec4<f32>, BQ * H4>; // [query][d4]: dO
var<workgroup> lse_tile: array<f32, BQ>;
var<workgroup> delta_tile: array<f32, BQ>;

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
    let block = row_block(wid, nwg, params.n_kv_head);
    if (!block.in_range) { return; } // uniform per workgroup, so the barriers stay valid
    let kvh = block.h; // the key/value head
    let bi = block.bi;
    let hs = c / nh;
    let scale = 1.0 / sqrt(f32(hs));
    let j = block.first + lid; // this invocation's key row
    let valid = j < t;

    let kbase = k_base(bi * t + min(j, t - 1u), kvh);
    let vbase = v_base(bi * t + min(j, t - 1u), kvh);
    let k0 = qkv4(kbase, 0u, hs); let v0 = qkv4(vbase, 0u, hs);
    let k1 = qkv4(kbase, 1u, hs); let v1 = qkv4(vbase, 1u, hs);
    let k2 = qkv4(kbase, 2u, hs); let v2 = qkv4(vbase, 2u, hs);
    let k3 = qkv4(kbase, 3u, hs); let v3 = qkv4(vbase, 3u, hs);
    let k4 = qkv4(kbase, 4u, hs); let v4 = qkv4(vbase, 4u, hs);
    let k5 = qkv4(kbase, 5u, hs); let v5 = qkv4(vbase, 5u, hs);
    let k6 = qkv4(kbase, 6u, hs); let v6 = qkv4(vbase, 6u, hs);
    let k7 = qkv4(kbase, 7u, hs); let v7 = qkv4(vbase, 7u, hs);
    var dk0 = vec4<f32>(0.0); var dv0 = vec4<f32>(0.0);
    var dk1 = vec4<f32>(0.0); var dv1 = vec4<f32>(0.0);
    var dk2 = vec4<f32>(0.0); var dv2 = vec4<f32>(0.0);
    var dk3 = vec4<f32>(0.0); var dv3 = vec4<f32>(0.0);
    var dk4 = vec4<f32>(0.0); var dv4 = vec4<f32>(0.0);
    var dk5 = vec4<f32>(0.0); var dv5 = vec4<f32>(0.0);
    var dk6 = vec4<f32>(0.0); var dv6 = vec4<f32>(0.0);
    var dk7 = vec4<f32>(0.0); var dv7 = vec4<f32>(0.0);

    // every query head h that reads key/value head kvh; causal: queries from the block's first
    // key on, each invocation using those at or after its key; bidirectional: every query
    let causal = params.causal != 0u;
    for (var h = kvh * group(); h < (kvh + 1u) * group(); h++) {
        let row0 = (bi * nh + h) * t; // row (b, h, 0) of lse and delta
        for (var q0 = select(0u, block.first, causal); q0 < t; q0 += BQ) {
            for (var e = lid; e < BQ * H4; e += WORKGROUP_SIZE) {
                let qi = e / H4;
                let d4 = e % H4;
                let i = min(q0 + qi, t - 1u);
                q_tile[e] = qkv4(q_base(bi * t + i, h), d4, hs);
                do_tile[e] = dout4((bi * t + i) * c + h * hs, d4, hs);
            }
            if (lid < BQ) {
                let i = min(q0 + lid, t - 1u);
                lse_tile[lid] = lse[row0 + i];
                delta_tile[lid] = delta[row0 + i];
            }
            workgroupBarrier();
            if (valid) {
                let n_q = min(BQ, t - q0);
                for (var qi = select(0u, j - q0, causal && j > q0); qi < n_q; qi++) { // causal: i = q0 + qi ≥ j
                    let o = qi * H4;
                    let q0 = q_tile[o + 0u]; let g0 = do_tile[o + 0u];
                    let q1 = q_tile[o + 1u]; let g1 = do_tile[o + 1u];
                    let q2 = q_tile[o + 2u]; let g2 = do_tile[o + 2u];
                    let q3 = q_tile[o + 3u]; let g3 = do_tile[o + 3u];
                    let q4 = q_tile[o + 4u]; let g4 = do_tile[o + 4u];
                    let q5 = q_tile[o + 5u]; let g5 = do_tile[o + 5u];
                    let q6 = q_tile[o + 6u]; let g6 = do_tile[o + 6u];
                    let q7 = q_tile[o + 7u]; let g7 = do_tile[o + 7u];
                    let s4 = q0 * k0 + q1 * k1 + q2 * k2 + q3 * k3 + q4 * k4 + q5 * k5 + q6 * k6 + q7 * k7;
                    let dp4 = g0 * v0 + g1 * v1 + g2 * v2 + g3 * v3 + g4 * v4 + g5 * v5 + g6 * v6 + g7 * v7; // dO_i·V_j
                    let p = exp((s4.x + s4.y + s4.z + s4.w) * scale - lse_tile[qi]);
                    let g = p * (dp4.x + dp4.y + dp4.z + dp4.w - delta_tile[qi]) * scale; // dS_ij·scale
                    dv0 = fma(vec4<f32>(p), g0, dv0); dk0 = fma(vec4<f32>(g), q0, dk0);
                    dv1 = fma(vec4<f32>(p), g1, dv1); dk1 = fma(vec4<f32>(g), q1, dk1);
                    dv2 = fma(vec4<f32>(p), g2, dv2); dk2 = fma(vec4<f32>(g), q2, dk2);
                    dv3 = fma(vec4<f32>(p), g3, dv3); dk3 = fma(vec4<f32>(g), q3, dk3);
                    dv4 = fma(vec4<f32>(p), g4, dv4); dk4 = fma(vec4<f32>(g), q4, dk4);
                    dv5 = fma(vec4<f32>(p), g5, dv5); dk5 = fma(vec4<f32>(g), q5, dk5);
                    dv6 = fma(vec4<f32>(p), g6, dv6); dk6 = fma(vec4<f32>(g), q6, dk6);
                    dv7 = fma(vec4<f32>(p), g7, dv7); dk7 = fma(vec4<f32>(g), q7, dk7);
                }
            }
            workgroupBarrier();
        }
    }

    if (!valid) { return; }
    store4(kbase, 0u, hs, dk0); store4(vbase, 0u, hs, dv0);
    store4(kbase, 1u, hs, dk1); store4(vbase, 1u, hs, dv1);
    store4(kbase, 2u, hs, dk2); store4(vbase, 2u, hs, dv2);
    store4(kbase, 3u, hs, dk3); store4(vbase, 3u, hs, dv3);
    store4(kbase, 4u, hs, dk4); store4(vbase, 4u, hs, dv4);
    store4(kbase, 5u, hs, dk5); store4(vbase, 5u, hs, dv5);
    store4(kbase, 6u, hs, dk6); store4(vbase, 6u, hs, dv6);
    store4(kbase, 7u, hs, dk7); store4(vbase, 7u, hs, dv7);
}
