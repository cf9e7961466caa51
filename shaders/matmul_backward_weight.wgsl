// Matrix multiply, backward: gradient of the weight, tiled in workgroup memory.
//   dweight (N, K) += dout (M, N)ᵀ · inp (M, K)
// CPU reference: crates/playground-core/src/cpu/matmul.rs (matmul_backward, dweight)
//
// forward was: out[m, n] = Σ_k inp[m, k]·weight[n, k] + bias[n], so dweight[n, k] = Σ_m dout[m, n]·inp[m, k].
// Same shape of work as matmul_forward.wgsl: one workgroup computes a TILE×TILE block of
// dweight; each of its 16×16 invocations owns a 4×4 sub-block held in registers. Per step
// the workgroup stages BM rows of dout and of inp (m-major, read along their contiguous
// axes). Each element of dweight has one writer, so the sum over all M rows needs no atomics.

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

const WORKGROUP_SIZE: u32 = 16u; // invocations per side; 256 in all
const TILE: u32 = 64u;           // dweight block side
const BM: u32 = 16u;             // m-slice staged per step
const PER: u32 = 4u;             // outputs per invocation per side (TILE / WORKGROUP_SIZE)

var<workgroup> a_tile: array<f32, 1024>; // [BM][TILE]: dout[m0 + mm, row0 + r] at mm·TILE + r
var<workgroup> b_tile: array<f32, 1024>; // [BM][TILE]: inp[m0 + mm, col0 + cc] at mm·TILE + cc

@compute @workgroup_size(WORKGROUP_SIZE, WORKGROUP_SIZE)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(local_invocation_id) lid: vec3<u32>) {
    let row0 = wid.y * TILE; // along N
    let col0 = wid.x * TILE; // along K
    let tid = lid.y * WORKGROUP_SIZE + lid.x;
    let m = params.m;
    let k = params.k;
    let n = params.n;

    var acc: array<f32, 16>; // acc[i * PER + j] for dweight[row0 + lid.y*PER + i, col0 + lid.x*PER + j]
    for (var m0 = 0u; m0 < m; m0 += BM) {
        // stage 1024 elements of each tile, 4 per invocation; zero outside the matrices
        for (var e = tid; e < TILE * BM; e += WORKGROUP_SIZE * WORKGROUP_SIZE) {
            let mm = e / TILE;
            let x = e % TILE;
            var a = 0.0;
            if (m0 + mm < m && row0 + x < n) { a = dout[(m0 + mm) * n + row0 + x]; }
            a_tile[e] = a;
            var b = 0.0;
            if (m0 + mm < m && col0 + x < k) { b = inp[(m0 + mm) * k + col0 + x]; }
            b_tile[e] = b;
        }
        workgroupBarrier();
        for (var mm = 0u; mm < BM; mm++) {
            var a: array<f32, 4>;
            var b: array<f32, 4>;
            for (var i = 0u; i < PER; i++) {
                a[i] = a_tile[mm * TILE + lid.y * PER + i];
                b[i] = b_tile[mm * TILE + lid.x * PER + i];
            }
            for (var i = 0u; i < PER; i++) {
                for (var j = 0u; j < PER; j++) {
                    acc[i * PER + j] = fma(a[i], b[j], acc[i * PER + j]);
                }
            }
        }
        workgroupBarrier();
    }

    for (var i = 0u; i < PER; i++) {
        let row = row0 + lid.y * PER + i;
        if (row >= n) { break; }
        for (var j = 0u; j < PER; j++) {
            let col = col0 + lid.x * PER + j;
            if (col >= k) { break; }
            dweight[row * k + col] += acc[i * PER + j];
        }
    }
}
