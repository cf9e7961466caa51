// The register tile of the tiled matmuls (matmul_forward, matmul_backward_input,
// matmul_backward_weight), 16×16 outputs per invocation, for CPU-emulated adapters (SwiftShader,
// lavapipe): `matmul::Tiles::Emulated`. Not a kernel: shaders.rs prepends it (after the sizes,
// a loader and include/matmul_stage.wgsl) to each of them. The twin for GPUs is
// include/matmul_tile_8x8.wgsl.
// On an emulator an invocation is a SIMD lane and every load from workgroup memory is a
// per-lane gather, while a register spilled to the stack costs a plain vector load: 16×16
// outputs need 8 vec4 loads per 256 fma where 8×8 need 4 per 64, and took about a fifth less time
// in Chromium's SwiftShader (docs/PERFORMANCE.md). On a GPU 64 vec4 accumulators would not
// fit in registers, so GPUs keep the 8×8 tile.
//
// An invocation owns row quads lid.y + j·WORKGROUP_SIZE and column quads
// lid.x + i·WORKGROUP_SIZE (j, i < 4) of the staged slices (include/matmul_stage.wgsl), so
// neighbouring invocations read neighbouring vec4s. Accumulator (4j + r)·4 + i holds row
// 4·(row quad j) + r, the 4 columns of column quad i.
// Every index below is a constant: an emulator keeps a constant-indexed array in registers or
// on its stack, where a computed index would make each access a gather (4× slower, measured).
// The kernel defines write4(row, col, v): out[row, col..col+3] (+)= v within bounds.

alias Acc = array<vec4<f32>, 64>; // 16×16 outputs of one invocation

