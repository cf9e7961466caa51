// Matrix multiply with optional bias, tiled in workgroup memory.
//   out (M, N) = inp (M, K) · weight (N, K)ᵀ + bias (N)
// weight is (out_features, in_features), as torch.nn.Linear stores it.
// CPU reference: crates/playground-core/src/cpu/matmul.rs (matmul_forward)
//
// One workgroup computes a TILE×TILE block of out; each of its 16×16 invocations owns a
// 4×4 sub-block held in registers. Per step the workgroup stages a TILE×BK slice of inp
// and of weight in workgroup memory (k-major, so the inner loop reads consecutive words).

struct Params {
    m: u32,
    k: u32,
    n: u32,
    has_bias: u32, // 0: bias is not read (the binding is a placeholder)
}

@group(0) @binding(0) var<storage, read_write> out: array<f32>;
@group(0) @binding(1) var<storage, read> inp: array<f32>;
@group(0) @binding(2) var<storage, read> weight: array<f32>;
@group(0) @binding(3) var<storage, read> bias: array<f32>;
@group(0) @binding(4) var<uniform> params: Params;

const WORKGROUP_SIZE: u32 = 16u; // invocations per side; 256 in all
const TILE: u32 = 64u;           // out block side
const BK: u32 = 16u;             // k-slice staged per step
const PER: u32 = 4u;             // outputs per invocation per side (TILE / WORKGROUP_SIZE)

var<workgroup> a_tile: array<f32, 1024>; // [BK][TILE] rows of inp
var<workgroup> b_tile: array<f32, 1024>; // [BK][TILE] rows of weight

@compute @workgroup_size(WORKGROUP_SIZE, WORKGROUP_SIZE)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(local_invocation_id) lid: vec3<u32>) {
    let row0 = wid.y * TILE;
    let col0 = wid.x * TILE;
    let tid = lid.y * WORKGROUP_SIZE + lid.x;
    let m = params.m;
    let k = params.k;
    let n = params.n;

    var acc: array<f32, 16>; // acc[i * PER + j] for out[row0 + lid.y*PER + i, col0 + lid.x*PER + j]
    for (var k0 = 0u; k0 < k; k0 += BK) {
        // stage: 1024 elements of each tile, 4 per invocation; zero outside the matrix
        for (var e = tid; e < TILE * BK; e += WORKGROUP_SIZE * WORKGROUP_SIZE) {
            let r = e / BK;
            let kk = e % BK;
            let gk = k0 + kk;
            var a = 0.0;
            if (row0 + r < m && gk < k) { a = inp[(row0 + r) * k + gk]; }
            a_tile[kk * TILE + r] = a;
            var b = 0.0;
            if (col0 + r < n && gk < k) { b = weight[(col0 + r) * k + gk]; }
            b_tile[kk * TILE + r] = b;
        }
        workgroupBarrier();
        for (var kk = 0u; kk < BK; kk++) {
            var a: array<f32, 4>;
            var b: array<f32, 4>;
            for (var i = 0u; i < PER; i++) {
                a[i] = a_tile[kk * TILE + lid.y * PER + i];
                b[i] = b_tile[kk * TILE + lid.x * PER + i];
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
        if (row >= m) { break; }
        for (var j = 0u; j < PER; j++) {
            let col = col0 + lid.x * PER + j;
            if (col >= n) { break; }
            var v = acc[i * PER + j];
            if (params.has_bias != 0u) { v += bias[col]; }
            out[row * n + col] = v;
        }
    }
}
