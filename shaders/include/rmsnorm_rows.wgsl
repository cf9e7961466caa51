// The row loop of rmsnorm_forward.wgsl and rmsnorm_backward_input.wgsl: each row (b, t) is
// handled by LANES = 8 invocations that share its C channels and add one sum in workgroup
// memory; a workgroup of 64 takes 8 rows (layernorm_forward.wgsl's comments say why). Not a
// kernel: shaders.rs prepends this file; each kernel declares `params` with `rows` and `c`.

const WORKGROUP_SIZE: u32 = 64u;
const LANES: u32 = 8u;                    // invocations per row
const ROWS: u32 = WORKGROUP_SIZE / LANES; // rows per workgroup

var<workgroup> partial: array<f32, WORKGROUP_SIZE>;

// The row an invocation works on, its lane, and how many channels it loops over (0 for a
// row past the end, which still reaches the barrier of lanes_sum).
struct RowLane {
    row: u32,
    lane: u32,
    valid: bool,
    c: u32,
    base: u32, // row · C: the row's first element
}

fn row_lane(wid: vec3<u32>, nwg: vec3<u32>, lid: u32) -> RowLane {
    let row = (wid.y * nwg.x + wid.x) * ROWS + lid / LANES;
    let valid = row < params.rows;
    return RowLane(row, lid % LANES, valid, select(0u, params.c, valid), row * params.c);
}

// The sum of `s` over the LANES invocations of this invocation's row. Every invocation of
// the workgroup calls it (it has a barrier).
fn lanes_sum(lid: u32, s: f32) -> f32 {
    partial[lid] = s;
    workgroupBarrier();
    let first = lid - lid % LANES;
    var total = 0.0;
    for (var i = 0u; i < LANES; i++) { total += partial[first + i]; }
    return total;
}