// acc += (the slice's row `base / QUADS` of a_tile)ᵀ · (that of b_tile), for this invocation's quads.
fn tile_fma(acc: ptr<function, Acc>, base: u32, lid: vec3<u32>) {
    let a0 = a_tile[base + 0u * WORKGROUP_SIZE + lid.y];
    let a1 = a_tile[base + 1u * WORKGROUP_SIZE + lid.y];
    let a2 = a_tile[base + 2u * WORKGROUP_SIZE + lid.y];
    let a3 = a_tile[base + 3u * WORKGROUP_SIZE + lid.y];
    let b0 = b_tile[base + 0u * WORKGROUP_SIZE + lid.x];
    let b1 = b_tile[base + 1u * WORKGROUP_SIZE + lid.x];
    let b2 = b_tile[base + 2u * WORKGROUP_SIZE + lid.x];
    let b3 = b_tile[base + 3u * WORKGROUP_SIZE + lid.x];
    (*acc)[0] = fma(vec4<f32>(a0.x), b0, (*acc)[0]); (*acc)[1] = fma(vec4<f32>(a0.x), b1, (*acc)[1]); (*acc)[2] = fma(vec4<f32>(a0.x), b2, (*acc)[2]); (*acc)[3] = fma(vec4<f32>(a0.x), b3, (*acc)[3]);
    (*acc)[4] = fma(vec4<f32>(a0.y), b0, (*acc)[4]); (*acc)[5] = fma(vec4<f32>(a0.y), b1, (*acc)[5]); (*acc)[6] = fma(vec4<f32>(a0.y), b2, (*acc)[6]); (*acc)[7] = fma(vec4<f32>(a0.y), b3, (*acc)[7]);
    (*acc)[8] = fma(vec4<f32>(a0.z), b0, (*acc)[8]); (*acc)[9] = fma(vec4<f32>(a0.z), b1, (*acc)[9]); (*acc)[10] = fma(vec4<f32>(a0.z), b2, (*acc)[10]); (*acc)[11] = fma(vec4<f32>(a0.z), b3, (*acc)[11]);
    (*acc)[12] = fma(vec4<f32>(a0.w), b0, (*acc)[12]); (*acc)[13] = fma(vec4<f32>(a0.w), b1, (*acc)[13]); (*acc)[14] = fma(vec4<f32>(a0.w), b2, (*acc)[14]); (*acc)[15] = fma(vec4<f32>(a0.w), b3, (*acc)[15]);
    (*acc)[16] = fma(vec4<f32>(a1.x), b0, (*acc)[16]); (*acc)[17] = fma(vec4<f32>(a1.x), b1, (*acc)[17]); (*acc)[18] = fma(vec4<f32>(a1.x), b2, (*acc)[18]); (*acc)[19] = fma(vec4<f32>(a1.x), b3, (*acc)[19]);
    (*acc)[20] = fma(vec4<f32>(a1.y), b0, (*acc)[20]); (*acc)[21] = fma(vec4<f32>(a1.y), b1, (*acc)[21]); (*acc)[22] = fma(vec4<f32>(a1.y), b2, (*acc)[22]); (*acc)[23] = fma(vec4<f32>(a1.y), b3, (*acc)[23]);
    (*acc)[24] = fma(vec4<f32>(a1.z), b0, (*acc)[24]); (*acc)[25] = fma(vec4<f32>(a1.z), b1, (*acc)[25]); (*acc)[26] = fma(vec4<f32>(a1.z), b2, (*acc)[26]); (*acc)[27] = fma(vec4<f32>(a1.z), b3, (*acc)[27]);
    (*acc)[28] = fma(vec4<f32>(a1.w), b0, (*acc)[28]); (*acc)[29] = fma(vec4<f32>(a1.w), b1, (*acc)[29]); (*acc)[30] = fma(vec4<f32>(a1.w), b2, (*acc)[30]); (*acc)[31] = fma(vec4<f32>(a1.w), b3, (*acc)[31]);
    (*acc)[32] = fma(vec4<f32>(a2.x), b0, (*acc)[32]); (*acc)[33] = fma(vec4<f32>(a2.x), b1, (*acc)[33]); (*acc)[34] = fma(vec4<f32>(a2.x), b2, (*acc)[34]); (*acc)[35] = fma(vec4<f32>(a2.x), b3, (*acc)[35]);
    (*acc)[36] = fma(vec4<f32>(a2.y), b0, (*acc)[36]); (*acc)[37] = fma(vec4<f32>(a2.y), b1, (*acc)[37]); (*acc)[38] = fma(vec4<f32>(a2.y), b2, (*acc)[38]); (*acc)[39] = fma(vec4<f32>(a2.y), b3, (*acc)[39]);
    (*acc)[40] = fma(vec4<f32>(a2.z), b0, (*acc)[40]); (*acc)[41] = fma(vec4<f32>(a2.z), b1, (*acc)[41]); (*acc)[42] = fma(vec4<f32>(a2.z), b2, (*acc)[42]); (*acc)[43] = fma(vec4<f32>(a2.z), b3, (*acc)[43]);
    (*acc)[44] = fma(vec4<f32>(a2.w), b0, (*acc)[44]); (*acc)[45] = fma(vec4<f32>(a2.w), b1, (*acc)[45]); (*acc)[46] = fma(vec4<f32>(a2.w), b2, (*acc)[46]); (*acc)[47] = fma(vec4<f32>(a2.w), b3, (*acc)[47]);
    (*acc)[48] = fma(vec4<f32>(a3.x), b0, (*acc)[48]); (*acc)[49] = fma(vec4<f32>(a3.x), b1, (*acc)[49]); (*acc)[50] = fma(vec4<f32>(a3.x), b2, (*acc)[50]); (*acc)[51] = fma(vec4<f32>(a3.x), b3, (*acc)[51]);
    (*acc)[52] = fma(vec4<f32>(a3.y), b0, (*acc)[52]); (*acc)[53] = fma(vec4<f32>(a3.y), b1, (*acc)[53]); (*acc)[54] = fma(vec4<f32>(a3.y), b2, (*acc)[54]); (*acc)[55] = fma(vec4<f32>(a3.y), b3, (*acc)[55]);
    (*acc)[56] = fma(vec4<f32>(a3.z), b0, (*acc)[56]); (*acc)[57] = fma(vec4<f32>(a3.z), b1, (*acc)[57]); (*acc)[58] = fma(vec4<f32>(a3.z), b2, (*acc)[58]); (*acc)[59] = fma(vec4<f32>(a3.z), b3, (*acc)[59]);
    (*acc)[60] = fma(vec4<f32>(a3.w), b0, (*acc)[60]); (*acc)[61] = fma(vec4<f32>(a3.w), b1, (*acc)[61]); (*acc)[62] = fma(vec4<f32>(a3.w), b2, (*acc)[62]); (*acc)[63] = fma(vec4<f32>(a3.w), b3, (*acc)[63]);
}

