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

// The entry point and workgroup_sum are in include/workgroup_reduce{,_subgroups}.wgsl.
fn run(wid: vec3<u32>, nwg: vec3<u32>, lid: u32) {
    var s = 0.0;
    for (var i = lid; i < params.rows; i += WORKGROUP_SIZE) { s += losses[i]; }
    let total = workgroup_sum(s);
    if (lid == 0u) {
        stats[2u * params.slot] = total / f32(params.count);
        stats[2u * params.slot + 1u] = norm[0];
    }
}
