// The register tile of the tiled matmuls (matmul_forward, matmul_backward_input,
// matmul_backward_weight), 8×8 outputs per invocation, for GPUs: `matmul::Tiles::Small` and
// `Large`. Not a kernel: shaders.rs prepends it (after the sizes, a loader and
// include/matmul_stage.wgsl) to each of them. The twin with 16×16 outputs, for CPU-emulated
// adapters, is include/matmul_tile_16x16.wgsl.
//
// An invocation owns row quads lid.y + j·WORKGROUP_SIZE and column quads
// lid.x + i·WORKGROUP_SIZE (j, i < 2) of the staged slices (include/matmul_stage.wgsl), so
// neighbouring invocations read neighbouring vec4s. Accumulator (4j + r)·2 + i holds row
// 4·(row quad j) + r, the 4 columns of column quad i. Every index below is a constant: an
// emulator keeps a constant-indexed array in registers or on its stack, where a computed index
// would make each access a gather (4× slower, measured).
// The kernel defines write4(row, col, v): out[row, col..col+3] (+)= v within bounds.

alias Acc = array<vec4<f32>, 16>; // 8×8 outputs of one invocation

// acc += (the slice's row `base / QUADS` of a_tile)ᵀ · (that of b_tile), for this invocation's quads.
fn tile_fma(acc: ptr<function, Acc>, base: u32, lid: vec3<u32>) {
    let a0 = a_tile[base + 0u * WORKGROUP_SIZE + lid.y];
    let a1 = a_tile[base + 1u * WORKGROUP_SIZE + lid.y];
    let b0 = b_tile[base + 0u * WORKGROUP_SIZE + lid.x];
    let b1 = b_tile[base + 1u * WORKGROUP_SIZE + lid.x];
    (*acc)[0] = fma(vec4<f32>(a0.x), b0, (*acc)[0]); (*acc)[1] = fma(vec4<f32>(a0.x), b1, (*acc)[1]);
    (*acc)[2] = fma(vec4<f32>(a0.y), b0, (*acc)[2]); (*acc)[3] = fma(vec4<f32>(a0.y), b1, (*acc)[3]);
    (*acc)[4] = fma(vec4<f32>(a0.z), b0, (*acc)[4]); (*acc)[5] = fma(vec4<f32>(a0.z), b1, (*acc)[5]);
    (*acc)[6] = fma(vec4<f32>(a0.w), b0, (*acc)[6]); (*acc)[7] = fma(vec4<f32>(a0.w), b1, (*acc)[7]);
    (*acc)[8] = fma(vec4<f32>(a1.x), b0, (*acc)[8]); (*acc)[9] = fma(vec4<f32>(a1.x), b1, (*acc)[9]);
    (*acc)[10] = fma(vec4<f32>(a1.y), b0, (*acc)[10]); (*acc)[11] = fma(vec4<f32>(a1.y), b1, (*acc)[11]);
    (*acc)[12] = fma(vec4<f32>(a1.z), b0, (*acc)[12]); (*acc)[13] = fma(vec4<f32>(a1.z), b1, (*acc)[13]);
    (*acc)[14] = fma(vec4<f32>(a1.w), b0, (*acc)[14]); (*acc)[15] = fma(vec4<f32>(a1.w), b1, (*acc)[15]);
}

// Writes the invocation's outputs of the block at (row0, col0) through the kernel's write4.
fn tile_write(acc: ptr<function, Acc>, row0: u32, col0: u32, lid: vec3<u32>) {
    let r0 = row0 + (0u * WORKGROUP_SIZE + lid.y) * 4u;
    let r1 = row0 + (1u * WORKGROUP_SIZE + lid.y) * 4u;
    let c0 = col0 + (0u * WORKGROUP_SIZE + lid.x) * 4u;
    let c1 = col0 + (1u * WORKGROUP_SIZE + lid.x) * 4u;
    write4(r0, c0, (*acc)[0]); write4(r0, c1, (*acc)[1]);
    write4(r0 + 1u, c0, (*acc)[2]); write4(r0 + 1u, c1, (*acc)[3]);
    write4(r0 + 2u, c0, (*acc)[4]); write4(r0 + 2u, c1, (*acc)[5]);
    write4(r0 + 3u, c0, (*acc)[6]); write4(r0 + 3u, c1, (*acc)[7]);
    write4(r1, c0, (*acc)[8]); write4(r1, c1, (*acc)[9]);
    write4(r1 + 1u, c0, (*acc)[10]); write4(r1 + 1u, c1, (*acc)[11]);
    write4(r1 + 2u, c0, (*acc)[12]); write4(r1 + 2u, c1, (*acc)[13]);
    write4(r1 + 3u, c0, (*acc)[14]); write4(r1 + 3u, c1, (*acc)[15]);
}

// acc += the block's product over steps first .. end of the summed axis (end − first a
// multiple of BK, or end the axis' length: the loaders zero what lies past it). The next
// slice is loaded into registers while the current one is multiplied, then stored into the
// other slot: one barrier per slice, and the loads' latency hidden behind the arithmetic.
// With sum_a, invocation q < QUADS also returns the sum of A's quad q over the steps.
fn multiply(acc: ptr<function, Acc>, row0: u32, col0: u32, first: u32, end: u32, lid: vec3<u32>, sum_a: bool) -> vec4<f32> {
    let tid = lid.y * WORKGROUP_SIZE + lid.x;
    var a_next: array<vec4<f32>, LOADS>;
    var b_next: array<vec4<f32>, LOADS>;
    var a_sum = vec4<f32>(0.0);
    stage(0u, row0, col0, first, tid);
    workgroupBarrier();
    var slot = 0u;
    for (var k0 = first; k0 < end; k0 += BK) {
        let more = k0 + BK < end; // uniform
        if (more) {
            for (var i = 0u; i < LOADS; i++) {
                a_next[i] = fetch_a(row0, k0 + BK, tid + i * THREADS);
                b_next[i] = fetch_b(col0, k0 + BK, tid + i * THREADS);
            }
        }
        // written out 8 steps at a time (BK is 8 or 16): no loop counter, and every step's
        // workgroup-memory address an offset from one base
        for (var kk = 0u; kk < BK; kk += 8u) {
            let base = (slot * BK + kk) * QUADS;
            tile_fma(acc, base, lid);
            tile_fma(acc, base + QUADS, lid);
            tile_fma(acc, base + 2u * QUADS, lid);
            tile_fma(acc, base + 3u * QUADS, lid);
            tile_fma(acc, base + 4u * QUADS, lid);
            tile_fma(acc, base + 5u * QUADS, lid);
            tile_fma(acc, base + 6u * QUADS, lid);
            tile_fma(acc, base + 7u * QUADS, lid);
        }
        if (sum_a && tid < QUADS) { a_sum += slice_sum_a(slot, tid); }
        if (more) {
            for (var i = 0u; i < LOADS; i++) {
                put_a(1u - slot, tid + i * THREADS, a_next[i]);
                put_b(1u - slot, tid + i * THREADS, b_next[i]);
            }
        }
        workgroupBarrier();
        slot = 1u - slot;
    }
    return a_sum;
}
