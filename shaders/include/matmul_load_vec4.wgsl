// The tiled matmuls' operand loads where every row length is a multiple of 4 (matmul.rs checks):
// lhs and rhs are bound as vec4s, so 4 consecutive floats of a row are one 16-byte load. Not a
// kernel: shaders.rs prepends it; the twin for other lengths is include/matmul_load_scalar.wgsl.
// The kernel binds `lhs` and `rhs` as array<Word>.

alias Word = vec4<f32>;

// m[row, col..col+3] of an m of `shape` (rows, row length); zero outside it. col is a multiple
// of 4, so the four lie in the row or past it together. Branch-free: the index is clamped
// inside the matrix and what lies outside zeroed after.
fn lhs4(row: u32, col: u32, shape: vec2<u32>) -> vec4<f32> {
    let v = lhs[(min(row, shape.x - 1u) * shape.y + min(col, shape.y - 4u)) / 4u];
    return select(vec4<f32>(0.0), v, row < shape.x && col < shape.y);
}

fn rhs4(row: u32, col: u32, shape: vec2<u32>) -> vec4<f32> {
    let v = rhs[(min(row, shape.x - 1u) * shape.y + min(col, shape.y - 4u)) / 4u];
    return select(vec4<f32>(0.0), v, row < shape.x && col < shape.y);
}
