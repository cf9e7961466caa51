enable f16;
// matmul_forward's loads of a weight (rhs) in IEEE half precision, on devices with shader-f16
// (`GpuContext::shader_f16`): rhs is bound as vec4<f16>, 4 halves of a row in one 8-byte load,
// widened to f32; the input (lhs, include/matmul_lhs_vec4.wgsl) and all arithmetic stay f32.
// K is a multiple of 4. Where the device has no shader-f16, include/matmul_rhs_f16_packed.wgsl
// reads the same bytes as u32 pairs. Not a kernel: shaders.rs prepends it, first (the `enable`
// directive opens the module). The kernel binds `rhs` as array<RhsWord>.

alias RhsWord = vec4<f16>;

// rhs[row, col..col+3] of an rhs of `shape` (rows, row length), as f32; zero outside it.
fn rhs4(row: u32, col: u32, shape: vec2<u32>) -> vec4<f32> {
    let v = vec4<f32>(rhs[(min(row, shape.x - 1u) * shape.y + min(col, shape.y - 4u)) / 4u]);
    return select(vec4<f32>(0.0), v, row < shape.x && col < shape.y);
}

// rhs4 where the caller knows the four lie inside rhs (include/matmul_stage.wgsl's ALIGNED).
fn rhs4_inside(row: u32, col: u32, shape: vec2<u32>) -> vec4<f32> {
    return vec4<f32>(rhs[(row * shape.y + col) / 4u]);
}
