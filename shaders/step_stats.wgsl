// The statistics of one training step, written into a slot of a history buffer so the host
// can read many steps at once without waiting on each. One workgroup.
//   stats  : (2·SLOTS)   stats[2·slot] = Σ losses / count, stats[2·slot + 1] = norm[0]
//   losses : (rows)      per-position cross-entropy of the step (B·T rows; 0 where ignored)
//   norm   : (1)         the global gradient norm from grad_norm_finalize.wgsl
// CPU reference: crates/playground-core/src/cpu/softmax_xent.rs (mean_loss)

struct Params {
    rows: u32,
    slot: u32,
    count: u32, // rows whose target counts (B·T unless some are IGNORE)
    _pad1: u32,
}

@group(0) @binding(0) var<storage, read_write> stats: array<f32>;
@group(0) @binding(1) var<storage, read> losses: array<f32>;
@group(0) @binding(2) var<storage, read> norm: array<f32>;
@group(0) @binding(3) var<uniform> params: Params;

const WORKGROUP_SIZE: u32 = 256u;

var<workgroup> partial: array<f32, WORKGROUP_SIZE>;

@compute @workgroup_size(WORKGROUP_SIZE)
fn main(@builtin(local_invocation_index) lid: u32) {
    var s = 0.0;
    for (var i = lid; i < params.rows; i += WORKGROUP_SIZE) { s += losses[i]; }
    partial[lid] = s;
    workgroupBarrier();
    for (var stride = WORKGROUP_SIZE / 2u; stride > 0u; stride = stride / 2u) {
        if (lid < stride) { partial[lid] += partial[lid + stride]; }
        workgroupBarrier();
    }
    if (lid == 0u) {
        stats[2u * params.slot] = partial[0] / f32(params.count);
        stats[2u * params.slot + 1u] = norm[0];
    }
}
