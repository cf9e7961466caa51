// RMSNorm forward. Each row (b, t) is normalized by LANES = 8 invocations that share its C
// channels (include/rmsnorm_rows.wgsl). One sum per row (of squares), where LayerNorm needs two.
//   out    : (rows, C)   out = inp·rstd·weight
//   rstd   : (rows)      1/√(mean(inp²) + eps), kept for rmsnorm_backward_*
//   inp    : (rows, C)   weight : (C)
// With `residual` 1 the input is sum = inp + branch, stored in sum (include/norm_residual.wgsl).
// CPU reference: crates/playground-core/src/cpu/rmsnorm.rs (rmsnorm_forward,
// rmsnorm_forward_residual)

struct Params {
    rows: u32, // B * T
    c: u32,
    eps: f32,
    residual: u32, // 1: the input is inp + branch, stored in sum; 0: inp (sum, branch placeholders)
}

@group(0) @binding(0) var<storage, read_write> out: array<f32>;
@group(0) @binding(1) var<storage, read_write> rstd: array<f32>;
@group(0) @binding(2) var<storage, read_write> sum: array<f32>; // (rows, C)
@group(0) @binding(3) var<storage, read> inp: array<f32>;
@group(0) @binding(4) var<storage, read> branch: array<f32>; // (rows, C)
@group(0) @binding(5) var<storage, read> weight: array<f32>;
@group(0) @binding(6) var<uniform> params: Params;

@compute @workgroup_size(WORKGROUP_SIZE)
fn main(
    @builtin(workgroup_id) wid: vec3<u32>,
    @builtin(num_workgroups) nwg: vec3<u32>,
    @builtin(local_invocation_index) lid: u32,
) {
    let r = row_lane(wid, nwg, lid);

    var s = 0.0;
    for (var i = r.lane; i < r.c; i += LANES) {
        let x = first_read(r.base + i);
        s += x * x;
    }
    let rs = 1.0 / sqrt(lanes_sum(lid, s) / f32(params.c) + params.eps);

    for (var i = r.lane; i < r.c; i += LANES) {
        out[r.base + i] = read_again(r.base + i) * rs * weight[i];
    }
    if (r.valid && r.lane == 0u) {
        rstd[r.row] = rs;
    }
}
