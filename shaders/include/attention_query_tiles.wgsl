// Q and dO tiles in workgroup memory, with their rows' lse and D, staged by the kernels that
// loop over queries for a key row (attention_backward_key_tiled.wgsl,
// attention_backward_kv_lanes.wgsl). Not a kernel: shaders.rs
// prepends this file, after include/attention_tiled.wgsl and BQ, the queries staged per step (16;
// 4 or 8 in the _lanes builds); it reads the kernel's `dout`, `lse` and `delta` bindings.

var<workgroup> q_tile: array<vec4<f32>, BQ * MAX_HS4>;  // [query][d4]
var<workgroup> do_tile: array<vec4<f32>, BQ * MAX_HS4>; // [query][d4]: dO
var<workgroup> lse_tile: array<f32, BQ>;
var<workgroup> delta_tile: array<f32, BQ>;

// Stages queries q0 .. q0 + BQ of query head h, batch row bi: the first hs4 vec4s of Q and dO,
// lse and D (rows past T repeat the last one; the kernels never read them). The first
// WORKGROUP_SIZE invocations of the workgroup call it (all of them, but in the _lanes build); a
// barrier must follow before the tiles are read.
fn stage_queries(lid: u32, bi: u32, h: u32, q0: u32, t: u32, hs: u32, hs4: u32) {
    for (var e = lid; e < BQ * hs4; e += WORKGROUP_SIZE) {
        let qi = e / hs4;
        let d4 = e % hs4;
        let i = min(q0 + qi, t - 1u);
        q_tile[qi * MAX_HS4 + d4] = qkv4(q_base(bi * t + i, h), d4, hs);
        do_tile[qi * MAX_HS4 + d4] = dout4((bi * t + i) * params.c + h * hs, d4, hs);
    }
    if (lid < BQ) {
        let row = (bi * params.nh + h) * t + min(q0 + lid, t - 1u);
        lse_tile[lid] = lse[row];
        delta_tile[lid] = delta[row];
    }
}
