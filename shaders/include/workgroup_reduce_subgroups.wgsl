// include/workgroup_reduce.wgsl with subgroup operations, for devices that have them
// (`GpuContext::subgroups`: native Vulkan; naga 30 takes subgroup operations without the
// `enable subgroups;` a browser wants, and rejects the directive). Each subgroup reduces its
// invocations in registers, its first invocation puts the result in workgroup memory, and every
// invocation reduces those (as many as there are subgroups: 8 in a workgroup of 256 on a GPU
// with 32-wide subgroups). Two barriers a call instead of 2 + log2(WORKGROUP_SIZE). Nothing is
// assumed about which invocations share a subgroup or how wide subgroups are. Not a kernel:
// shaders.rs prepends it.

var<workgroup> partial: array<f32, WORKGROUP_SIZE>;
var<private> subgroup: u32;       // this invocation's subgroup
var<private> subgroups: u32;      // subgroups in the workgroup
var<private> subgroup_first: bool; // the subgroup's first invocation

@compute @workgroup_size(WORKGROUP_SIZE)
fn main(
    @builtin(workgroup_id) wid: vec3<u32>,
    @builtin(num_workgroups) nwg: vec3<u32>,
    @builtin(local_invocation_index) lid: u32,
    @builtin(subgroup_id) sid: u32,
    @builtin(num_subgroups) count: u32,
    @builtin(subgroup_invocation_id) sub_lane: u32,
) {
    subgroup = sid;
    subgroups = count;
    subgroup_first = sub_lane == 0u;
    run(wid, nwg, lid);
}

// Σ v over the workgroup, to every invocation.
fn workgroup_sum(v: f32) -> f32 {
    let s = subgroupAdd(v);
    if (subgroup_first) { partial[subgroup] = s; }
    workgroupBarrier();
    var total = 0.0;
    for (var i = 0u; i < subgroups; i++) { total += partial[i]; }
    workgroupBarrier(); // partial is reused by the next call
    return total;
}

// max v over the workgroup, to every invocation.
fn workgroup_max(v: f32) -> f32 {
    let s = subgroupMax(v);
    if (subgroup_first) { partial[subgroup] = s; }
    workgroupBarrier();
    var total = partial[0];
    for (var i = 1u; i < subgroups; i++) { total = max(total, partial[i]); }
    workgroupBarrier();
    return total;
}
