// RMSNorm backward, gradient of the input. Each row (b, t) is handled by LANES = 8
// invocations that share its C channels and add one sum in workgroup memory
// (include/rmsnorm_rows.wgsl), as rmsnorm_forward.wgsl.
//   dinp   : (rows, C)   dinp (+)= rstd·(dnorm − norm·mean(dnorm·norm))
//                        (ACCUMULATE: added, where the skip path's gradient is there; else stored)
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

override ACCUMULATE: bool = false;

@compute @workgroup_size(WORKGROUP_SIZE)
fn main(
    @builtin(workgroup_id) wid: vec3<u32>,
    @builtin(num_workgroups) nwg: vec3<u32>,
    @builtin(local_invocation_index) lid: u32,
) {
    let r = row_lane(wid, nwg, lid);
    let s = rstd[min(r.row, params.rows - 1u)];

    // the one reduction over the row: Σ dnorm·norm
    var sum = 0.0;
    for (var i = r.lane; i < r.c; i += LANES) {
        sum += weight[i] * dout[r.base + i] * inp[r.base + i] * s;
    }
    let mean_dn = lanes_sum(lid, sum) / f32(params.c);

    for (var i = r.lane; i < r.c; i += LANES) {
        let norm = inp[r.base + i] * s;
        var g = (weight[i] * dout[r.base + i] - norm * mean_dn) * s;
        if (ACCUMULATE) { g += dinp[r.base + i]; }
        dinp[r.base + i] = g;
    }
}
