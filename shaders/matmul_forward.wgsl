// Matrix multiply with optional bias and activation, tiled in workgroup memory, 8×8 outputs
// per invocation.
//   ACT = 0:  out (M, N) = inp (M, K) · weight (N, K)ᵀ + bias (N)
//   ACT ≠ 0:  pre (M, N) = inp · weightᵀ + bias,  out (M, N) = act(pre)
// weight is (out_features, in_features), as torch.nn.Linear stores it. The FFN's first
// matmul applies its GELU (1), tanh GELU (2) or ReLU (3) here, in the epilogue, instead of a
// pass of its own; pre is kept because the activation's backward reads it.
// CPU reference: crates/playground-core/src/cpu/matmul.rs (matmul_forward, matmul_forward_act)
// Params and the epilogue (store_output) are in include/matmul_epilogue.wgsl, the activations
// in include/activations.wgsl, both prepended by shaders.rs.
//
// WORKGROUP_SIZE, TILE and BK are not in this file: crates/playground-gpu/src/shaders.rs
// prepends them with loaders (include/matmul_{lhs,rhs}_vec4.wgsl or _load_scalar), the staging
// (include/matmul_stage.wgsl) and a register tile (include/matmul_tile_*.wgsl), three tile shapes
// (`matmul::Tiles`, the launcher chooses): 16 and 128 with 8×8 outputs per invocation
// (`matmul_forward`), 8 and 64 with 8×8 (`matmul_forward_small`, for grids that 128×128
// blocks would leave short of the GPU's workgroup slots) and 4 and 64 with 16×16
// (`matmul_forward_emulated`, on CPU-emulated adapters), each with vec4 loads where K is a
// multiple of 4 and scalar ones (`_scalar`) otherwise, and for inference with f16 weights
// (`_f16`, read as f16 with shader-f16; `_f16_packed`, unpacked from u32 pairs otherwise).
// One workgroup of WORKGROUP_SIZE² invocations computes a TILE×TILE block of out, each
// invocation its register tile of it (multiply, tile_write). Both operands' rows run along K,
// so both are staged transposed (A_STRIDED, B_STRIDED: include/matmul_stage.wgsl). Each step of
// the inner loop then costs 4 vec4 loads from workgroup memory for 64 fma (8×8) or 8 for 256
// (16×16), which is what makes this fast on GPUs and on CPU-emulated ones alike (lavapipe,
// SwiftShader), where every load is an expensive per-lane gather and the fma are nearly free.
//
// Split-K: workgroup z sums over steps z·split .. (z+1)·split of K. With one slice (PARTIAL false,
// split = K) it writes out through the epilogue; with several (on GPUs, where matmul.rs
// finds the grid would end on a part-empty wave) slice z stores its raw sums in row z of
// `out`, then scratch partials (slices, M·N), and reduce_partials_forward.wgsl adds the slices
// and applies the same epilogue (bias, activation, pre).

@group(0) @binding(0) var<storage, read_write> out: array<f32>; // (M, N), or partials (slices, M·N)
@group(0) @binding(1) var<storage, read_write> pre: array<f32>;
@group(0) @binding(2) var<storage, read> lhs: array<LhsWord>; // inp (M, K)
@group(0) @binding(3) var<storage, read> rhs: array<RhsWord>; // weight (N, K)
@group(0) @binding(4) var<storage, read> bias: array<f32>;
@group(0) @binding(5) var<uniform> params: Params;

const A_STRIDED: bool = true; // inp's rows run along K
const B_STRIDED: bool = true; // weight's rows run along K

fn lhs_shape() -> vec2<u32> { return vec2<u32>(params.m, params.k); }
fn rhs_shape() -> vec2<u32> { return vec2<u32>(params.n, params.k); }

// Each slice stores its raw sums into its row of partials (GpuContext::op_built; where the sum is
// split): a pipeline constant, not a uniform, as include/activations.wgsl's ACT says why.
override PARTIAL: bool = false;

var<private> slice_index: u32;

// out[row, col..col+3] = act(v + bias) (and pre = v + bias), or a slice's raw sums into its row
// of partials, skipping what lies outside out.
fn write4(row: u32, col: u32, v: vec4<f32>) {
    if (row >= params.m) { return; }
    let n = params.n;
    if (PARTIAL) {
        let i = slice_index * params.m * n + row * n + col;
        if (col < n) { out[i] = v.x; }
        if (col + 1u < n) { out[i + 1u] = v.y; }
        if (col + 2u < n) { out[i + 2u] = v.z; }
        if (col + 3u < n) { out[i + 3u] = v.w; }
        return;
    }
    if (col < n) { store_output(row, col, v.x); }
    if (col + 1u < n) { store_output(row, col + 1u, v.y); }
    if (col + 2u < n) { store_output(row, col + 2u, v.z); }
    if (col + 3u < n) { store_output(row, col + 3u, v.w); }
}

@compute @workgroup_size(WORKGROUP_SIZE, WORKGROUP_SIZE)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(local_invocation_id) lid: vec3<u32>) {
    let row0 = wid.y * TILE;
    let col0 = wid.x * TILE;
    slice_index = wid.z;
    let first = wid.z * params.split;
    var acc: Acc;
    multiply(&acc, row0, col0, first, min(first + params.split, params.k), lid, false);
    tile_write(&acc, row0, col0, lid);
}
