// Matrix multiply, backward: gradient of the input, tiled in workgroup memory.
//   dinp (M, K) += dout (M, N) · weight (N, K)
// CPU reference: crates/playground-core/src/cpu/matmul.rs (matmul_backward, dinp)
//
// forward was: out[m, n] = Σ_k inp[m, k]·weight[n, k] + bias[n], so dinp[m, k] = Σ_n dout[m, n]·weight[n, k].
// Same shape of work as matmul_forward.wgsl: one workgroup computes a TILE×TILE block of
// dinp; each of its 16×16 invocations owns a 4×4 sub-block held in registers. Per step the
// workgroup stages a TILE×BN slice of dout and a BN×TILE slice of weight, both n-major.
// Each element of dinp has one writer, which adds its sum to the value already there.

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

const WORKGROUP_SIZE: u32 = 16u; // invocations per side; 256 in all
const TILE: u32 = 64u;           // dinp block side
const BN: u32 = 16u;             // n-slice staged per step
const PER: u32 = 4u;             // outputs per invocation per side (TILE / WORKGROUP_SIZE)

var<workgroup> a_tile: array<f32, 1024>; // [BN][TILE]: dout[row0 + r, n0 + nn] at nn·TILE + r
var<workgroup> b_tile: array<f32, 1024>; // [BN][TILE]: weight[n0 + nn, col0 + cc] at nn·TILE + cc

@compute @workgroup_size(WORKGROUP_SIZE, WORKGROUP_SIZE)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(local_invocation_id) lid: vec3<u32>) {
    let row0 = wid.y * TILE; // along M
    let col0 = wid.x * TILE; // along K
    let tid = lid.y * WORKGROUP_SIZE + lid.x;
    let m = params.m;
    let k = params.k;
    let n = params.n;

    var acc: array<f32, 16>; // acc[i * PER + j] for dinp[row0 + lid.y*PER + i, col0 + lid.x*PER + j]
    for (var n0 = 0u; n0 < n; n0 += BN) {
        // stage 1024 elements of each tile, 4 per invocation, reading along each matrix's
        // contiguous axis; zero outside the matrices
        for (var e = tid; e < TILE * BN; e += WORKGROUP_SIZE * WORKGROUP_SIZE) {
            let r = e / BN;
            let nn = e % BN;
            var a = 0.0;
            if (row0 + r < m && n0 + nn < n) { a = dout[(row0 + r) * n + n0 + nn]; }
            a_tile[nn * TILE + r] = a;
            let wn = e / TILE;
            let cc = e % TILE;
            var b = 0.0;
            if (n0 + wn < n && col0 + cc < k) { b = weight[(n0 + wn) * k + col0 + cc]; }
            b_tile[e] = b;
        }
        workgroupBarrier();
        for (var nn = 0u; nn < BN; nn++) {
            var a: array<f32, 4>;
            var b: array<f32, 4>;
            for (var i = 0u; i < PER; i++) {
                a[i] = a_tile[nn * TILE + lid.y * PER + i];
                b[i] = b_tile[nn * TILE + lid.x * PER + i];
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
            if (col >= k) { break; }
            dinp[row * k + col] += acc[i * PER + j];
        }
    }
}
