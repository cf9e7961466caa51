// Matrix multiply, backward: gradient of the input, tiled in workgroup memory.
//   dinp (M, K) (+)= dout (M, N) · weight (N, K)                (ACT 0)
//   dinp (M, K) (+)= act'(pre) ⊙ (dout (M, N) · weight (N, K))   (ACT ≠ 0; pre (M, K))
// (ACCUMULATE: added; else stored)
// CPU reference: crates/playground-core/src/cpu/matmul.rs (matmul_backward_input,
// matmul_backward_input_act)
//
// forward was: out[m, n] = Σ_k inp[m, k]·weight[n, k] + bias[n], so dinp[m, k] = Σ_n dout[m, n]·weight[n, k].
// With `act`, inp was act(pre) (the FFN's activation, in matmul_forward.wgsl's epilogue) and
// the kernel writes pre's gradient: the activation's backward runs in this epilogue instead of
// a pass of its own (gelu_backward.wgsl: one launch, and a write and two reads of (M, K), fewer).
// The sizes, loader, staging and register tile come from crates/playground-gpu/src/shaders.rs, as
// for matmul_forward.wgsl (read its comments): `matmul_backward_input` (128×128 blocks),
// `_small` (64×64), `_emulated` (64×64, 16×16 per invocation), each also `_scalar` where N or K
// is not a multiple of 4. One workgroup computes a TILE×TILE block of dinp, summing over a slice
// of N (workgroup z takes n from z·split): dout's rows run along N, so it is staged transposed
// (A_STRIDED); weight's rows run along K, the output's columns, so it is staged as read. With
// one slice (PARTIAL false) each element of dinp has one writer, which adds its sum to the value
// already there (ACCUMULATE) or stores it (dinp needs no clearing); with several (where
// matmul.rs finds the grid would leave a GPU's last wave part empty), slice z stores its sums in
// `partials` row z, added up by reduce_partials.wgsl, which then applies act'(pre).

struct Params {
    m: u32,
    k: u32,
    n: u32,
    split: u32, // columns of N per slice, a multiple of BK
}

@group(0) @binding(0) var<storage, read_write> dinp: array<f32>; // (M, K), or partials (slices, M·K)
@group(0) @binding(1) var<storage, read> lhs: array<LhsWord>; // dout (M, N)
@group(0) @binding(2) var<storage, read> rhs: array<RhsWord>; // weight (N, K)
@group(0) @binding(3) var<storage, read> pre: array<f32>; // (M, K) the activation's input
@group(0) @binding(4) var<uniform> params: Params;

const A_STRIDED: bool = true;  // dout's rows run along N, the summed axis
const B_STRIDED: bool = false; // weight's rows run along K, the output's columns

fn lhs_shape() -> vec2<u32> { return vec2<u32>(params.m, params.n); }
fn rhs_shape() -> vec2<u32> { return vec2<u32>(params.n, params.k); }

// Each slice stores its raw sums into its row of partials (GpuContext::op_built; where the sum is
// split): a pipeline constant, not a uniform, as include/activations.wgsl's ACT says why.
override PARTIAL: bool = false;

var<private> slice_index: u32;

// dinp[row, col..col+3] (+)= v, skipping what lies outside dinp.
fn write4(row: u32, col: u32, v: vec4<f32>) {
    let k = params.k;
    if (row >= params.m) { return; }
    if (PARTIAL) {
        let i = slice_index * params.m * k + row * k + col;
        if (col < k) { dinp[i] = v.x; }
        if (col + 1u < k) { dinp[i + 1u] = v.y; }
        if (col + 2u < k) { dinp[i + 2u] = v.z; }
        if (col + 3u < k) { dinp[i + 3u] = v.w; }
        return;
    }
    let i = row * k + col;
    if (col < k) { write1(i, v.x); }
    if (col + 1u < k) { write1(i + 1u, v.y); }
    if (col + 2u < k) { write1(i + 2u, v.z); }
    if (col + 3u < k) { write1(i + 3u, v.w); }
}

// The sums are added to dinp, or stored over it without reading it (`Write`; a pipeline
// constant, as PARTIAL).
override ACCUMULATE: bool = false;

// dinp[i] (+)= act'(pre[i])·s, one slice's whole sum s.
fn write1(i: u32, s: f32) {
    var g = s;
    if (ACT != 0u) { g *= act_grad(ACT, pre[i]); }
    if (ACCUMULATE) { g += dinp[i]; }
    dinp[i] = g;
}

@compute @workgroup_size(WORKGROUP_SIZE, WORKGROUP_SIZE)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(local_invocation_id) lid: vec3<u32>) {
    let row0 = wid.y * TILE; // along M
    let col0 = wid.x * TILE; // along K
    slice_index = wid.z;
    let first = wid.z * params.split;
    var acc: Acc;
    multiply(&acc, row0, col0, first, min(first + params.split, params.n), lid, false);
    tile_write(&acc, row0, col0, lid);
}
