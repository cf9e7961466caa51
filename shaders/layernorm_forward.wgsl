// LayerNorm forward. One workgroup per row (b, t); its invocations share the row's C
// channels and reduce the sums in workgroup memory. The axis normalized is C.
//   out  : (rows, C)     mean, rstd : (rows)   kept for layernorm_backward_*
//   inp  : (rows, C)     weight, bias : (C)
// CPU reference: crates/playground-core/src/cpu/layernorm.rs (layernorm_forward)

struct Params {
    rows: u32, // B * T
    c: u32,
    eps: f32,
    _pad: u32,
}

@group(0) @binding(0) var<storage, read_write> out: array<f32>;
@group(0) @binding(1) var<storage, read_write> mean: array<f32>;
@group(0) @binding(2) var<storage, read_write> rstd: array<f32>;
@group(0) @binding(3) var<storage, read> inp: array<f32>;
@group(0) @binding(4) var<storage, read> weight: array<f32>;
@group(0) @binding(5) var<storage, read> bias: array<f32>;
@group(0) @binding(6) var<uniform> params: Params;

const WORKGROUP_SIZE: u32 = 64u;

var<workgroup> partial: array<f32, WORKGROUP_SIZE>;

// Sum of `v` over the workgroup; every invocation gets the result.
fn workgroup_sum(lid: u32, v: f32) -> f32 {
    partial[lid] = v;
    workgroupBarrier();
    for (var stride = WORKGROUP_SIZE / 2u; stride > 0u; stride = stride / 2u) {
        if (lid < stride) { partial[lid] += partial[lid + stride]; }
        workgroupBarrier();
    }
    let total = partial[0];
    workgroupBarrier(); // partial is reused by the next call
    return total;
}

@compute @workgroup_size(WORKGROUP_SIZE)
fn main(
    @builtin(workgroup_id) wid: vec3<u32>,
    @builtin(num_workgroups) nwg: vec3<u32>,
    @builtin(local_invocation_index) lid: u32,
) {
    let row = wid.y * nwg.x + wid.x;
    if (row >= params.rows) { return; } // uniform per workgroup, so the barriers stay valid
    let c = params.c;
    let base = row * c;

    var s = 0.0;
    for (var i = lid; i < c; i += WORKGROUP_SIZE) { s += inp[base + i]; }
    let m = workgroup_sum(lid, s) / f32(c);

    // biased variance (divide by C), two-pass like the CPU reference
    var v = 0.0;
    for (var i = lid; i < c; i += WORKGROUP_SIZE) {
        let d = inp[base + i] - m;
        v += d * d;
    }
    let r = 1.0 / sqrt(workgroup_sum(lid, v) / f32(c) + params.eps);

    for (var i = lid; i < c; i += WORKGROUP_SIZE) {
        out[base + i] = r * (inp[base + i] - m) * weight[i] + bias[i];
    }
    if (lid == 0u) {
        mean[row] = m;
        rstd[row] = r;
    }
}
