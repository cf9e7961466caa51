// Multi-head self-attention, causal or bidirectional, forward, for training, for heads of at most
// 32 channels: attention_forward_tiled.wgsl with the head written out. The same work and the
// same workgroups (one per (b, h, block of 64 query rows), one invocation per query row), the
// same online softmax over tiles of BKV keys staged in workgroup memory.
//   out : (B, T, C)    head h writes channels [h·HS, (h+1)·HS)
//   lse : (B, NH, T)   log Σ_{seen j} exp(score[t, j]), kept for the backward pass
//   qkv : (B, T, C + 2·KVC)   Q, K, V side by side
// CPU reference: crates/playground-core/src/cpu/attention.rs (attention_forward, out and lse)
//
// Q_i and the running output o are H4 = 8 vec4 variables each (q0..q7, o0..o7), every loop
// over the head written out, for the reason attention_backward_key_head32.wgsl gives: a CPU-
// emulated GPU reads and writes a private array indexed by a loop counter lane by lane.
// Channels past the head size are zeros (qkv4 and stage_kv read none), so smaller heads run it
// too. Params, WORKGROUP_SIZE, qkv4, row_block and the K/V tiles (stage_kv) are in
// include/attention_params.wgsl, include/attention_tiled.wgsl and
// include/attention_kv_tiles.wgsl, prepended by shaders.rs.

@group(0) @binding(0) var<storage, read_write> out: array<f32>;
@group(0) @binding(1) var<storage, read_write> lse: array<f32>;
@group(0) @binding(2) var<storage, read> qkv: array<f32>;
@group(0) @binding(3) var<uniform> params: Params;

const H4: u32 = 8u; // the head, in vec4s (≤ 32 channels)
const MOST_NEGATIVE: f32 = -0x1.fffffep+127f; // the most negative finite f32; WGSL has no infinity literal

// out[base + 4·d4 .. +4] = v, the channels below hs.
fn store4(base: u32, d4: u32, hs: u32, v: vec4<f32>) {
    for (var x = 0u; x < 4u; x++) { if (4u * d4 + x < hs) { out[base + 4u * d4 + x] = v[x]; } }
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
    let causal = params.causal != 0u;
    let seen = select(t, i + 1u, causal); // keys this row sees

    // Q_i pre-multiplied by 1/√HS, as the tiled kernel does
    let qbase = q_base(bi * t + min(i, t - 1u), h);
    let q0 = qkv4(qbase, 0u, hs) * scale; var o0 = vec4<f32>(0.0);
    let q1 = qkv4(qbase, 1u, hs) * scale; var o1 = vec4<f32>(0.0);
    let q2 = qkv4(qbase, 2u, hs) * scale; var o2 = vec4<f32>(0.0);
    let q3 = qkv4(qbase, 3u, hs) * scale; var o3 = vec4<f32>(0.0);
    let q4 = qkv4(qbase, 4u, hs) * scale; var o4 = vec4<f32>(0.0);
    let q5 = qkv4(qbase, 5u, hs) * scale; var o5 = vec4<f32>(0.0);
    let q6 = qkv4(qbase, 6u, hs) * scale; var o6 = vec4<f32>(0.0);
    let q7 = qkv4(qbase, 7u, hs) * scale; var o7 = vec4<f32>(0.0);
    var m = MOST_NEGATIVE;
    var l = 0.0;

    let last = select(t, min(block.first + WORKGROUP_SIZE, t), causal); // keys the block's last row sees
    for (var kv0 = 0u; kv0 < last; kv0 += BKV) {
        stage_kv(lid, bi, kv_head(h), kv0, t, hs, H4); // all 8 vec4s of each key, zeros past hs
        workgroupBarrier();
        if (valid && kv0 < seen) {
            let n_keys = min(BKV, seen - kv0);
            for (var jj = 0u; jj < n_keys; jj++) {
                let e = jj * MAX_HS4;
                let s4 = q0 * k_tile[e + 0u] + q1 * k_tile[e + 1u] + q2 * k_tile[e + 2u] + q3 * k_tile[e + 3u]
                    + q4 * k_tile[e + 4u] + q5 * k_tile[e + 5u] + q6 * k_tile[e + 6u] + q7 * k_tile[e + 7u];
                let s = s4.x + s4.y + s4.z + s4.w;
                // m' = max(m, s);  l = l·exp(m − m') + exp(s − m');  o = o·exp(m − m') + exp(s − m')·v
                if (s > m) {
                    let corr = exp(m - s);
                    l *= corr;
                    o0 *= corr; o1 *= corr; o2 *= corr; o3 *= corr;
                    o4 *= corr; o5 *= corr; o6 *= corr; o7 *= corr;
                    m = s;
                }
                let p = exp(s - m);
                l += p;
                let pv = vec4<f32>(p);
                o0 = fma(pv, v_tile[e + 0u], o0);
                o1 = fma(pv, v_tile[e + 1u], o1);
                o2 = fma(pv, v_tile[e + 2u], o2);
                o3 = fma(pv, v_tile[e + 3u], o3);
                o4 = fma(pv, v_tile[e + 4u], o4);
                o5 = fma(pv, v_tile[e + 5u], o5);
                o6 = fma(pv, v_tile[e + 6u], o6);
                o7 = fma(pv, v_tile[e + 7u], o7);
            }
        }
        workgroupBarrier();
    }

    if (!valid) { return; }
    let obase = (bi * t + i) * c + h * hs;
    let inv = 1.0 / l;
    store4(obase, 0u, hs, o0 * inv);
    store4(obase, 1u, hs, o1 * inv);
    store4(obase, 2u, hs, o2 * inv);
    store4(obase, 3u, hs, o3 * inv);
    store4(obase, 4u, hs, o4 * inv);
    store4(obase, 5u, hs, o5 * inv);
    store4(obase, 6u, hs, o6 * inv);
    store4(obase, 7u, hs, o7 * inv);
    lse[(bi * nh + h) * t + i] = m + log(l);
}
