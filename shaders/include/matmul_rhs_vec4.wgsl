// The matmuls' loads of rhs in f32 where its rows are a multiple of 4 long, as
// include/matmul_lhs_vec4.wgsl loads lhs. Not a kernel: shaders.rs prepends it. The kernel
// binds `rhs` as array<RhsWord>.

alias RhsWord = vec4<f32>;

// rhs[row, col..col+3] of an rhs of `shape` (rows, row length); zero outside it.
fn rhs4(row: u32, col: u32, shape: vec2<u32>) -> vec4<f32> {
    let v = rhs[(min(row, shape.x - 1u) * shape.y + min(col, shape.y - 4u)) / 4u];
    return select(vec4<f32>(0.0), v, row < shape.x && col < shape.y);
}

// rhs4 where the caller knows the four lie inside rhs (include/matmul_stage.wgsl's ALIGNED).
fn rhs4_inside(row: u32, col: u32, shape: vec2<u32>) -> vec4<f32> {
    return rhs[(row * shape.y + col) / 4u];
}
