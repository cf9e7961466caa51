// The second stage of a two-stage sum: the rows of `partials`, each one slice's sums (split-K
// weight gradients: matmul_backward_weight.wgsl; column sums by chunks of rows:
// layernorm_backward_params.wgsl, rmsnorm_backward_params.wgsl), added up and added to the
// gradients they belong to.
//   out_a    : (len_a)               out_a[i] (+)= Σ_z partials[z·stride + i]
//                                    (ACT ≠ 0: (+)= act'(pre[i])·Σ_z …, a split input gradient
//                                    with the activation's backward: matmul_backward_input.wgsl)
//   out_b    : (len_b)               out_b[i] (+)= Σ_z partials[z·stride + len_a + i]
// (ACCUMULATE: added to what is there; else stored, for an output with no other writer)
//   partials : (slices, stride)      stride ≥ len_a + len_b
// CPU reference: the sums of the first stage's references (crates/playground-core/src/cpu/
// matmul.rs, layernorm.rs, rmsnorm.rs); each stage-one kernel's test runs both stages.
// act_grad is in include/activations.wgsl, prepended by shaders.rs.
//
// One invocation per output element, reading its column of partials: neighbouring
// invocations read neighbouring words of each row. One writer per element.

struct Params {
    len_a: u32,
    len_b: u32,
    slices: u32,
    stride: u32,
}

@group(0) @binding(0) var<storage, read_write> out_a: array<f32>;
@group(0) @binding(1) var<storage, read_write> out_b: array<f32>; // a placeholder when len_b is 0
@group(0) @binding(2) var<storage, read> partials: array<f32>;
@group(0) @binding(3) var<storage, read> pre: array<f32>; // (len_a) when ACT ≠ 0
@group(0) @binding(4) var<uniform> params: Params;

const WORKGROUP_SIZE: u32 = 256u;

// The sums are added to the outputs, or stored over them without reading them (`Write`): a
// pipeline constant, as include/activations.wgsl's ACT says why.
override ACCUMULATE: bool = false;

@compute @workgroup_size(WORKGROUP_SIZE)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
    let i = gid.y * nwg.x * WORKGROUP_SIZE + gid.x;
    if (i >= params.len_a + params.len_b) { return; }
    var s = 0.0;
    for (var z = 0u; z < params.slices; z++) { s += partials[z * params.stride + i]; }
    if (i < params.len_a) {
        if (ACT != 0u) { s *= act_grad(ACT, pre[i]); }
        if (ACCUMULATE) { s += out_a[i]; }
        out_a[i] = s;
    } else {
        let j = i - params.len_a;
        if (ACCUMULATE) { s += out_b[j]; }
        out_b[j] = s;
    }
}
