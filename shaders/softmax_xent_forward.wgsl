// Softmax over the vocabulary and, when targets are given, cross-entropy.
// One workgroup per row; the max and the normalizer are reduced over the workgroup
// (include/workgroup_reduce.wgsl, or with subgroups include/workgroup_reduce_subgroups.wgsl).
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

// The entry point, workgroup_max and workgroup_sum are in include/workgroup_reduce{,_subgroups}.wgsl.
fn run(wid: vec3<u32>, nwg: vec3<u32>, lid: u32) {
    let row = wid.y * nwg.x + wid.x;
    if (row >= params.rows) { return; }
    let v = params.v;
    let base = row * v;

    var mx = MOST_NEGATIVE;
    for (var i = lid; i < v; i += WORKGROUP_SIZE) { mx = max(mx, logits[base + i]); }
    mx = workgroup_max(mx);
    var s = 0.0;
    for (var i = lid; i < v; i += WORKGROUP_SIZE) { s += exp(logits[base + i] - mx); }
    s = workgroup_sum(s);

    for (var i = lid; i < v; i += WORKGROUP_SIZE) { probs[base + i] = exp(logits[base + i] - mx) / s; }
    if (lid == 0u && params.has_targets != 0u) {
        let tgt = targets[row];
        losses[row] = select(mx + log(s) - logits[base + min(tgt, v - 1u)], 0.0, tgt == IGNORE);
    }
}
