// matmul_forward's loads of a weight (rhs) in IEEE half precision, on any device: rhs is bound
// as pairs of u32, each word two halves (the lower one first: a safetensors F16 tensor's bytes
// read as little-endian words), 4 halves of a row in one 8-byte load, widened to f32 by
// unpack2x16float; the input (lhs, include/matmul_lhs_vec4.wgsl) and all arithmetic stay f32.
// K is a multiple of 4. The twin for devices with shader-f16 is include/matmul_rhs_f16.wgsl.
// Not a kernel: shaders.rs prepends it. The kernel binds `rhs` as array<RhsWord>.

alias RhsWord = vec2<u32>;

// rhs[row, col..col+3] of an rhs of `shape` (rows, row length), as f32; zero outside it.
fn rhs4(row: u32, col: u32, shape: vec2<u32>) -> vec4<f32> {
    let w = rhs[(min(row, shape.x - 1u) * shape.y + min(col, shape.y - 4u)) / 4u];
    let v = vec4<f32>(unpack2x16float(w.x), unpack2x16float(w.y));
    return select(vec4<f32>(0.0), v, row < shape.x && col < shape.y);
}

// rhs4 where the caller knows the four lie inside rhs (include/matmul_stage.wgsl's ALIGNED).
fn rhs4_inside(row: u32, col: u32, shape: vec2<u32>) -> vec4<f32> {
    let w = rhs[(row * shape.y + col) / 4u];
    return vec4<f32>(unpack2x16float(w.x), unpack2x16float(w.y));
}
