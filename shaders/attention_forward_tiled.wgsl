// Multi-head self-attention, causal or bidirectional, forward, for training: FlashAttention-style, one pass
// with an online softmax over tiles of keys; the (T, T) weights are never formed.
//   out : (B, T, C)    head h writes channels [h·HS, (h+1)·HS)
//   lse : (B, NH, T)   log Σ_{seen j} exp(score[t, j]), kept for the backward pass
//   qkv : (B, T, C + 2·KVC)   Q, K, V side by side
// CPU reference: crates/playground-core/src/cpu/attention.rs (attention_forward, out and lse)
//
// One workgroup per (b, h, block of 64 query rows), one invocation per query row, for head
// sizes up to 64 (attention_forward.wgsl serves larger heads and the traces that keep the
// weights). The invocation keeps its row of Q (pre-multiplied by 1/√HS) and its output in up
// to 16 vec4 registers each; the workgroup stages BKV keys of K and V at a time in workgroup
// memory, read once from qkv for all 64 rows. For each key: s = q·k, and the running max m,
// normalizer l and output o are updated:
//   m' = max(m, s);  l = l·exp(m − m') + exp(s − m');  o = o·exp(m − m') + exp(s − m')·v
// Masked keys (j > t when causal) are skipped, not given −∞. Loops over the head size run to hs/4: on
// lavapipe that measured 3× faster for 16-channel heads than loops to the constant MAX_HS4
// with a guard (which run every iteration masked), and as fast for 64-channel heads. The _regs
// build (attention_forward_regs64, for GPUs) runs them to MAX_HS4 instead (head_vec4s): a GPU's
// compiler unrolls loops to a constant and keeps q and o in registers, where a loop to the
// runtime head size leaves the arrays in local memory.
// Params, WORKGROUP_SIZE, MAX_HS4, head_vec4s, qkv4, row_block (include/attention_tiled.wgsl and
// shaders.rs) and BKV, k_tile, v_tile, stage_kv (include/attention_kv_tiles.wgsl) are prepended by shaders.rs.

@group(0) @binding(0) var<storage, read_write> out: array<f32>;
@group(0) @binding(1) var<storage, read_write> lse: array<f32>;
@group(0) @binding(2) var<storage, read> qkv: array<f32>;
@group(0) @binding(3) var<uniform> params: Params;

const MOST_NEGATIVE: f32 = -0x1.fffffep+127f; // the most negative finite f32; WGSL has no infinity literal

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
    let hs4 = head_vec4s(hs); // the loops' bound: the head size, or MAX_HS4 (_regs builds)
    let scale = 1.0 / sqrt(f32(hs));
    let i = block.first + lid; // this invocation's query row
    let valid = i < t;
    let causal = params.causal != 0u;
    let seen = select(t, i + 1u, causal); // keys this row sees

    var q: array<vec4<f32>, MAX_HS4>;
    var o: array<vec4<f32>, MAX_HS4>;
    let qbase = q_base(bi * t + min(i, t - 1u), h);
    for (var d4 = 0u; d4 < hs4; d4++) {
        q[d4] = qkv4(qbase, d4, hs) * scale;
        o[d4] = vec4<f32>(0.0);
    }
    var m = MOST_NEGATIVE;
    var l = 0.0;

    let last = select(t, min(block.first + WORKGROUP_SIZE, t), causal); // keys the block's last row sees
    for (var kv0 = 0u; kv0 < last; kv0 += BKV) {
        stage_kv(lid, bi, kv_head(h), kv0, t, hs, hs4);
        workgroupBarrier();
        if (valid && kv0 < seen) {
            let n_keys = min(BKV, seen - kv0);
            for (var jj = 0u; jj < n_keys; jj++) {
                var s4 = vec4<f32>(0.0);
                for (var d4 = 0u; d4 < hs4; d4++) {
                    s4 = fma(q[d4], k_tile[jj * MAX_HS4 + d4], s4);
                }
                let s = s4.x + s4.y + s4.z + s4.w;
                if (s > m) {
                    let corr = exp(m - s);
                    l *= corr;
                    for (var d4 = 0u; d4 < hs4; d4++) { o[d4] *= corr; }
                    m = s;
                }
                let p = exp(s - m);
                l += p;
                for (var d4 = 0u; d4 < hs4; d4++) {
                    o[d4] = fma(vec4<f32>(p), v_tile[jj * MAX_HS4 + d4], o[d4]);
                }
            }
        }
        workgroupBarrier();
    }

    if (!valid) { return; }
    let obase = (bi * t + i) * c + h * hs;
    let inv = 1.0 / l;
    for (var d4 = 0u; d4 < hs4; d4++) {
        let v = o[d4] * inv;
        for (var k = 0u; k < 4u; k++) { if (4u * d4 + k < hs) { out[obase + 4u * d4 + k] = v[k]; } }
    }
    lse[(bi * nh + h) * t + i] = m + log(l);
}
