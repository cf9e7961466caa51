// Softmax + cross-entropy, fused backward. One invocation per element (row, i) of dlogits.
//   dlogits : (rows, V)    dlogits[row, i] = (probs[row, i] − [i = targets[row]])·dlosses[row],
//                          0 in an IGNORE row; stored (each element has one writer)
//   dlosses : (rows)       gradient of each row's loss (1/counted rows for a mean loss)
//   probs   : (rows, V)    kept by softmax_xent_forward
//   targets : (rows) u32   IGNORE (0xffffffff): the row is outside the loss, its gradient 0
// CPU reference: crates/playground-core/src/cpu/softmax_xent.rs (softmax_xent_backward)
//
// forward was: losses[row] = −log softmax(logits[row])[targets[row]]; its gradient with respect
// to the logits is probs − onehot(target). The grid is two-dimensional so rows·V may exceed
// 65535 workgroups of one row.

struct Params {
    rows: u32,
    v: u32,
    _pad0: u32,
    _pad1: u32,
}

@group(0) @binding(0) var<storage, read_write> dlogits: array<f32>;
@group(0) @binding(1) var<storage, read> dlosses: array<f32>;
@group(0) @binding(2) var<storage, read> probs: array<f32>;
@group(0) @binding(3) var<storage, read> targets: array<u32>;
@group(0) @binding(4) var<uniform> params: Params;

const WORKGROUP_SIZE: u32 = 256u;
const IGNORE: u32 = 0xffffffffu; // cpu::IGNORE

@compute @workgroup_size(WORKGROUP_SIZE)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
    let i = gid.y * nwg.x * WORKGROUP_SIZE + gid.x;
    if (i >= params.rows * params.v) { return; }
    let row = i / params.v;
    if (targets[row] == IGNORE) {
        dlogits[i] = 0.0;
        return;
    }
    let indicator = select(0.0, 1.0, i % params.v == targets[row]);
    dlogits[i] = (probs[i] - indicator) * dlosses[row];
}
