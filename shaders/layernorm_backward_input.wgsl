// LayerNorm backward, gradient of the input. One workgroup per row (b, t); its invocations
// share the row's C channels and reduce two sums in workgroup memory, as the forward does.
//   dinp   : (rows, C)   dinp += rstd·(dnorm − mean(dnorm) − norm·mean(dnorm·norm))
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

const WORKGROUP_SIZE: u32 = 64u;

var<workgroup> partial: array<vec2<f32>, WORKGROUP_SIZE>;

// Sum of `v` over the workgroup (both lanes at once); every invocation gets the result.
fn workgroup_sum(lid: u32, v: vec2<f32>) -> vec2<f32> {
    partial[lid] = v;
    workgroupBarrier();
    for (var stride = WORKGROUP_SIZE / 2u; stride > 0u; stride = stride / 2u) {
        if (lid < stride) { partial[lid] += partial[lid + stride]; }
        workgroupBarrier();
    }
    return partial[0];
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
    let m = mean[row];
    let s = rstd[row];

    // the two reductions over the row: Σ dnorm and Σ dnorm·norm
    var sums = vec2<f32>(0.0);
    for (var i = lid; i < c; i += WORKGROUP_SIZE) {
        let norm = (inp[base + i] - m) * s;
        let dnorm = weight[i] * dout[base + i];
        sums += vec2<f32>(dnorm, dnorm * norm);
    }
    let means = workgroup_sum(lid, sums) / f32(c);

    for (var i = lid; i < c; i += WORKGROUP_SIZE) {
        let norm = (inp[base + i] - m) * s;
        let dnorm = weight[i] * dout[base + i];
        dinp[base + i] += (dnorm - means.x - norm * means.y) * s;
    }
}
