// RMSNorm backward, gradient of the input. Each row (b, t) is handled by LANES = 8
// invocations that share its C channels and add one sum in workgroup memory; a workgroup of
// 64 takes 8 rows, as rmsnorm_forward.wgsl.
//   dinp   : (rows, C)   dinp += rstd·(dnorm − norm·mean(dnorm·norm))
//   dout   : (rows, C)
//   inp    : (rows, C)   weight : (C)
//   rstd   : (rows)      kept by rmsnorm_forward
// CPU reference: crates/playground-core/src/cpu/rmsnorm.rs (rmsnorm_backward, dinp)
// dweight sums over rows: shaders/rmsnorm_backward_params.wgsl.
//
// forward was: out = norm·weight with norm = inp·rstd, and dnorm = weight·dout.

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
@group(0) @binding(4) var<storage, read> rstd: array<f32>;
@group(0) @binding(5) var<uniform> params: Params;

const WORKGROUP_SIZE: u32 = 64u;
const LANES: u32 = 8u;                    // invocations per row
const ROWS: u32 = WORKGROUP_SIZE / LANES; // rows per workgroup

var<workgroup> partial: array<f32, WORKGROUP_SIZE>;

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
    let s = rstd[min(row, params.rows - 1u)];

    // the one reduction over the row: Σ dnorm·norm
    var sum = 0.0;
    for (var i = lane; i < c; i += LANES) {
        sum += weight[i] * dout[base + i] * inp[base + i] * s;
    }
    partial[lid] = sum;
    workgroupBarrier();
    let first = lid - lid % LANES;
    var total = 0.0;
    for (var i = 0u; i < LANES; i++) { total += partial[first + i]; }
    let mean_dn = total / f32(params.c);

    for (var i = lane; i < c; i += LANES) {
        let norm = inp[base + i] * s;
        dinp[base + i] += (weight[i] * dout[base + i] - norm * mean_dn) * s;
    }
}
