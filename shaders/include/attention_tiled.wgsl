// What the three tiled attention kernels share (attention_forward_tiled.wgsl,
// attention_backward_query_tiled.wgsl, attention_backward_key_tiled.wgsl). Not a kernel:
// shaders.rs prepends this file to them, after include/attention_params.wgsl. Each declares its
// own `qkv` and `params` bindings, which qkv4 and row_block read.

const WORKGROUP_SIZE: u32 = 64u; // rows (queries, or keys for dK/dV) per workgroup
// MAX_HS4, the largest head in vec4s (the K/V tiles' row length), and head_vec4s(hs), how far
// the kernels' loops over the head run (to the head size, or to MAX_HS4 in the _regs builds for
// GPUs), are prepended by shaders.rs.

// qkv[base + 4·d4 .. +4], zero past the head size.
fn qkv4(base: u32, d4: u32, hs: u32) -> vec4<f32> {
    var v = vec4<f32>(0.0);
    for (var i = 0u; i < 4u; i++) { if (4u * d4 + i < hs) { v[i] = qkv[base + 4u * d4 + i]; } }
    return v;
}

// The rows a workgroup takes: batch row bi, head h of `heads` (the NH query heads, or the NKV
// key/value heads for dK and dV), and the WORKGROUP_SIZE rows (queries, or keys) from `first`
// on. The grid holds at least B·heads·blocks workgroups (context.rs `grid`); the spare ones
// have in_range false and return before any barrier (the test is uniform per workgroup).
struct RowBlock {
    in_range: bool,
    bi: u32,
    h: u32,
    first: u32,
}

fn row_block(wid: vec3<u32>, nwg: vec3<u32>, heads: u32) -> RowBlock {
    let blocks = (params.t + WORKGROUP_SIZE - 1u) / WORKGROUP_SIZE; // row blocks per (b, h)
    let w = wid.y * nwg.x + wid.x;
    return RowBlock(w < params.b * heads * blocks, w / (blocks * heads), (w / blocks) % heads, (w % blocks) * WORKGROUP_SIZE);
}
