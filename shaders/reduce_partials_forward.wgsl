// The second stage of a split forward matmul (matmul_forward.wgsl with PARTIAL): the
// slices' raw sums added up, then the forward's epilogue.
//   ACT = 0:  out (M, N) = Σ_z partials[z, M·N] + bias (N)
//   ACT ≠ 0:  pre (M, N) = Σ_z partials[z] + bias,  out = act(pre)
//   partials : (slices, M·N), slices = ⌈K / split⌉
// The uniform is the first stage's (include/matmul_epilogue.wgsl's Params, with store_output:
// the same bias as one slice runs, and the pipeline is built for the same activation, so every
// output means what it did).
// CPU reference: crates/playground-core/src/cpu/matmul.rs (matmul_forward, matmul_forward_act);
// tests/tests/gpu_vs_cpu/matmul.rs runs both stages.
//
// One invocation per output element, reading its column of partials, as reduce_partials.wgsl.

@group(0) @binding(0) var<storage, read_write> out: array<f32>;
@group(0) @binding(1) var<storage, read_write> pre: array<f32>; // (M, N) when ACT ≠ 0
@group(0) @binding(2) var<storage, read> partials: array<f32>;
@group(0) @binding(3) var<storage, read> bias: array<f32>; // a placeholder when has_bias is 0
@group(0) @binding(4) var<uniform> params: Params;

const WORKGROUP_SIZE: u32 = 256u;

@compute @workgroup_size(WORKGROUP_SIZE)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
    let i = gid.y * nwg.x * WORKGROUP_SIZE + gid.x;
    let len = params.m * params.n;
    if (i >= len) { return; }
    let slices = (params.k + params.split - 1u) / params.split;
    var s = 0.0;
    for (var z = 0u; z < slices; z++) { s += partials[z * len + i]; }
    store_output(i / params.n, i % params.n, s);
}
