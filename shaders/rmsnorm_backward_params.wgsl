// RMSNorm backward, gradient of the weight: a sum over all rows.
//   dweight : (C)         dweight[c] += Σ_rows norm[row, c]·dout[row, c]
//   dout    : (rows, C)   inp : (rows, C)
//   rstd    : (rows)      kept by rmsnorm_forward
// CPU reference: crates/playground-core/src/cpu/rmsnorm.rs (rmsnorm_backward, dweight)
//
// forward was: out = norm·weight, norm = inp·rstd.
// One workgroup per block of 32 channels and chunk of rows with 8 row lanes, as
// layernorm_backward_params.wgsl: invocation (x, y) sums rows y, y + 8, … of its chunk in
// channel x, the 8 lanes are added in workgroup memory and lane 0 adds to dweight (one chunk)
// or stores into row z of `partials` (several, added up by reduce_partials.wgsl); every output
// element has exactly one writer.

struct Params {
    rows: u32, // B * T
    c: u32,
    chunk_rows: u32,
    partial: u32, // 1: store into partials; 0: add to dweight
}

@group(0) @binding(0) var<storage, read_write> dweight: array<f32>; // (C), or partials (chunks, C)
@group(0) @binding(1) var<storage, read> dout: array<f32>;
@group(0) @binding(2) var<storage, read> inp: array<f32>;
@group(0) @binding(3) var<storage, read> rstd: array<f32>;
@group(0) @binding(4) var<uniform> params: Params;

const WORKGROUP_SIZE: u32 = 32u; // channels per workgroup
const ROW_LANES: u32 = 8u;       // rows summed side by side

var<workgroup> partial: array<f32, 256>; // [ROW_LANES][WORKGROUP_SIZE]

@compute @workgroup_size(WORKGROUP_SIZE, ROW_LANES)
fn main(
    @builtin(workgroup_id) wid: vec3<u32>,
    @builtin(num_workgroups) nwg: vec3<u32>,
    @builtin(local_invocation_id) lid: vec3<u32>,
) {
    let block = wid.y * nwg.x + wid.x;
    let c = params.c;
    if (block * WORKGROUP_SIZE >= c) { return; } // uniform per workgroup
    let ch = block * WORKGROUP_SIZE + lid.x;
    let valid = ch < c; // the last block may be partial; its idle lanes still reach the barriers

    var sum = 0.0;
    if (valid) {
        let end = min((wid.z + 1u) * params.chunk_rows, params.rows);
        for (var r = wid.z * params.chunk_rows + lid.y; r < end; r += ROW_LANES) {
            sum += inp[r * c + ch] * rstd[r] * dout[r * c + ch];
        }
    }
    partial[lid.y * WORKGROUP_SIZE + lid.x] = sum;
    workgroupBarrier();
    for (var stride = ROW_LANES / 2u; stride > 0u; stride = stride / 2u) {
        if (lid.y < stride) { partial[lid.y * WORKGROUP_SIZE + lid.x] += partial[(lid.y + stride) * WORKGROUP_SIZE + lid.x]; }
        workgroupBarrier();
    }
    if (lid.y == 0u && valid) {
        if (params.partial != 0u) {
            dweight[wid.z * c + ch] = partial[lid.x];
        } else {
            dweight[ch] += partial[lid.x];
        }
    }
}
