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
// them with a register tile (include/matmul_tile_*.wgsl), three ways (`matmul::Tiles`, the
// launcher chooses): 16 and 128 with 8×8 outputs per invocation (`matmul_forward`), 8 and 64
// with 8×8 (`matmul_forward_small`, for shapes where 128×128 blocks would leave a GPU mostly
// idle) and 4 and 64 with 16×16 (`matmul_forward_emulated`, on CPU-emulated adapters).
// One workgroup of WORKGROUP_SIZE² invocations computes a TILE×TILE block of out, each
// invocation its register tile of it (tile_fma, tile_write). Per step the workgroup stages a
// BK-deep slice of inp and of weight, k-major in vec4s of 4 rows: a_tile[kk·QUADS + q] holds
// rows 4q..4q+3 at k = k0 + kk. Each kk then costs 4 vec4 loads for 64 fma (8×8) or 8 for 256
// (16×16), which is what makes this fast on GPUs and on CPU-emulated ones alike (lavapipe,
// SwiftShader), where every load is an expensive per-lane gather and the fma are nearly free.

@group(0) @binding(0) var<storage, read_write> out: array<f32>;
@group(0) @binding(1) var<storage, read_write> pre: array<f32>;
@group(0) @binding(2) var<storage, read> inp: array<f32>;
@group(0) @binding(3) var<storage, read> weight: array<f32>;
@group(0) @binding(4) var<storage, read> bias: array<f32>;
@group(0) @binding(5) var<uniform> params: Params;

const THREADS: u32 = WORKGROUP_SIZE * WORKGROUP_SIZE;
const QUADS: u32 = TILE / 4u;                          // vec4s across a tile
const BK: u32 = 16u;                                   // k-slice staged per step (2·16·TILE floats: 16 KiB at TILE 128, WebGPU's default limit)

var<workgroup> a_tile: array<vec4<f32>, BK * QUADS>; // [BK][QUADS]: inp rows
var<workgroup> b_tile: array<vec4<f32>, BK * QUADS>; // [BK][QUADS]: weight rows

// Column kk of rows r..r+3 of a (rows, k) row-major matrix; zero outside it. Branch-free: the
// indices are clamped inside the matrix and what lies outside is zeroed after (on an emulator
// a branch per lane, or a computed index into a vector, costs more than the spare loads).
fn inp_column4(r: u32, kk: u32, rows: u32, k: u32) -> vec4<f32> {
    let c = min(kk, k - 1u);
    let last = rows - 1u;
    let v = vec4<f32>(inp[min(r, last) * k + c], inp[min(r + 1u, last) * k + c], inp[min(r + 2u, last) * k + c], inp[min(r + 3u, last) * k + c]);
    return select(vec4<f32>(0.0), v, (vec4<u32>(r) + vec4<u32>(0u, 1u, 2u, 3u) < vec4<u32>(rows)) & vec4<bool>(kk < k));
}

fn weight_column4(r: u32, kk: u32, rows: u32, k: u32) -> vec4<f32> {
    let c = min(kk, k - 1u);
    let last = rows - 1u;
    let v = vec4<f32>(weight[min(r, last) * k + c], weight[min(r + 1u, last) * k + c], weight[min(r + 2u, last) * k + c], weight[min(r + 3u, last) * k + c]);
    return select(vec4<f32>(0.0), v, (vec4<u32>(r) + vec4<u32>(0u, 1u, 2u, 3u) < vec4<u32>(rows)) & vec4<bool>(kk < k));
}

// out[row, col..col+3] = act(v + bias) (and pre = v + bias), skipping what lies outside out.
fn write4(row: u32, col: u32, v: vec4<f32>) {
    if (row >= params.m) { return; }
    let n = params.n;
    if (col < n) { store_output(row, col, v.x); }
    if (col + 1u < n) { store_output(row, col + 1u, v.y); }
    if (col + 2u < n) { store_output(row, col + 2u, v.z); }
    if (col + 3u < n) { store_output(row, col + 3u, v.w); }
}

@compute @workgroup_size(WORKGROUP_SIZE, WORKGROUP_SIZE)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(local_invocation_id) lid: vec3<u32>) {
    let row0 = wid.y * TILE;
    let col0 = wid.x * TILE;
    let tid = lid.y * WORKGROUP_SIZE + lid.x;
    let m = params.m;
    let k = params.k;
    let n = params.n;

    var acc: Acc;
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
            tile_fma(&acc, kk * QUADS, lid);
        }
        workgroupBarrier();
    }

    tile_write(&acc, row0, col0, lid);
}
