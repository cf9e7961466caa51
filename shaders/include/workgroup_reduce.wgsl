// Sums and maxima over a workgroup, in workgroup memory (a tree of halving strides), and the
// entry point of the kernels that use them (grad_norm_partial, grad_norm_finalize, step_stats,
// softmax_xent_forward). Not a kernel: shaders.rs prepends it. Where the device has subgroups
// the same kernels take include/workgroup_reduce_subgroups.wgsl instead, which defines the
// same functions and entry point. The kernel defines WORKGROUP_SIZE (a power of two) and
// run(wid, nwg, lid), and calls the functions from control flow uniform in the workgroup.

var<workgroup> partial: array<f32, WORKGROUP_SIZE>;
var<private> lane: u32;

@compute @workgroup_size(WORKGROUP_SIZE)
fn main(
    @builtin(workgroup_id) wid: vec3<u32>,
    @builtin(num_workgroups) nwg: vec3<u32>,
    @builtin(local_invocation_index) lid: u32,
) {
    lane = lid;
    run(wid, nwg, lid);
}

// Σ v over the workgroup, to every invocation.
fn workgroup_sum(v: f32) -> f32 {
    partial[lane] = v;
    workgroupBarrier();
    for (var stride = WORKGROUP_SIZE / 2u; stride > 0u; stride = stride / 2u) {
        if (lane < stride) { partial[lane] += partial[lane + stride]; }
        workgroupBarrier();
    }
    let total = partial[0];
    workgroupBarrier(); // partial is reused by the next call
    return total;
}

// max v over the workgroup, to every invocation.
fn workgroup_max(v: f32) -> f32 {
    partial[lane] = v;
    workgroupBarrier();
    for (var stride = WORKGROUP_SIZE / 2u; stride > 0u; stride = stride / 2u) {
        if (lane < stride) { partial[lane] = max(partial[lane], partial[lane + stride]); }
        workgroupBarrier();
    }
    let total = partial[0];
    workgroupBarrier();
    return total;
}
