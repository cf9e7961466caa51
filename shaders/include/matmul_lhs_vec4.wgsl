// The matmuls' loads of lhs where its rows are a multiple of 4 long (matmul.rs checks): bound
// as vec4s, 4 consecutive floats of a row are one 16-byte load. Not a kernel: shaders.rs
// prepends it with a load of rhs (include/matmul_rhs_{vec4,f16,f16_packed}.wgsl); where a row
// length is not a multiple of 4, include/matmul_load_scalar.wgsl loads both. The kernel binds
// `lhs` as array<LhsWord>.

alias LhsWord = vec4<f32>;

// lhs[row, col..col+3] of an lhs of `shape` (rows, row length); zero outside it. col is a
// multiple of 4, so the four lie in the row or past it together. Branch-free: the index is
// clamped inside the matrix and what lies outside zeroed after.
fn lhs4(row: u32, col: u32, shape: vec2<u32>) -> vec4<f32> {
    let v = lhs[(min(row, shape.x - 1u) * shape.y + min(col, shape.y - 4u)) / 4u];
    return select(vec4<f32>(0.0), v, row < shape.x && col < shape.y);
}

// lhs4 where the caller knows the four lie inside lhs (include/matmul_stage.wgsl's ALIGNED).
fn lhs4_inside(row: u32, col: u32, shape: vec2<u32>) -> vec4<f32> {
    return lhs[(row * shape.y + col) / 4u];
}
