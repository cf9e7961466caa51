// K and V tiles in workgroup memory, staged by the kernels that loop over keys
// (attention_forward_tiled.wgsl, attention_backward_query_tiled.wgsl). Not a kernel:
// shaders.rs prepends this file, after include/attention_tiled.wgsl and BKV, the keys staged
// per step (16; 8 in the _lanes builds, whose 128-channel rows are twice as long).

var<workgroup> k_tile: array<vec4<f32>, BKV * MAX_HS4>; // [key][d4]
var<workgroup> v_tile: array<vec4<f32>, BKV * MAX_HS4>; // [key][d4]

// Stages keys kv0 .. kv0 + BKV of key/value head g, batch row bi, into k_tile and v_tile (rows
// past T repeat the last one; the kernels never read them). The first WORKGROUP_SIZE invocations
// of the workgroup call it (all of them, but in the _lanes builds); a barrier must follow before
// the tiles are read.
fn stage_kv(lid: u32, bi: u32, g: u32, kv0: u32, t: u32, hs: u32, hs4: u32) {
    for (var e = lid; e < BKV * hs4; e += WORKGROUP_SIZE) {
        let key = e / hs4;
        let d4 = e % hs4;
        let row = bi * t + min(kv0 + key, t - 1u);
        k_tile[key * MAX_HS4 + d4] = qkv4(k_base(row, g), d4, hs);
        v_tile[key * MAX_HS4 + d4] = qkv4(v_base(row, g), d4, hs);
    }
}
