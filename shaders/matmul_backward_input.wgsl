// Matrix multiply, backward: gradient of the input, tiled in workgroup memory.
//   dinp (M, K) += dout (M, N) · weight (N, K)
// CPU reference: crates/playground-core/src/cpu/matmul.rs (matmul_backward, dinp)
//
// forward was: out[m, n] = Σ_k inp[m, k]·weight[n, k] + bias[n], so dinp[m, k] = Σ_n dout[m, n]·weight[n, k].
// WORKGROUP_SIZE, TILE and the register tile (include/matmul_tile_*.wgsl) come from
// crates/playground-gpu/src/shaders.rs, as for matmul_forward.wgsl: 16 and 128 (`matmul_backward_input`),
// 8 and 64 (`matmul_backward_input_small`), both with 8×8 outputs per invocation, and 4 and 64 with 16×16
// (`matmul_backward_input_emulated`, on CPU-emulated adapters). The shape of work of matmul_forward.wgsl
// (read its comments): one workgroup of WORKGROUP_SIZE² invocations computes a TILE×TILE block
// of dinp, each invocation its register tile of it. Per step it stages a BN-deep slice, n-major in vec4s: a_tile[nn·QUADS + q] holds
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
const BN: u32 = 16u;                                   // n-slice staged per step (2·16·TILE floats: 16 KiB at TILE 128, WebGPU's default limit)

var<workgroup> a_tile: array<vec4<f32>, BN * QUADS>; // [BN][QUADS]: dout, 4 rows per vec4
var<workgroup> b_tile: array<vec4<f32>, BN * QUADS>; // [BN][QUADS]: weight, 4 columns per vec4

// dout[r..r+3, nn]; zero outside dout. Branch-free, as in matmul_forward.wgsl: indices clamped
// inside the matrix, what lies outside zeroed after.
fn dout_column4(r: u32, nn: u32) -> vec4<f32> {
    let n = params.n;
    let c = min(nn, n - 1u);
    let last = params.m - 1u;
    let v = vec4<f32>(dout[min(r, last) * n + c], dout[min(r + 1u, last) * n + c], dout[min(r + 2u, last) * n + c], dout[min(r + 3u, last) * n + c]);
    return select(vec4<f32>(0.0), v, (vec4<u32>(r) + vec4<u32>(0u, 1u, 2u, 3u) < vec4<u32>(params.m)) & vec4<bool>(nn < n));
}

// weight[nn, c..c+3]; zero outside weight.
fn weight_row4(nn: u32, c: u32) -> vec4<f32> {
    let k = params.k;
    let row = min(nn, params.n - 1u) * k;
    let last = k - 1u;
    let v = vec4<f32>(weight[row + min(c, last)], weight[row + min(c + 1u, last)], weight[row + min(c + 2u, last)], weight[row + min(c + 3u, last)]);
    return select(vec4<f32>(0.0), v, (vec4<u32>(c) + vec4<u32>(0u, 1u, 2u, 3u) < vec4<u32>(k)) & vec4<bool>(nn < params.n));
}

// dinp[row, col..col+3] += v, skipping what lies outside dinp.
fn write4(row: u32, col: u32, v: vec4<f32>) {
    let k = params.k;
    if (row >= params.m) { return; }
    let i = row * k + col;
    if (col < k) { dinp[i] += v.x; }
    if (col + 1u < k) { dinp[i + 1u] += v.y; }
    if (col + 2u < k) { dinp[i + 2u] += v.z; }
    if (col + 3u < k) { dinp[i + 3u] += v.w; }
}

@compute @workgroup_size(WORKGROUP_SIZE, WORKGROUP_SIZE)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(local_invocation_id) lid: vec3<u32>) {
    let row0 = wid.y * TILE; // along M
    let col0 = wid.x * TILE; // along K
    let tid = lid.y * WORKGROUP_SIZE + lid.x;

    var acc: Acc;
    for (var n0 = 0u; n0 < params.n; n0 += BN) {
        // stage, each read with neighbouring invocations on neighbouring words: dout with nn
        // fastest, weight with q fastest
        for (var e = tid; e < BN * QUADS; e += THREADS) {
            a_tile[(e % BN) * QUADS + e / BN] = dout_column4(row0 + (e / BN) * 4u, n0 + e % BN);
            b_tile[e] = weight_row4(n0 + e / QUADS, col0 + (e % QUADS) * 4u);
        }
        workgroupBarrier();
        for (var nn = 0u; nn < BN; nn++) {
            tile_fma(&acc, nn * QUADS, lid);
        }
        workgroupBarrier();
    }

    tile_write(&acc, row0, col0, lid);
}
