// RMSNorm forward. Each row (b, t) is normalized by LANES = 8 invocations that share its C
// channels; a workgroup of 64 takes 8 rows, as layernorm_forward.wgsl (read its comments for
// why). One sum per row (of squares), where LayerNorm needs two.
//   out    : (rows, C)   out = inp·rstd·weight
//   rstd   : (rows)      1/√(mean(inp²) + eps), kept for rmsnorm_backward_*
//   inp    : (rows, C)   weight : (C)
// CPU reference: crates/playground-core/src/cpu/rmsnorm.rs (rmsnorm_forward)

struct Params {
    rows: u32, // B * T
    c: u32,
    eps: f32,
    _pad: u32,
}

@group(0) @binding(0) var<storage, read_write> out: array<f32>;
@group(0) @binding(1) var<storage, read_write> rstd: array<f32>;
@group(0) @binding(2) var<storage, read> inp: array<f32>;
@group(0) @binding(3) var<storage, read> weight: array<f32>;
@group(0) @binding(4) var<uniform> params: Params;

const WORKGROUP_SIZE: u32 = 64u;
const LANES: u32 = 8u;                        // invocations per row
const ROWS: u32 = WORKGROUP_SIZE / LANES;     // rows per workgroup

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

    var s = 0.0;
    for (var i = lane; i < c; i += LANES) { s += inp[base + i] * inp[base + i]; }
    partial[lid] = s;
    workgroupBarrier();
    let first = lid - lid % LANES;
    var ss = 0.0;
    for (var i = 0u; i < LANES; i++) { ss += partial[first + i]; }
    let r = 1.0 / sqrt(ss / f32(params.c) + params.eps);

    for (var i = lane; i < c; i += LANES) {
        out[base + i] = inp[base + i] * r * weight[i];
    }
    if (valid && lane == 0u) {
        rstd[row] = r;
    }
}
