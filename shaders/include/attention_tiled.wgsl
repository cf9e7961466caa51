// What the three tiled attention kernels share (attention_forward_tiled.wgsl,
// attention_backward_query_tiled.wgsl, attention_backward_key_tiled.wgsl). Not a kernel:
// shaders.rs prepends this file to them, after include/attention_params.wgsl. Each declares its
// own `qkv` binding, which qkv4 reads.

const WORKGROUP_SIZE: u32 = 64u; // rows (queries, or keys for dK/dV) per workgroup
const MAX_HS4: u32 = 16u;        // head size ≤ 64, in vec4s

// qkv[base + 4·d4 .. +4], zero past the head size.
fn qkv4(base: u32, d4: u32, hs: u32) -> vec4<f32> {
    var v = vec4<f32>(0.0);
    for (var i = 0u; i < 4u; i++) { if (4u * d4 + i < hs) { v[i] = qkv[base + 4u * d4 + i]; } }
    return v;
}
