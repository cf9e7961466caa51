// Matrix multiply for a few rows (M ≤ ROWS = 16: one token at a time in generation, or a short
// prompt), with the same bias and activation epilogue as matmul_forward.wgsl:
//   act = 0:  out (M, N) = inp (M, K) · weight (N, K)ᵀ + bias (N)
//   act ≠ 0:  pre (M, N) = inp · weightᵀ + bias,  out (M, N) = act(pre)
// The tiled kernel computes whole 64- or 128-row blocks, so one row would cost as much as 64.
// Here each invocation owns COLS output columns for all M rows and reads each of their weight
// rows once, in vec4s along K (K is a multiple of 4: the launcher checks), so a step of 4 k
// costs COLS + M vec4 loads for 4·COLS·M multiply-adds; inp's address is the same in every
// invocation. On CPU-emulated GPUs (SwiftShader, lavapipe), where a load is a per-lane gather,
// the loads are what costs.
// CPU reference: crates/playground-core/src/cpu/matmul.rs (matmul_forward, matmul_forward_act)
// Params and the epilogue (store_output) are in include/matmul_epilogue.wgsl, the activations
// in include/activations.wgsl, both prepended by shaders.rs.

@group(0) @binding(0) var<storage, read_write> out: array<f32>;
@group(0) @binding(1) var<storage, read_write> pre: array<f32>;
@group(0) @binding(2) var<storage, read> inp: array<vec4<f32>>;    // (M, K/4)
@group(0) @binding(3) var<storage, read> weight: array<vec4<f32>>; // (N, K/4)
@group(0) @binding(4) var<storage, read> bias: array<f32>;
@group(0) @binding(5) var<uniform> params: Params;

const WORKGROUP_SIZE: u32 = 32u; // invocations per workgroup
const COLS: u32 = 4u;            // output columns per invocation (matmul::SKINNY_COLS)
const ROWS: u32 = 16u;           // the most rows (matmul::SKINNY_ROWS)

@compute @workgroup_size(WORKGROUP_SIZE)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>, @builtin(local_invocation_id) lid: vec3<u32>) {
    let m = params.m;
    let k4 = params.k / 4u;
    let n = params.n;
    let col0 = ((wid.y * nwg.x + wid.x) * WORKGROUP_SIZE + lid.x) * COLS;
    if (col0 >= n) { return; }
    // columns past N read the last row again and are not stored
    let r0 = col0 * k4;
    let r1 = min(col0 + 1u, n - 1u) * k4;
    let r2 = min(col0 + 2u, n - 1u) * k4;
    let r3 = min(col0 + 3u, n - 1u) * k4;
    var acc: array<vec4<f32>, ROWS>; // row r: columns col0 .. col0 + 3
    for (var q = 0u; q < k4; q++) {
        let w0 = weight[r0 + q];
        let w1 = weight[r1 + q];
        let w2 = weight[r2 + q];
        let w3 = weight[r3 + q];
        for (var r = 0u; r < m; r++) {
            let a = inp[r * k4 + q];
            acc[r] += vec4<f32>(dot(a, w0), dot(a, w1), dot(a, w2), dot(a, w3));
        }
    }
    for (var r = 0u; r < m; r++) {
        for (var j = 0u; j < COLS; j++) {
            if (col0 + j < n) { store_output(r, col0 + j, acc[r][j]); }
        }
    }
}
