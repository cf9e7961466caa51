// The attention backward kernels' read of dO (each declares its `dout` binding, (B, T, C)). Not a
// kernel: shaders.rs prepends this file to attention_backward_{query,key}_{tiled,head32},
// attention_backward_query_lanes, attention_backward_kv_{lanes,regs} and the _regs64 builds.

// dout[base + 4·d4 .. +4], zero past the head size.
fn dout4(base: u32, d4: u32, hs: u32) -> vec4<f32> {
    var v = vec4<f32>(0.0);
    for (var i = 0u; i < 4u; i++) { if (4u * d4 + i < hs) { v[i] = dout[base + 4u * d4 + i]; } }
    return v;
}