// Writes the invocation's outputs of the block at (row0, col0) through the kernel's write4.
fn tile_write(acc: ptr<function, Acc>, row0: u32, col0: u32, lid: vec3<u32>) {
    let r0 = row0 + (0u * WORKGROUP_SIZE + lid.y) * 4u;
    let r1 = row0 + (1u * WORKGROUP_SIZE + lid.y) * 4u;
    let r2 = row0 + (2u * WORKGROUP_SIZE + lid.y) * 4u;
    let r3 = row0 + (3u * WORKGROUP_SIZE + lid.y) * 4u;
    let c0 = col0 + (0u * WORKGROUP_SIZE + lid.x) * 4u;
    let c1 = col0 + (1u * WORKGROUP_SIZE + lid.x) * 4u;
    let c2 = col0 + (2u * WORKGROUP_SIZE + lid.x) * 4u;
    let c3 = col0 + (3u * WORKGROUP_SIZE + lid.x) * 4u;
    write4(r0, c0, (*acc)[0]); write4(r0, c1, (*acc)[1]); write4(r0, c2, (*acc)[2]); write4(r0, c3, (*acc)[3]);
    write4(r0 + 1u, c0, (*acc)[4]); write4(r0 + 1u, c1, (*acc)[5]); write4(r0 + 1u, c2, (*acc)[6]); write4(r0 + 1u, c3, (*acc)[7]);
    write4(r0 + 2u, c0, (*acc)[8]); write4(r0 + 2u, c1, (*acc)[9]); write4(r0 + 2u, c2, (*acc)[10]); write4(r0 + 2u, c3, (*acc)[11]);
    write4(r0 + 3u, c0, (*acc)[12]); write4(r0 + 3u, c1, (*acc)[13]); write4(r0 + 3u, c2, (*acc)[14]); write4(r0 + 3u, c3, (*acc)[15]);
    write4(r1, c0, (*acc)[16]); write4(r1, c1, (*acc)[17]); write4(r1, c2, (*acc)[18]); write4(r1, c3, (*acc)[19]);
    write4(r1 + 1u, c0, (*acc)[20]); write4(r1 + 1u, c1, (*acc)[21]); write4(r1 + 1u, c2, (*acc)[22]); write4(r1 + 1u, c3, (*acc)[23]);
    write4(r1 + 2u, c0, (*acc)[24]); write4(r1 + 2u, c1, (*acc)[25]); write4(r1 + 2u, c2, (*acc)[26]); write4(r1 + 2u, c3, (*acc)[27]);
    write4(r1 + 3u, c0, (*acc)[28]); write4(r1 + 3u, c1, (*acc)[29]); write4(r1 + 3u, c2, (*acc)[30]); write4(r1 + 3u, c3, (*acc)[31]);
    write4(r2, c0, (*acc)[32]); write4(r2, c1, (*acc)[33]); write4(r2, c2, (*acc)[34]); write4(r2, c3, (*acc)[35]);
    write4(r2 + 1u, c0, (*acc)[36]); write4(r2 + 1u, c1, (*acc)[37]); write4(r2 + 1u, c2, (*acc)[38]); write4(r2 + 1u, c3, (*acc)[39]);
    write4(r2 + 2u, c0, (*acc)[40]); write4(r2 + 2u, c1, (*acc)[41]); write4(r2 + 2u, c2, (*acc)[42]); write4(r2 + 2u, c3, (*acc)[43]);
    write4(r2 + 3u, c0, (*acc)[44]); write4(r2 + 3u, c1, (*acc)[45]); write4(r2 + 3u, c2, (*acc)[46]); write4(r2 + 3u, c3, (*acc)[47]);
    write4(r3, c0, (*acc)[48]); write4(r3, c1, (*acc)[49]); write4(r3, c2, (*acc)[50]); write4(r3, c3, (*acc)[51]);
    write4(r3 + 1u, c0, (*acc)[52]); write4(r3 + 1u, c1, (*acc)[53]); write4(r3 + 1u, c2, (*acc)[54]); write4(r3 + 1u, c3, (*acc)[55]);
    write4(r3 + 2u, c0, (*acc)[56]); write4(r3 + 2u, c1, (*acc)[57]); write4(r3 + 2u, c2, (*acc)[58]); write4(r3 + 2u, c3, (*acc)[59]);
    write4(r3 + 3u, c0, (*acc)[60]); write4(r3 + 3u, c1, (*acc)[61]); write4(r3 + 3u, c2, (*acc)[62]); write4(r3 + 3u, c3, (*acc)[63]);
}

// acc += the block's product over steps first .. end of the summed axis, as the 8×8 tile's
// multiply, but with one slot (SLOTS = 1) and two barriers a slice: an emulator has no memory
// latency to hide, and with two slots (16 KiB of workgroup memory, not 8) the forward and the
// input gradient took about a tenth more CPU time in Chromium's SwiftShader (docs/PERFORMANCE.md,
// issue 18; likely Dawn's zero-fill of every workgroup's memory before it starts, not verified).
fn multiply(acc: ptr<function, Acc>, row0: u32, col0: u32, first: u32, end: u32, lid: vec3<u32>, sum_a: bool) -> vec4<f32> {
    let tid = lid.y * WORKGROUP_SIZE + lid.x;
    var a_sum = vec4<f32>(0.0);
    for (var k0 = first; k0 < end; k0 += BK) {
        stage(0u, row0, col0, k0, tid);
        workgroupBarrier();
        for (var kk = 0u; kk < BK; kk++) {
            tile_fma(acc, kk * QUADS, lid);
        }
        if (sum_a && tid < QUADS) { a_sum += slice_sum_a(0u, tid); }
        workgroupBarrier();
    }
    return a_sum;
}
