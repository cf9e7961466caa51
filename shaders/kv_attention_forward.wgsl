// Attention of N new query rows against one layer's KV cache (decoder inference, a token at a
// time). One workgroup per (row, head); row i sits at absolute position p = pos0 + i and sees
// the cached positions j ≤ p (kv_cache_write has put the new rows there already); head h reads
// key/value head g = h / (NH/NKV):
//   att[j] = softmax_j(Q[i]·kcache[g, j] / √HS),   out[i, head h] = Σ_j att[j]·vcache[g, j]
//   out    : (N, C)            att : (N, NH, maxT) scratch for the scores and weights
//   qkv    : (N, C + 2·KVC)    Q in columns 0..C
//   kcache, vcache : (NKV, maxT, HS)
// The workgroup's invocations share the keys (scores), then the channels (the weighted sum);
// the max and the sum of the softmax are reduced in workgroup memory.
// CPU reference: crates/playground-core/src/cpu/kv_attention.rs (kv_attention_forward)

struct Params {
    n: u32,
    pos0: u32,
    c: u32,
    nh: u32,
    maxt: u32,
    n_kv_head: u32,
    _pad1: u32,
    _pad2: u32,
}

@group(0) @binding(0) var<storage, read_write> out: array<f32>;
@group(0) @binding(1) var<storage, read_write> att: array<f32>;
@group(0) @binding(2) var<storage, read> qkv: array<f32>;
@group(0) @binding(3) var<storage, read> kcache: array<f32>;
@group(0) @binding(4) var<storage, read> vcache: array<f32>;
@group(0) @binding(5) var<uniform> params: Params;

const WORKGROUP_SIZE: u32 = 64u;
const MOST_NEGATIVE: f32 = -0x1.fffffep+127f; // the most negative finite f32; WGSL has no infinity literal

var<workgroup> red: array<f32, WORKGROUP_SIZE>;

// red[0] = max (op 0) or sum (op 1) of red[0 .. WORKGROUP_SIZE]
fn reduce(lid: u32, op: u32) {
    for (var s = WORKGROUP_SIZE / 2u; s > 0u; s = s / 2u) {
        if (lid < s) {
            if (op == 0u) { red[lid] = max(red[lid], red[lid + s]); } else { red[lid] = red[lid] + red[lid + s]; }
        }
        workgroupBarrier();
    }
}

@compute @workgroup_size(WORKGROUP_SIZE)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>, @builtin(local_invocation_id) lid3: vec3<u32>) {
    let idx = wid.y * nwg.x + wid.x; // row · NH + head
    let c = params.c;
    let nh = params.nh;
    if (idx >= params.n * nh) { return; }
    let lid = lid3.x;
    let i = idx / nh;
    let h = idx % nh;
    let hs = c / nh;
    let seen = params.pos0 + i + 1u;
    let scale = 1.0 / sqrt(f32(hs));
    let qb = i * (c + 2u * params.n_kv_head * hs) + h * hs;
    let kb = (h / (nh / params.n_kv_head)) * params.maxt * hs;
    let ab = idx * params.maxt;

    // scores, and their max
    var m = MOST_NEGATIVE;
    for (var j = lid; j < seen; j += WORKGROUP_SIZE) {
        var s = 0.0;
        for (var d = 0u; d < hs; d++) { s += qkv[qb + d] * kcache[kb + j * hs + d]; }
        s = s * scale;
        att[ab + j] = s;
        m = max(m, s);
    }
    red[lid] = m;
    workgroupBarrier();
    reduce(lid, 0u);
    let mx = red[0];
    workgroupBarrier();

    // exp(score − max), and their sum
    var sum = 0.0;
    for (var j = lid; j < seen; j += WORKGROUP_SIZE) {
        let e = exp(att[ab + j] - mx);
        att[ab + j] = e;
        sum += e;
    }
    red[lid] = sum;
    workgroupBarrier();
    reduce(lid, 1u);
    let total = red[0];
    for (var j = lid; j < seen; j += WORKGROUP_SIZE) { att[ab + j] = att[ab + j] / total; }
    storageBarrier(); // every weight written before any invocation sums them

    for (var d = lid; d < hs; d += WORKGROUP_SIZE) {
        var o = 0.0;
        for (var j = 0u; j < seen; j++) { o += att[ab + j] * vcache[kb + j * hs + d]; }
        out[i * c + h * hs + d] = o;
    }
}
