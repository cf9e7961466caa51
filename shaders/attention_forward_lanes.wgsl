// Multi-head self-attention, causal or bidirectional, forward, for training, for heads of 65 to
// 128 channels on GPUs: attention_forward_tiled.wgsl's online softmax with each query row held
// by LANES invocations instead of one.
//   out : (B, T, C)    head h writes channels [h·HS, (h+1)·HS)
//   lse : (B, NH, T)   log Σ_{seen j} exp(score[t, j]), kept for the backward pass
//   qkv : (B, T, C + 2·KVC)   Q, K, V side by side
// CPU reference: crates/playground-core/src/cpu/attention.rs (attention_forward, out and lse)
//
// Why lanes: one invocation holding a 128-channel row would keep Q and the output in 256 floats,
// past the 255 registers a GPU gives it, so they would spill to local memory (the per-row
// kernel, attention_forward.wgsl, loops over them there). Split over LANES = 4 invocations, each
// keeps MAX_HS4 / LANES = 8 vec4s of Q and of the output (64 floats), in loops to that constant,
// which a GPU compiler unrolls into registers. Lane k holds the head's vec4s k, k + LANES, …
// (interleaved, so the four lanes of a row read 64 contiguous bytes of a tile: no bank conflict).
//
// One workgroup per (b, h, block of 64 query rows), 64·LANES invocations; K and V staged BKV = 8
// keys at a time as the tiled kernels do (include/attention_kv_tiles.wgsl). Per step: each lane
// computes its part of q·k for the BKV keys into `parts` (workgroup memory), a barrier, then every
// lane of the row sums the LANES parts of each key in the same order (so all of them hold the same
// score, running max m and normalizer l) and updates its slice of the output:
//   m' = max(m, s);  l = l·exp(m − m') + exp(s − m');  o = o·exp(m − m') + exp(s − m')·v
// Rows past T load the last row, skip the keys and write nothing; every invocation reaches every
// barrier (the loops' bounds are uniform per workgroup).
// Params, WORKGROUP_SIZE, qkv4, row_block (include/attention_tiled.wgsl), MAX_HS4, BKV, LANES
// (shaders.rs) and k_tile, v_tile, stage_kv (include/attention_kv_tiles.wgsl) are prepended by
// shaders.rs.

@group(0) @binding(0) var<storage, read_write> out: array<f32>;
@group(0) @binding(1) var<storage, read_write> lse: array<f32>;
@group(0) @binding(2) var<storage, read> qkv: array<f32>;
@group(0) @binding(3) var<uniform> params: Params;

const MOST_NEGATIVE: f32 = -0x1.fffffep+127f; // the most negative finite f32; WGSL has no infinity literal
const LANE_HS4: u32 = MAX_HS4 / LANES; // vec4s of the head one lane holds

// [key][row][lane]: lane's part of row's q·k for each staged key (consecutive invocations write
// consecutive words)
var<workgroup> parts: array<f32, BKV * WORKGROUP_SIZE * LANES>;

@compute @workgroup_size(WORKGROUP_SIZE * LANES)
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
    let r = lid / LANES; // this invocation's row in the block
    let lane = lid % LANES;
    let i = block.first + r; // its query row
    let valid = i < t;
    let causal = params.causal != 0u;
    let seen = select(t, i + 1u, causal); // keys this row sees

    var q: array<vec4<f32>, LANE_HS4>;
    var o: array<vec4<f32>, LANE_HS4>;
    let qbase = q_base(bi * t + min(i, t - 1u), h);
    for (var d = 0u; d < LANE_HS4; d++) {
        q[d] = qkv4(qbase, d * LANES + lane, hs) * scale; // zero past the head size
        o[d] = vec4<f32>(0.0);
    }
    var m = MOST_NEGATIVE;
    var l = 0.0;

    let last = select(t, min(block.first + WORKGROUP_SIZE, t), causal); // keys the block's last row sees
    for (var kv0 = 0u; kv0 < last; kv0 += BKV) {
        if (lid < WORKGROUP_SIZE) { stage_kv(lid, bi, kv_head(h), kv0, t, hs, MAX_HS4); }
        workgroupBarrier();
        let sees_step = valid && kv0 < seen; // the row sees keys of this step
        if (sees_step) {
            for (var jj = 0u; jj < BKV; jj++) {
                var s4 = vec4<f32>(0.0);
                for (var d = 0u; d < LANE_HS4; d++) {
                    s4 = fma(q[d], k_tile[jj * MAX_HS4 + d * LANES + lane], s4);
                }
                parts[jj * WORKGROUP_SIZE * LANES + lid] = s4.x + s4.y + s4.z + s4.w;
            }
        }
        workgroupBarrier();
        if (sees_step) {
            let n_keys = min(BKV, seen - kv0);
            for (var jj = 0u; jj < n_keys; jj++) {
                let row_parts = jj * WORKGROUP_SIZE * LANES + r * LANES;
                var s = 0.0;
                for (var k = 0u; k < LANES; k++) { s += parts[row_parts + k]; }
                if (s > m) {
                    let corr = exp(m - s);
                    l *= corr;
                    for (var d = 0u; d < LANE_HS4; d++) { o[d] *= corr; }
                    m = s;
                }
                let p = exp(s - m);
                l += p;
                for (var d = 0u; d < LANE_HS4; d++) {
                    o[d] = fma(vec4<f32>(p), v_tile[jj * MAX_HS4 + d * LANES + lane], o[d]);
                }
            }
        }
        workgroupBarrier(); // the tiles and parts are rewritten by the next step
    }

    if (!valid) { return; }
    let obase = (bi * t + i) * c + h * hs;
    let inv = 1.0 / l;
    for (var d = 0u; d < LANE_HS4; d++) {
        let d4 = d * LANES + lane;
        let v = o[d] * inv;
        for (var k = 0u; k < 4u; k++) { if (4u * d4 + k < hs) { out[obase + 4u * d4 + k] = v[k]; } }
    }
    if (lane == 0u) { lse[(bi * nh + h) * t + i] = m + log(l); }
}
