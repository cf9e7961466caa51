// Matrix multiply for a few rows (M ≤ ROWS = 16: one token at a time in generation, or a short
// prompt), with the same bias and activation epilogue as matmul_forward.wgsl:
//   ACT = 0:  out (M, N) = inp (M, K) · weight (N, K)ᵀ + bias (N)
//   ACT ≠ 0:  pre (M, N) = inp · weightᵀ + bias,  out (M, N) = act(pre)
// The tiled kernel computes whole 64- or 128-row blocks, so one row would cost as much as 64.
// Here each invocation owns COLS output columns for all M rows and reads each of their weight
// rows once, in vec4s along K (K is a multiple of 4: the launcher checks), so a step of 4 k
// costs COLS + M vec4 loads for 4·COLS·M multiply-adds; inp's address is the same in every
// invocation. On CPU-emulated GPUs (SwiftShader, lavapipe), where a load is a per-lane gather,
// the loads are what costs.
// CPU reference: crates/playground-core/src/cpu/matmul.rs (matmul_forward, matmul_forward_act)
// Params and the epilogue (store_output) are in include/matmul_epilogue.wgsl, the activations
// in include/activations.wgsl, the loads (lhs4, rhs4) in include/matmul_{lhs,rhs}_vec4.wgsl or,
// for a weight in f16 (`_f16`, `_f16_packed`: decoding with f16 checkpoints reads half the
// bytes), include/matmul_rhs_f16{,_packed}.wgsl, all prepended by shaders.rs.

@group(0) @binding(0) var<storage, read_write> out: array<f32>;
@group(0) @binding(1) var<storage, read_write> pre: array<f32>;
@group(0) @binding(2) var<storage, read> lhs: array<LhsWord>; // inp (M, K)
@group(0) @binding(3) var<storage, read> rhs: array<RhsWord>; // weight (N, K)
@group(0) @binding(4) var<storage, read> bias: array<f32>;
@group(0) @binding(5) var<uniform> params: Params;

const WORKGROUP_SIZE: u32 = 32u; // invocations per workgroup
const COLS: u32 = 4u;            // output columns per invocation (matmul::SKINNY_COLS)
const ROWS: u32 = 16u;           // the most rows (matmul::SKINNY_ROWS)

@compute @workgroup_size(WORKGROUP_SIZE)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>, @builtin(local_invocation_id) lid: vec3<u32>) {
    let m = params.m;
    let n = params.n;
    let col0 = ((wid.y * nwg.x + wid.x) * WORKGROUP_SIZE + lid.x) * COLS;
    if (col0 >= n) { return; }
    let inp_shape = vec2<u32>(m, params.k);
    let weight_shape = vec2<u32>(n, params.k);
    var acc: array<vec4<f32>, ROWS>; // row r: columns col0 .. col0 + 3 (those past N read zeros)
    for (var k = 0u; k < params.k; k += 4u) {
        let w0 = rhs4(col0, k, weight_shape);
        let w1 = rhs4(col0 + 1u, k, weight_shape);
        let w2 = rhs4(col0 + 2u, k, weight_shape);
        let w3 = rhs4(col0 + 3u, k, weight_shape);
        for (var r = 0u; r < m; r++) {
            let a = lhs4(r, k, inp_shape);
            acc[r] += vec4<f32>(dot(a, w0), dot(a, w1), dot(a, w2), dot(a, w3));
        }
    }
    for (var r = 0u; r < m; r++) {
        for (var j = 0u; j < COLS; j++) {
            if (col0 + j < n) { store_output(r, col0 + j, acc[r][j]); }
        }
    }
}
