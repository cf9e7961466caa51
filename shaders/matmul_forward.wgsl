// Matrix multiply with optional bias and activation, tiled in workgroup memory, 8×8 outputs
// per invocation.
//   act = 0:  out (M, N) = inp (M, K) · weight (N, K)ᵀ + bias (N)
//   act ≠ 0:  pre (M, N) = inp · weightᵀ + bias,  out (M, N) = act(pre)
// weight is (out_features, in_features), as torch.nn.Linear stores it. The FFN's first
// matmul applies its GELU (1), tanh GELU (2) or ReLU (3) here, in the epilogue, instead of a
// pass of its own; pre is kept because the activation's backward reads it.
// CPU reference: crates/playground-core/src/cpu/matmul.rs (matmul_forward, matmul_forward_act)
// Params and the epilogue (store_output) are in include/matmul_epilogue.wgsl, the activations
// in include/activations.wgsl, both prepended by shaders.rs.
//
// WORKGROUP_SIZE and TILE are not in this file: crates/playground-gpu/src/shaders.rs prepends
// them, once as 16 and 128 (`matmul_forward`) and once as 8 and 64 (`matmul_forward_small`,
// for shapes where 128×128 blocks would leave the GPU mostly idle; the launcher chooses).
// One workgroup of WORKGROUP_SIZE² invocations computes a TILE×TILE block of out; each
// invocation owns 8 rows × 8 columns of it, held in 16 vec4 registers (lo*: columns quad
// lid.x, hi*: columns quad HALF + lid.x; rows quads lid.y and HALF + lid.y, so neighbouring
// invocations read neighbouring vec4s of workgroup memory). Per step the workgroup stages a
// BK-deep slice of inp and of weight, k-major in vec4s of 4 rows: a_tile[kk·QUADS + q] holds
// rows 4q..4q+3 at k = k0 + kk. Each kk then costs 4 vec4 loads for 64 fma, which is what
// makes this fast on GPUs and on CPU-emulated ones alike (lavapipe, SwiftShader), where every
// load is an expensive per-lane gather and the fma are nearly free.

@group(0) @binding(0) var<storage, read_write> out: array<f32>;
@group(0) @binding(1) var<storage, read_write> pre: array<f32>;
@group(0) @binding(2) var<storage, read> inp: array<f32>;
@group(0) @binding(3) var<storage, read> weight: array<f32>;
@group(0) @binding(4) var<storage, read> bias: array<f32>;
@group(0) @binding(5) var<uniform> params: Params;

const THREADS: u32 = WORKGROUP_SIZE * WORKGROUP_SIZE;
const QUADS: u32 = TILE / 4u;                          // vec4s across a tile
const HALF: u32 = QUADS / 2u;                          // an invocation's second quad is HALF further
const BK: u32 = 8u;                                    // k-slice staged per step

var<workgroup> a_tile: array<vec4<f32>, BK * QUADS>; // [BK][QUADS]: inp rows
var<workgroup> b_tile: array<vec4<f32>, BK * QUADS>; // [BK][QUADS]: weight rows

// Column kk of rows r..r+3 of a (rows, k) row-major matrix; zero outside it.
fn inp_column4(r: u32, kk: u32, rows: u32, k: u32) -> vec4<f32> {
    var v = vec4<f32>(0.0);
    if (kk < k) {
        for (var i = 0u; i < 4u; i++) { if (r + i < rows) { v[i] = inp[(r + i) * k + kk]; } }
    }
    return v;
}

fn weight_column4(r: u32, kk: u32, rows: u32, k: u32) -> vec4<f32> {
    var v = vec4<f32>(0.0);
    if (kk < k) {
        for (var i = 0u; i < 4u; i++) { if (r + i < rows) { v[i] = weight[(r + i) * k + kk]; } }
    }
    return v;
}

// out[row, col..col+3] = act(v + bias) (and pre = v + bias), skipping what lies outside out.
fn store4(row: u32, col: u32, v: vec4<f32>) {
    if (row >= params.m) { return; }
    for (var j = 0u; j < 4u; j++) {
        if (col + j < params.n) { store_output(row, col + j, v[j]); }
    }
}

@compute @workgroup_size(WORKGROUP_SIZE, WORKGROUP_SIZE)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(local_invocation_id) lid: vec3<u32>) {
    let row0 = wid.y * TILE;
    let col0 = wid.x * TILE;
    let tid = lid.y * WORKGROUP_SIZE + lid.x;
    let m = params.m;
    let k = params.k;
    let n = params.n;

    var lo0 = vec4<f32>(0.0); var lo1 = vec4<f32>(0.0); var lo2 = vec4<f32>(0.0); var lo3 = vec4<f32>(0.0);
    var lo4 = vec4<f32>(0.0); var lo5 = vec4<f32>(0.0); var lo6 = vec4<f32>(0.0); var lo7 = vec4<f32>(0.0);
    var hi0 = vec4<f32>(0.0); var hi1 = vec4<f32>(0.0); var hi2 = vec4<f32>(0.0); var hi3 = vec4<f32>(0.0);
    var hi4 = vec4<f32>(0.0); var hi5 = vec4<f32>(0.0); var hi6 = vec4<f32>(0.0); var hi7 = vec4<f32>(0.0);
    for (var k0 = 0u; k0 < k; k0 += BK) {
        // stage: slot e = (kk, q) with kk fastest, so neighbouring invocations read
        // neighbouring k of the same rows
        for (var e = tid; e < BK * QUADS; e += THREADS) {
            let kk = e % BK;
            let q = e / BK;
            a_tile[kk * QUADS + q] = inp_column4(row0 + q * 4u, k0 + kk, m, k);
            b_tile[kk * QUADS + q] = weight_column4(col0 + q * 4u, k0 + kk, n, k);
        }
        workgroupBarrier();
        for (var kk = 0u; kk < BK; kk++) {
            let a0 = a_tile[kk * QUADS + lid.y];
            let a1 = a_tile[kk * QUADS + HALF + lid.y];
            let b0 = b_tile[kk * QUADS + lid.x];
            let b1 = b_tile[kk * QUADS + HALF + lid.x];
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
    store4(ra, ca, lo0); store4(ra + 1u, ca, lo1); store4(ra + 2u, ca, lo2); store4(ra + 3u, ca, lo3);
    store4(rb, ca, lo4); store4(rb + 1u, ca, lo5); store4(rb + 2u, ca, lo6); store4(rb + 3u, ca, lo7);
    store4(ra, cb, hi0); store4(ra + 1u, cb, hi1); store4(ra + 2u, cb, hi2); store4(ra + 3u, cb, hi3);
    store4(rb, cb, hi4); store4(rb + 1u, cb, hi5); store4(rb + 2u, cb, hi6); store4(rb + 3u, cb, hi7);
}
