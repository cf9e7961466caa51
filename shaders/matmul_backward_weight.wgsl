// Matrix multiply, backward: gradients of the weight and of the bias, tiled in workgroup
// memory, the sum over M split in slices (split-K).
//   dweight (N, K) += dout (M, N)ᵀ · inp (M, K)
//   dbias   (N)    += Σ_m dout (M, N)                     (when has_bias)
// CPU reference: crates/playground-core/src/cpu/matmul.rs (matmul_backward, dweight and dbias)
//
// forward was: out[m, n] = Σ_k inp[m, k]·weight[n, k] + bias[n], so dweight[n, k] = Σ_m dout[m, n]·inp[m, k].
// The sizes, loader, staging and register tile come from crates/playground-gpu/src/shaders.rs, as
// for matmul_forward.wgsl (read its comments): `matmul_backward_weight` (128×128 blocks), `_small`
// (64×64), `_emulated` (64×64, 16×16 per invocation), each also `_scalar` where N or K is not a
// multiple of 4. One workgroup computes a TILE×TILE block of dweight over one slice of M's rows
// (workgroup z takes rows z·split_rows ..): M (16,384 rows in the baby GPT's step) would be a long
// serial sum for few workgroups, so matmul.rs splits it until the grid fills the GPU. Both
// operands' rows run along the output's axes, so they are staged as read.
// The bias gradient comes from the same staged slices: A holds dout's rows, and the blocks of
// the first column of blocks also sum them (multiply's sum_a).
// With one slice (PARTIAL false) the block adds to dweight and dbias; with several, slice z
// stores its sums in `partials` row z (stride N·K + N: dweight's, then dbias's), and
// reduce_partials.wgsl adds the rows to dweight and dbias. Every element has one writer.

struct Params {
    m: u32,
    k: u32,
    n: u32,
    has_bias: u32,
    split_rows: u32, // rows of M per slice, a multiple of BK
    _pad0: u32,
    _pad1: u32,
    _pad2: u32,
}

@group(0) @binding(0) var<storage, read_write> dweight: array<f32>; // (N, K), or partials (slices, N·K + N)
@group(0) @binding(1) var<storage, read_write> dbias: array<f32>;   // (N); a placeholder when partial or without a bias
@group(0) @binding(2) var<storage, read> lhs: array<LhsWord>;          // dout (M, N)
@group(0) @binding(3) var<storage, read> rhs: array<RhsWord>;          // inp (M, K)
@group(0) @binding(4) var<uniform> params: Params;

const A_STRIDED: bool = false; // dout's rows run along N, the output's rows
const B_STRIDED: bool = false; // inp's rows run along K, the output's columns

fn lhs_shape() -> vec2<u32> { return vec2<u32>(params.m, params.n); }
fn rhs_shape() -> vec2<u32> { return vec2<u32>(params.m, params.k); }

// Each slice stores its raw sums into its row of partials (GpuContext::op_built; where the sum is
// split): a pipeline constant, not a uniform, as include/activations.wgsl's ACT says why.
override PARTIAL: bool = false;

var<private> slice_index: u32;

// dweight[row, col..col+3] (+)= v, skipping what lies outside dweight.
fn write4(row: u32, col: u32, v: vec4<f32>) {
    let k = params.k;
    if (row >= params.n) { return; }
    if (PARTIAL) {
        let i = slice_index * (params.n * k + params.n) + row * k + col;
        if (col < k) { dweight[i] = v.x; }
        if (col + 1u < k) { dweight[i + 1u] = v.y; }
        if (col + 2u < k) { dweight[i + 2u] = v.z; }
        if (col + 3u < k) { dweight[i + 3u] = v.w; }
        return;
    }
    let i = row * k + col;
    if (col < k) { dweight[i] += v.x; }
    if (col + 1u < k) { dweight[i + 1u] += v.y; }
    if (col + 2u < k) { dweight[i + 2u] += v.z; }
    if (col + 3u < k) { dweight[i + 3u] += v.w; }
}

// dbias[row] (+)= v, where row < N.
fn write_bias(row: u32, v: f32) {
    if (row >= params.n) { return; }
    if (PARTIAL) {
        dweight[slice_index * (params.n * params.k + params.n) + params.n * params.k + row] = v;
    } else {
        dbias[row] += v;
    }
}

@compute @workgroup_size(WORKGROUP_SIZE, WORKGROUP_SIZE)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(local_invocation_id) lid: vec3<u32>) {
    let row0 = wid.y * TILE; // along N
    let col0 = wid.x * TILE; // along K
    slice_index = wid.z;
    let first = wid.z * params.split_rows;
    let sum_bias = params.has_bias != 0u && wid.x == 0u; // uniform per workgroup
    var acc: Acc;
    let bias = multiply(&acc, row0, col0, first, min(first + params.split_rows, params.m), lid, sum_bias);
    tile_write(&acc, row0, col0, lid);
    let q = lid.y * WORKGROUP_SIZE + lid.x;
    if (sum_bias && q < QUADS) {
        write_bias(row0 + 4u * q, bias.x);
        write_bias(row0 + 4u * q + 1u, bias.y);
        write_bias(row0 + 4u * q + 2u, bias.z);
        write_bias(row0 + 4u * q + 3u, bias.w);
    }
}
