// Matrix multiply, backward: gradient of the weight, tiled in workgroup memory.
//   dweight (N, K) += dout (M, N)ᵀ · inp (M, K)
// CPU reference: crates/playground-core/src/cpu/matmul.rs (matmul_backward, dweight)
//
// forward was: out[m, n] = Σ_k inp[m, k]·weight[n, k] + bias[n], so dweight[n, k] = Σ_m dout[m, n]·inp[m, k].
// WORKGROUP_SIZE, TILE and the register tile (include/matmul_tile_*.wgsl) come from
// crates/playground-gpu/src/shaders.rs, as for matmul_forward.wgsl: 16 and 128 (`matmul_backward_weight`),
// 8 and 64 (`matmul_backward_weight_small`), both with 8×8 outputs per invocation, and 4 and 64 with 16×16
// (`matmul_backward_weight_emulated`, on CPU-emulated adapters). The shape of work of matmul_forward.wgsl
// (read its comments): one workgroup of WORKGROUP_SIZE² invocations computes a TILE×TILE block
// of dweight, each invocation its register tile of it. Per step it stages BM rows of dout and of inp, m-major in vec4s, both read along
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
const BM: u32 = 16u;                                   // m-slice staged per step (2·16·TILE floats: 16 KiB at TILE 128, WebGPU's default limit)

var<workgroup> a_tile: array<vec4<f32>, BM * QUADS>; // [BM][QUADS]: dout rows
var<workgroup> b_tile: array<vec4<f32>, BM * QUADS>; // [BM][QUADS]: inp rows

// dout[mm, c..c+3]; zero outside dout. Branch-free, as in matmul_forward.wgsl: indices clamped
// inside the matrix, what lies outside zeroed after.
fn dout_row4(mm: u32, c: u32) -> vec4<f32> {
    let n = params.n;
    let row = min(mm, params.m - 1u) * n;
    let last = n - 1u;
    let v = vec4<f32>(dout[row + min(c, last)], dout[row + min(c + 1u, last)], dout[row + min(c + 2u, last)], dout[row + min(c + 3u, last)]);
    return select(vec4<f32>(0.0), v, (vec4<u32>(c) + vec4<u32>(0u, 1u, 2u, 3u) < vec4<u32>(n)) & vec4<bool>(mm < params.m));
}

// inp[mm, c..c+3]; zero outside inp.
fn inp_row4(mm: u32, c: u32) -> vec4<f32> {
    let k = params.k;
    let row = min(mm, params.m - 1u) * k;
    let last = k - 1u;
    let v = vec4<f32>(inp[row + min(c, last)], inp[row + min(c + 1u, last)], inp[row + min(c + 2u, last)], inp[row + min(c + 3u, last)]);
    return select(vec4<f32>(0.0), v, (vec4<u32>(c) + vec4<u32>(0u, 1u, 2u, 3u) < vec4<u32>(k)) & vec4<bool>(mm < params.m));
}

// dweight[row, col..col+3] += v, skipping what lies outside dweight.
fn write4(row: u32, col: u32, v: vec4<f32>) {
    let k = params.k;
    if (row >= params.n) { return; }
    let i = row * k + col;
    if (col < k) { dweight[i] += v.x; }
    if (col + 1u < k) { dweight[i + 1u] += v.y; }
    if (col + 2u < k) { dweight[i + 2u] += v.z; }
    if (col + 3u < k) { dweight[i + 3u] += v.w; }
}

@compute @workgroup_size(WORKGROUP_SIZE, WORKGROUP_SIZE)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(local_invocation_id) lid: vec3<u32>) {
    let row0 = wid.y * TILE; // along N
    let col0 = wid.x * TILE; // along K
    let tid = lid.y * WORKGROUP_SIZE + lid.x;

    var acc: Acc;
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
            tile_fma(&acc, mm * QUADS, lid);
        }
        workgroupBarrier();
    }

    tile_write(&acc, row0, col0, lid);
}
