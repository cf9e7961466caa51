// How the tiled matmuls (matmul_forward, matmul_backward_input, matmul_backward_weight) stage
// their two operands in workgroup memory. Not a kernel: shaders.rs prepends it, after the
// loaders (lhs4, rhs4: include/matmul_{lhs,rhs}_vec4.wgsl, include/matmul_load_scalar.wgsl or,
// for f16 weights, include/matmul_rhs_f16{,_packed}.wgsl) and the sizes (WORKGROUP_SIZE, TILE,
// BK), before a register tile (include/matmul_tile_*.wgsl: tile_fma and multiply).
//
// A slice of BK steps along the summed axis is staged per operand as [BK][QUADS] vec4s: at
// step kk, a_tile holds 4 output rows per vec4 and b_tile 4 output columns. SLOTS (prepended
// with the sizes) slots of each: on GPUs two (double buffering), so that a workgroup fills one
// slot while it computes from the other, with one barrier per slice; on emulators one
// (include/matmul_tile_16x16.wgsl's `multiply` says why). Each kernel says how its operands lie
// (A_STRIDED, B_STRIDED):
//   strided: the operand's rows run along the summed axis (matmul_forward's inp and weight,
//     matmul_backward_input's dout): element e loads 4 consecutive steps of output row
//     e % TILE as one vec4 and stores them transposed, one component into each of 4 steps;
//     invocations next to each other take rows next to each other, so a warp's 32 component
//     stores hit 32 banks (no conflict, no padding).
//   direct: the operand's rows run along the output axis (dout and inp of
//     matmul_backward_weight, weight of matmul_backward_input): element e loads output quad
//     e % QUADS of step e / QUADS as one vec4 and stores it as it is.
// The kernel defines A_STRIDED, B_STRIDED and lhs_shape/rhs_shape (rows, row length of lhs
// and rhs), and binds A's source as `lhs` and B's as `rhs`.

const THREADS: u32 = WORKGROUP_SIZE * WORKGROUP_SIZE;
const QUADS: u32 = TILE / 4u;  // vec4s across a tile
const SLICE: u32 = BK * QUADS; // vec4s of one operand's slice
const LOADS: u32 = SLICE / THREADS; // vec4s each invocation stages per operand and slice

var<workgroup> a_tile: array<vec4<f32>, SLOTS * SLICE>; // [slot][BK][QUADS]: 4 output rows per vec4
var<workgroup> b_tile: array<vec4<f32>, SLOTS * SLICE>; // [slot][BK][QUADS]: 4 output columns per vec4

// Every block, slice and step lies inside both operands: the output's rows and columns are
// multiples of TILE and the summed axis and its slices multiples of BK (`matmul::Tiles::aligned`), so
// the loads skip their bounds checks and clamps (`lhs4_inside`, `rhs4_inside`). A pipeline
// constant, as include/activations.wgsl's ACT says why.
override ALIGNED: bool = false;

// Element e of A's slice from step k0, for the block whose first output row is row0.
fn fetch_a(row0: u32, k0: u32, e: u32) -> vec4<f32> {
    var at = vec2<u32>(k0 + e / QUADS, row0 + 4u * (e % QUADS)); // (row, column) of lhs: direct
    if (A_STRIDED) { at = vec2<u32>(row0 + e % TILE, k0 + 4u * (e / TILE)); }
    if (ALIGNED) { return lhs4_inside(at.x, at.y, lhs_shape()); }
    return lhs4(at.x, at.y, lhs_shape());
}

// Element e of B's slice from step k0, for the block whose first output column is col0.
fn fetch_b(col0: u32, k0: u32, e: u32) -> vec4<f32> {
    var at = vec2<u32>(k0 + e / QUADS, col0 + 4u * (e % QUADS)); // (row, column) of rhs: direct
    if (B_STRIDED) { at = vec2<u32>(col0 + e % TILE, k0 + 4u * (e / TILE)); }
    if (ALIGNED) { return rhs4_inside(at.x, at.y, rhs_shape()); }
    return rhs4(at.x, at.y, rhs_shape());
}

// Stores element e of A's slice (from fetch_a) into slot `slot`.
fn put_a(slot: u32, e: u32, v: vec4<f32>) {
    if (A_STRIDED) {
        let r = e % TILE;
        let at = (slot * BK + 4u * (e / TILE)) * QUADS + r / 4u;
        a_tile[at][r % 4u] = v.x;
        a_tile[at + QUADS][r % 4u] = v.y;
        a_tile[at + 2u * QUADS][r % 4u] = v.z;
        a_tile[at + 3u * QUADS][r % 4u] = v.w;
    } else {
        a_tile[slot * SLICE + e] = v;
    }
}

fn put_b(slot: u32, e: u32, v: vec4<f32>) {
    if (B_STRIDED) {
        let c = e % TILE;
        let at = (slot * BK + 4u * (e / TILE)) * QUADS + c / 4u;
        b_tile[at][c % 4u] = v.x;
        b_tile[at + QUADS][c % 4u] = v.y;
        b_tile[at + 2u * QUADS][c % 4u] = v.z;
        b_tile[at + 3u * QUADS][c % 4u] = v.w;
    } else {
        b_tile[slot * SLICE + e] = v;
    }
}

// Stages both operands' slice from step k0 into `slot`, straight from memory.
fn stage(slot: u32, row0: u32, col0: u32, k0: u32, tid: u32) {
    for (var e = tid; e < SLICE; e += THREADS) {
        put_a(slot, e, fetch_a(row0, k0, e));
        put_b(slot, e, fetch_b(col0, k0, e));
    }
}

// The sum over the slice in `slot` of A's quad q (4 output rows): the bias gradient's share.
fn slice_sum_a(slot: u32, q: u32) -> vec4<f32> {
    var s = vec4<f32>(0.0);
    for (var kk = 0u; kk < BK; kk++) { s += a_tile[(slot * BK + kk) * QUADS + q]; }
    return s;
}
