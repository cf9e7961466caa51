// LayerNorm backward, gradients of weight and bias: sums over all rows.
//   dweight : (C)         dweight[c] += Σ_rows norm[row, c]·dout[row, c]
//   dbias   : (C)         dbias[c]   += Σ_rows dout[row, c]
//   dout    : (rows, C)   inp : (rows, C)
//   mean    : (rows)      rstd : (rows)   kept by layernorm_forward
// CPU reference: crates/playground-core/src/cpu/layernorm.rs (layernorm_backward, dweight/dbias)
//
// forward was: out = norm·weight + bias, norm = (inp − mean)·rstd.
// One workgroup per block of 32 channels and chunk of chunk_rows rows (workgroup z), with 8
// row lanes: invocation (x, y) sums rows y, y + 8, y + 16, … of its chunk in channel x
// (neighbouring x read neighbouring words), then the 8 lanes are added in workgroup memory
// and lane 0 writes. With one chunk (`partial` 0) it adds to dweight and dbias; with several
// (16,384 rows in the baby GPT's step would be a long serial sum for 12 workgroups), chunk z
// stores its sums in `partials` row z (dweight's C, then dbias's C) and reduce_partials.wgsl
// adds the rows up. Every output element has exactly one writer, so no atomics are needed.

struct Params {
    rows: u32, // B * T
    c: u32,
    chunk_rows: u32,
    partial: u32, // 1: store into partials; 0: add to dweight and dbias
}

@group(0) @binding(0) var<storage, read_write> dweight: array<f32>; // (C), or partials (chunks, 2C)
@group(0) @binding(1) var<storage, read_write> dbias: array<f32>;   // (C); a placeholder when partial
@group(0) @binding(2) var<storage, read> dout: array<f32>;
@group(0) @binding(3) var<storage, read> inp: array<f32>;
@group(0) @binding(4) var<storage, read> mean: array<f32>;
@group(0) @binding(5) var<storage, read> rstd: array<f32>;
@group(0) @binding(6) var<uniform> params: Params;

const WORKGROUP_SIZE: u32 = 32u; // channels per workgroup
const ROW_LANES: u32 = 8u;       // rows summed side by side

var<workgroup> partial: array<vec2<f32>, 256>; // [ROW_LANES][WORKGROUP_SIZE]: (dweight, dbias)

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

    var sums = vec2<f32>(0.0);
    if (valid) {
        let end = min((wid.z + 1u) * params.chunk_rows, params.rows);
        for (var r = wid.z * params.chunk_rows + lid.y; r < end; r += ROW_LANES) {
            let dy = dout[r * c + ch];
            let norm = (inp[r * c + ch] - mean[r]) * rstd[r];
            sums += vec2<f32>(norm * dy, dy);
        }
    }
    partial[lid.y * WORKGROUP_SIZE + lid.x] = sums;
    workgroupBarrier();
    for (var stride = ROW_LANES / 2u; stride > 0u; stride = stride / 2u) {
        if (lid.y < stride) { partial[lid.y * WORKGROUP_SIZE + lid.x] += partial[(lid.y + stride) * WORKGROUP_SIZE + lid.x]; }
        workgroupBarrier();
    }
    if (lid.y == 0u && valid) {
        if (params.partial != 0u) {
            dweight[wid.z * 2u * c + ch] = partial[lid.x].x;
            dweight[wid.z * 2u * c + c + ch] = partial[lid.x].y;
        } else {
            dweight[ch] += partial[lid.x].x;
            dbias[ch] += partial[lid.x].y;
        }
    }
}
