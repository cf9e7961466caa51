// The tiled matmuls' operand loads for any row length: 4 floats of a row as 4 loads, each
// clamped inside the matrix. Not a kernel: shaders.rs prepends it where a row length is not a
// multiple of 4 (matmul.rs chooses); the twins are include/matmul_{lhs,rhs}_vec4.wgsl. The kernel
// binds `lhs` as array<LhsWord> and `rhs` as array<RhsWord>.

alias LhsWord = f32;
alias RhsWord = f32;

// m[row, col..col+3] of an m of `shape` (rows, row length); zero outside it. Branch-free, as
// include/matmul_lhs_vec4.wgsl.
fn lhs4(row: u32, col: u32, shape: vec2<u32>) -> vec4<f32> {
    let r = min(row, shape.x - 1u) * shape.y;
    let last = shape.y - 1u;
    let v = vec4<f32>(lhs[r + min(col, last)], lhs[r + min(col + 1u, last)], lhs[r + min(col + 2u, last)], lhs[r + min(col + 3u, last)]);
    return select(vec4<f32>(0.0), v, (vec4<u32>(col) + vec4<u32>(0u, 1u, 2u, 3u) < vec4<u32>(shape.y)) & vec4<bool>(row < shape.x));
}

fn rhs4(row: u32, col: u32, shape: vec2<u32>) -> vec4<f32> {
    let r = min(row, shape.x - 1u) * shape.y;
    let last = shape.y - 1u;
    let v = vec4<f32>(rhs[r + min(col, last)], rhs[r + min(col + 1u, last)], rhs[r + min(col + 2u, last)], rhs[r + min(col + 3u, last)]);
    return select(vec4<f32>(0.0), v, (vec4<u32>(col) + vec4<u32>(0u, 1u, 2u, 3u) < vec4<u32>(shape.y)) & vec4<bool>(row < shape.x));
}

// The stage's unchecked loads (include/matmul_stage.wgsl's ALIGNED) are never taken here: a row
// length that is not a multiple of 4 is not one of BK or TILE either, so the launcher does not
// align such a product. They stay checked.
fn lhs4_inside(row: u32, col: u32, shape: vec2<u32>) -> vec4<f32> { return lhs4(row, col, shape); }
fn rhs4_inside(row: u32, col: u32, shape: vec2<u32>) -> vec4<f32> { return rhs4(row, col, shape); }
