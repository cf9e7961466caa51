// Softmax over the vocabulary and, when targets are given, cross-entropy.
// One workgroup per row; the max and the normalizer are reduced in workgroup memory.
//   probs   : (rows, V)    softmax(logits)
//   losses  : (rows)       −log softmax(logits)[target] = lse − logit[target]; has_targets = 1 only
//   logits  : (rows, V)
//   targets : (rows) u32   read only when has_targets = 1; IGNORE (0xffffffff) gives the row loss 0
// CPU reference: crates/playground-core/src/cpu/softmax_xent.rs (softmax_xent_forward)

struct Params {
    rows: u32,
    v: u32,
    has_targets: u32,
    _pad: u32,
}

@group(0) @binding(0) var<storage, read_write> probs: array<f32>;
@group(0) @binding(1) var<storage, read_write> losses: array<f32>;
@group(0) @binding(2) var<storage, read> logits: array<f32>;
@group(0) @binding(3) var<storage, read> targets: array<u32>;
@group(0) @binding(4) var<uniform> params: Params;

const WORKGROUP_SIZE: u32 = 64u;
const IGNORE: u32 = 0xffffffffu; // a row outside the loss (cpu::IGNORE)
const MOST_NEGATIVE: f32 = -0x1.fffffep+127f; // the most negative finite f32; WGSL has no infinity literal

var<workgroup> partial: array<f32, WORKGROUP_SIZE>;

fn workgroup_max(lid: u32, v: f32) -> f32 {
    partial[lid] = v;
    workgroupBarrier();
    for (var stride = WORKGROUP_SIZE / 2u; stride > 0u; stride = stride / 2u) {
        if (lid < stride) { partial[lid] = max(partial[lid], partial[lid + stride]); }
        workgroupBarrier();
    }
    let total = partial[0];
    workgroupBarrier();
    return total;
}

fn workgroup_sum(lid: u32, v: f32) -> f32 {
    partial[lid] = v;
    workgroupBarrier();
    for (var stride = WORKGROUP_SIZE / 2u; stride > 0u; stride = stride / 2u) {
        if (lid < stride) { partial[lid] += partial[lid + stride]; }
        workgroupBarrier();
    }
    let total = partial[0];
    workgroupBarrier();
    return total;
}

@compute @workgroup_size(WORKGROUP_SIZE)
fn main(
    @builtin(workgroup_id) wid: vec3<u32>,
    @builtin(num_workgroups) nwg: vec3<u32>,
    @builtin(local_invocation_index) lid: u32,
) {
    let row = wid.y * nwg.x + wid.x;
    if (row >= params.rows) { return; }
    let v = params.v;
    let base = row * v;

    var mx = MOST_NEGATIVE;
    for (var i = lid; i < v; i += WORKGROUP_SIZE) { mx = max(mx, logits[base + i]); }
    mx = workgroup_max(lid, mx);
    var s = 0.0;
    for (var i = lid; i < v; i += WORKGROUP_SIZE) { s += exp(logits[base + i] - mx); }
    s = workgroup_sum(lid, s);

    for (var i = lid; i < v; i += WORKGROUP_SIZE) { probs[base + i] = exp(logits[base + i] - mx) / s; }
    if (lid == 0u && params.has_targets != 0u) {
        let tgt = targets[row];
        losses[row] = select(mx + log(s) - logits[base + min(tgt, v - 1u)], 0.0, tgt == IGNORE);
    }
}
