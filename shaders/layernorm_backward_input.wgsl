// LayerNorm backward, gradient of the input. Each row (b, t) is handled by LANES = 8
// invocations that share its C channels and add two sums in workgroup memory; a workgroup of
// 64 takes 8 rows, as layernorm_forward.wgsl (read its comments for why).
//   dinp   : (rows, C)   dinp (+)= rstd·(dnorm − mean(dnorm) − norm·mean(dnorm·norm))
//                        (ACCUMULATE: added, where the skip path's gradient is there; else stored)
//   dout   : (rows, C)
//   inp    : (rows, C)   weight : (C)
//   mean   : (rows)      rstd   : (rows)   kept by layernorm_forward
// CPU reference: crates/playground-core/src/cpu/layernorm.rs (layernorm_backward, dinp)
// dweight and dbias sum over rows: shaders/layernorm_backward_params.wgsl.
//
// forward was: out = (inp − mean)·rstd·weight + bias, with norm = (inp − mean)·rstd and
// dnorm = weight·dout.

struct Params {
    rows: u32, // B * T
    c: u32,
    _pad0: u32,
    _pad1: u32,
}

@group(0) @binding(0) var<storage, read_write> dinp: array<f32>;
@group(0) @binding(1) var<storage, read> dout: array<f32>;
@group(0) @binding(2) var<storage, read> inp: array<f32>;
@group(0) @binding(3) var<storage, read> weight: array<f32>;
@group(0) @binding(4) var<storage, read> mean: array<f32>;
@group(0) @binding(5) var<storage, read> rstd: array<f32>;
@group(0) @binding(6) var<uniform> params: Params;

override ACCUMULATE: bool = false;

const WORKGROUP_SIZE: u32 = 64u;
const LANES: u32 = 8u;                    // invocations per row
const ROWS: u32 = WORKGROUP_SIZE / LANES; // rows per workgroup

var<workgroup> partial: array<vec2<f32>, WORKGROUP_SIZE>;

// Sum of `v` over the LANES invocations of a row (both components at once); each of them
// gets the result.
fn row_sum(lid: u32, v: vec2<f32>) -> vec2<f32> {
    partial[lid] = v;
    workgroupBarrier();
    let first = lid - lid % LANES;
    var s = vec2<f32>(0.0);
    for (var i = 0u; i < LANES; i++) { s += partial[first + i]; }
    return s;
}

@compute @workgroup_size(WORKGROUP_SIZE)
fn main(
    @builtin(workgroup_id) wid: vec3<u32>,
    @builtin(num_workgroups) nwg: vec3<u32>,
    @builtin(local_invocation_index) lid: u32,
) {
    let row = (wid.y * nwg.x + wid.x) * ROWS + lid / LANES;
    let lane = lid % LANES;
    let valid = row < params.rows; // invalid rows still reach the barrier
    let c = select(0u, params.c, valid); // an invalid row loops over nothing
    let base = row * params.c;
    let rc = min(row, params.rows - 1u);
    let m = mean[rc];
    let s = rstd[rc];

    // the two reductions over the row: Σ dnorm and Σ dnorm·norm
    var sums = vec2<f32>(0.0);
    for (var i = lane; i < c; i += LANES) {
        let norm = (inp[base + i] - m) * s;
        let dnorm = weight[i] * dout[base + i];
        sums += vec2<f32>(dnorm, dnorm * norm);
    }
    let means = row_sum(lid, sums) / f32(params.c);

    for (var i = lane; i < c; i += LANES) {
        let norm = (inp[base + i] - m) * s;
        let dnorm = weight[i] * dout[base + i];
        var g = (dnorm - means.x - norm * means.y) * s;
        if (ACCUMULATE) { g += dinp[base + i]; }
        dinp[base + i] = g;
    }
}
