// Matrix multiply, backward: gradient of the weight, tiled in workgroup memory.
//   dweight (N, K) += dout (M, N)ᵀ · inp (M, K)
// CPU reference: crates/playground-core/src/cpu/matmul.rs (matmul_backward, dweight)
//
// forward was: out[m, n] = Σ_k inp[m, k]·weight[n, k] + bias[n], so dweight[n, k] = Σ_m dout[m, n]·inp[m, k].
// WORKGROUP_SIZE and TILE come from crates/playground-gpu/src/shaders.rs, as for
// matmul_forward.wgsl: 16 and 128 (`matmul_backward_weight`), 8 and 64 (`matmul_backward_weight_small`).
// The shape of work of matmul_forward.wgsl (read its comments): one workgroup of
// WORKGROUP_SIZE² invocations computes a TILE×TILE block of dweight, 8×8 outputs per invocation
// in 16 vec4 registers. Per step it stages BM rows of dout and of inp, m-major in vec4s, both read along
// their contiguous axis: a_tile[mm·QUADS + q] = dout[m0 + mm, 4q..4q+3],
// b_tile[mm·QUADS + q] = inp[m0 + mm, 4q..4q+3]. Each element of dweight has one writer, so
// the sum over all M rows needs no atomics.

struct Params {
    m: u32,
    k: u32,
    n: u32,
    _pad: u32,
}

@group(0) @binding(0) var<storage, read_write> dweight: array<f32>;
@group(0) @binding(1) var<storage, read> dout: array<f32>;
@group(0) @binding(2) var<storage, read> inp: array<f32>;
@group(0) @binding(3) var<uniform> params: Params;

const THREADS: u32 = WORKGROUP_SIZE * WORKGROUP_SIZE;
const QUADS: u32 = TILE / 4u;                          // vec4s across a tile
const HALF: u32 = QUADS / 2u;                          // an invocation's second quad is HALF further
const BM: u32 = 8u;                                    // m-slice staged per step

var<workgroup> a_tile: array<vec4<f32>, BM * QUADS>; // [BM][QUADS]: dout rows
var<workgroup> b_tile: array<vec4<f32>, BM * QUADS>; // [BM][QUADS]: inp rows

// dout[mm, c..c+3]; zero outside dout.
fn dout_row4(mm: u32, c: u32) -> vec4<f32> {
    var v = vec4<f32>(0.0);
    if (mm < params.m) {
        for (var j = 0u; j < 4u; j++) { if (c + j < params.n) { v[j] = dout[mm * params.n + c + j]; } }
    }
    return v;
}

// inp[mm, c..c+3]; zero outside inp.
fn inp_row4(mm: u32, c: u32) -> vec4<f32> {
    var v = vec4<f32>(0.0);
    if (mm < params.m) {
        for (var j = 0u; j < 4u; j++) { if (c + j < params.k) { v[j] = inp[mm * params.k + c + j]; } }
    }
    return v;
}

// dweight[row, col..col+3] += v, skipping what lies outside dweight.
fn add4(row: u32, col: u32, v: vec4<f32>) {
    let k = params.k;
    if (row >= params.n) { return; }
    for (var j = 0u; j < 4u; j++) {
        if (col + j < k) { dweight[row * k + col + j] += v[j]; }
    }
}

@compute @workgroup_size(WORKGROUP_SIZE, WORKGROUP_SIZE)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(local_invocation_id) lid: vec3<u32>) {
    let row0 = wid.y * TILE; // along N
    let col0 = wid.x * TILE; // along K
    let tid = lid.y * WORKGROUP_SIZE + lid.x;

    var lo0 = vec4<f32>(0.0); var lo1 = vec4<f32>(0.0); var lo2 = vec4<f32>(0.0); var lo3 = vec4<f32>(0.0);
    var lo4 = vec4<f32>(0.0); var lo5 = vec4<f32>(0.0); var lo6 = vec4<f32>(0.0); var lo7 = vec4<f32>(0.0);
    var hi0 = vec4<f32>(0.0); var hi1 = vec4<f32>(0.0); var hi2 = vec4<f32>(0.0); var hi3 = vec4<f32>(0.0);
    var hi4 = vec4<f32>(0.0); var hi5 = vec4<f32>(0.0); var hi6 = vec4<f32>(0.0); var hi7 = vec4<f32>(0.0);
    for (var m0 = 0u; m0 < params.m; m0 += BM) {
        // stage with q fastest: neighbouring invocations read neighbouring words of a row
        for (var e = tid; e < BM * QUADS; e += THREADS) {
            let mm = m0 + e / QUADS;
            let q = e % QUADS;
            a_tile[e] = dout_row4(mm, row0 + q * 4u);
            b_tile[e] = inp_row4(mm, col0 + q * 4u);
        }
        workgroupBarrier();
        for (var mm = 0u; mm < BM; mm++) {
            let a0 = a_tile[mm * QUADS + lid.y];
            let a1 = a_tile[mm * QUADS + HALF + lid.y];
            let b0 = b_tile[mm * QUADS + lid.x];
            let b1 = b_tile[mm * QUADS + HALF + lid.x];
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
