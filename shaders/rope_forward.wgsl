// Rotary position embedding: turns each (i, i + HS/2) channel pair of every head's
// query and key by the angle θ(t, i), in place; V is left alone. One invocation per pair
// (include/rope_pairs.wgsl finds it).
//   x₁' = x₁·cos θ − x₂·sin θ,   x₂' = x₂·cos θ + x₁·sin θ
//   qkv : (B, T, C + 2·KVC)   Q in columns 0..C (NH heads of HS channels), K in C..C + KVC (NKV heads)
//   cos, sin : (maxT, HS/2)   from crates/playground-core/src/cpu/positions.rs (rope_table)
// CPU reference: crates/playground-core/src/cpu/rope.rs (rope_forward)

@group(0) @binding(0) var<storage, read_write> qkv: array<f32>;
@group(0) @binding(1) var<storage, read> cos_t: array<f32>;
@group(0) @binding(2) var<storage, read> sin_t: array<f32>;
@group(0) @binding(3) var<uniform> params: Params;

@compute @workgroup_size(WORKGROUP_SIZE)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
    let j = gid.y * nwg.x * WORKGROUP_SIZE + gid.x;
    if (j >= params.rows * rope_pairs_per_row()) { return; }
    let p = rope_pair(j);
    let co = cos_t[p.angle];
    let si = sin_t[p.angle];
    let x1 = qkv[p.x1];
    let x2 = qkv[p.x2];
    qkv[p.x1] = x1 * co - x2 * si;
    qkv[p.x2] = x2 * co + x1 * si;
}
