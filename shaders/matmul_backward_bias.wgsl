// Matrix multiply, backward: gradient of the bias, a sum over rows.
//   dbias : (N)      dbias[n] += Σ_m dout[m, n]
//   dout  : (M, N)
// CPU reference: crates/playground-core/src/cpu/matmul.rs (matmul_backward, dbias)
//
// forward was: out[m, n] = Σ_k inp[m, k]·weight[n, k] + bias[n].
// One workgroup per block of 32 columns, with 8 row lanes: invocation (x, y) sums rows
// y, y + 8, … of column x, then the lanes are added in workgroup memory and lane 0 writes
// (the layout of layernorm_backward_params.wgsl). One writer per element, no atomics.

struct Params {
    m: u32,
    n: u32,
    _pad0: u32,
    _pad1: u32,
}

@group(0) @binding(0) var<storage, read_write> dbias: array<f32>;
@group(0) @binding(1) var<storage, read> dout: array<f32>;
@group(0) @binding(2) var<uniform> params: Params;

const WORKGROUP_SIZE: u32 = 32u; // columns per workgroup
const ROW_LANES: u32 = 8u;       // rows summed side by side

var<workgroup> partial: array<f32, 256>; // [ROW_LANES][WORKGROUP_SIZE]

@compute @workgroup_size(WORKGROUP_SIZE, ROW_LANES)
fn main(
    @builtin(workgroup_id) wid: vec3<u32>,
    @builtin(num_workgroups) nwg: vec3<u32>,
    @builtin(local_invocation_id) lid: vec3<u32>,
) {
    let block = wid.y * nwg.x + wid.x;
    let n = params.n;
    if (block * WORKGROUP_SIZE >= n) { return; } // uniform per workgroup
    let col = block * WORKGROUP_SIZE + lid.x;
    let valid = col < n; // the last block may be partial; its idle lanes still reach the barriers

    var s = 0.0;
    if (valid) {
        for (var r = lid.y; r < params.m; r += ROW_LANES) { s += dout[r * n + col]; }
    }
    partial[lid.y * WORKGROUP_SIZE + lid.x] = s;
    workgroupBarrier();
    for (var stride = ROW_LANES / 2u; stride > 0u; stride = stride / 2u) {
        if (lid.y < stride) { partial[lid.y * WORKGROUP_SIZE + lid.x] += partial[(lid.y + stride) * WORKGROUP_SIZE + lid.x]; }
        workgroupBarrier();
    }
    if (lid.y == 0u && valid) { dbias[col] += partial[lid.x]; }
}
