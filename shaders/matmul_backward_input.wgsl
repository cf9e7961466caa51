// Matrix multiply, backward: gradient of the input, tiled in workgroup memory.
//   dinp (M, K) += dout (M, N) · weight (N, K)
// CPU reference: crates/playground-core/src/cpu/matmul.rs (matmul_backward, dinp)
//
// forward was: out[m, n] = Σ_k inp[m, k]·weight[n, k] + bias[n], so dinp[m, k] = Σ_n dout[m, n]·weight[n, k].
// WORKGROUP_SIZE and TILE come from crates/playground-gpu/src/shaders.rs, as for
// matmul_forward.wgsl: 16 and 128 (`matmul_backward_input`), 8 and 64 (`matmul_backward_input_small`).
// The shape of work of matmul_forward.wgsl (read its comments): one workgroup of
// WORKGROUP_SIZE² invocations computes a TILE×TILE block of dinp, 8×8 outputs per invocation
// in 16 vec4 registers. Per step it stages a BN-deep slice, n-major in vec4s: a_tile[nn·QUADS + q] holds
// dout rows 4q..4q+3 at n = n0 + nn (read down a column of dout), b_tile[nn·QUADS + q] holds
// weight[n0 + nn, 4q..4q+3] (read along a row of weight). Each element of dinp has one writer,
// which adds its sum to the value already there.

struct Params {
    m: u32,
    k: u32,
    n: u32,
    _pad: u32,
}

@group(0) @binding(0) var<storage, read_write> dinp: array<f32>;
@group(0) @binding(1) var<storage, read> dout: array<f32>;
@group(0) @binding(2) var<storage, read> weight: array<f32>;
@group(0) @binding(3) var<uniform> params: Params;

const THREADS: u32 = WORKGROUP_SIZE * WORKGROUP_SIZE;
const QUADS: u32 = TILE / 4u;                          // vec4s across a tile
const HALF: u32 = QUADS / 2u;                          // an invocation's second quad is HALF further
const BN: u32 = 8u;                                    // n-slice staged per step

var<workgroup> a_tile: array<vec4<f32>, BN * QUADS>; // [BN][QUADS]: dout, 4 rows per vec4
var<workgroup> b_tile: array<vec4<f32>, BN * QUADS>; // [BN][QUADS]: weight, 4 columns per vec4

// dout[r..r+3, nn]; zero outside dout.
fn dout_column4(r: u32, nn: u32) -> vec4<f32> {
    var v = vec4<f32>(0.0);
    if (nn < params.n) {
        for (var i = 0u; i < 4u; i++) { if (r + i < params.m) { v[i] = dout[(r + i) * params.n + nn]; } }
    }
    return v;
}

// weight[nn, c..c+3]; zero outside weight.
fn weight_row4(nn: u32, c: u32) -> vec4<f32> {
    var v = vec4<f32>(0.0);
    if (nn < params.n) {
        for (var j = 0u; j < 4u; j++) { if (c + j < params.k) { v[j] = weight[nn * params.k + c + j]; } }
    }
    return v;
}

// dinp[row, col..col+3] += v, skipping what lies outside dinp.
fn add4(row: u32, col: u32, v: vec4<f32>) {
    let k = params.k;
    if (row >= params.m) { return; }
    for (var j = 0u; j < 4u; j++) {
        if (col + j < k) { dinp[row * k + col + j] += v[j]; }
    }
}

@compute @workgroup_size(WORKGROUP_SIZE, WORKGROUP_SIZE)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(local_invocation_id) lid: vec3<u32>) {
    let row0 = wid.y * TILE; // along M
    let col0 = wid.x * TILE; // along K
    let tid = lid.y * WORKGROUP_SIZE + lid.x;

    var lo0 = vec4<f32>(0.0); var lo1 = vec4<f32>(0.0); var lo2 = vec4<f32>(0.0); var lo3 = vec4<f32>(0.0);
    var lo4 = vec4<f32>(0.0); var lo5 = vec4<f32>(0.0); var lo6 = vec4<f32>(0.0); var lo7 = vec4<f32>(0.0);
    var hi0 = vec4<f32>(0.0); var hi1 = vec4<f32>(0.0); var hi2 = vec4<f32>(0.0); var hi3 = vec4<f32>(0.0);
    var hi4 = vec4<f32>(0.0); var hi5 = vec4<f32>(0.0); var hi6 = vec4<f32>(0.0); var hi7 = vec4<f32>(0.0);
    for (var n0 = 0u; n0 < params.n; n0 += BN) {
        // stage, each read with neighbouring invocations on neighbouring words: dout with nn
        // fastest, weight with q fastest
        for (var e = tid; e < BN * QUADS; e += THREADS) {
            a_tile[(e % BN) * QUADS + e / BN] = dout_column4(row0 + (e / BN) * 4u, n0 + e % BN);
            b_tile[e] = weight_row4(n0 + e / QUADS, col0 + (e % QUADS) * 4u);
        }
        workgroupBarrier();
        for (var nn = 0u; nn < BN; nn++) {
            let a0 = a_tile[nn * QUADS + lid.y];
            let a1 = a_tile[nn * QUADS + HALF + lid.y];
            let b0 = b_tile[nn * QUADS + lid.x];
            let b1 = b_tile[nn * QUADS + HALF + lid.x];
            lo0 = fma(vec4<f32>(a0.x), b0, lo0); hi0 = fma(vec4<f32>(a0.x), b1, hi0);
            lo1 = fma(vec4<f32>(a0.y), b0, lo1); hi1 = fma(vec4<f32>(a0.y), b1, hi1);
            lo2 = fma(vec4<f32>(a0.z), b0, lo2); hi2 = fma(vec4<f32>(a0.z), b1, hi2);
            lo3 = fma(vec4<f32>(a0.w), b0, lo3); hi3 = fma(vec4<f32>(a0.w), b1, hi3);
            lo4 = fma(vec4<f32>(a1.x), b0, lo4); hi4 = fma(vec4<f32>(a1.x), b1, hi4);
            lo5 = fma(vec4<f32>(a1.y), b0, lo5); hi5 = fma(vec4<f32>(a1.y), b1, hi5);
            lo6 = fma(vec4<f32>(a1.z), b0, lo6); hi6 = fma(vec4<f32>(a1.z), b1, hi6);
            lo7 = fma(vec4<f32>(a1.w), b0, lo7); hi7 = fma(vec4<f32>(a1.w), b1, hi7);
        }
        workgroupBarrier();
    }

    let ra = row0 + lid.y * 4u;          // rows of a0
    let rb = row0 + (HALF + lid.y) * 4u; // rows of a1
    let ca = col0 + lid.x * 4u;          // columns of b0
    let cb = col0 + (HALF + lid.x) * 4u; // columns of b1
    add4(ra, ca, lo0); add4(ra + 1u, ca, lo1); add4(ra + 2u, ca, lo2); add4(ra + 3u, ca, lo3);
    add4(rb, ca, lo4); add4(rb + 1u, ca, lo5); add4(rb + 2u, ca, lo6); add4(rb + 3u, ca, lo7);
    add4(ra, cb, hi0); add4(ra + 1u, cb, hi1); add4(ra + 2u, cb, hi2); add4(ra + 3u, cb, hi3);
    add4(rb, cb, hi4); add4(rb + 1u, cb, hi5); add4(rb + 2u, cb, hi6); add4(rb + 3u, cb, hi7);
}
