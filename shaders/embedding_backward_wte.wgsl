// Token embedding, backward. One invocation per element (v, c) of dwte.
//   dwte   : (V, C)         dwte[v, c] += Σ over positions (b, t) with tokens[b, t] = v of dout[b, t, c]
//   dout   : (B, T, C)
//   tokens : (B, T) u32
// CPU reference: crates/playground-core/src/cpu/embedding.rs (embedding_backward)
//
// forward was: out[b, t, :] = wte[tokens[b, t], :] + wpe[t, :]
// Each invocation scans all B·T tokens and adds the matching rows in position order, the
// CPU's order, starting from dwte's current value: deterministic, no atomics, and equal to
// the CPU bit for bit. The grid is two-dimensional so V·C may exceed 65535 workgroups of one row.

struct Params {
    b: u32,
    t: u32,
    c: u32,
    v: u32,
}

@group(0) @binding(0) var<storage, read_write> dwte: array<f32>;
@group(0) @binding(1) var<storage, read> dout: array<f32>;
@group(0) @binding(2) var<storage, read> tokens: array<u32>;
@group(0) @binding(3) var<uniform> params: Params;

const WORKGROUP_SIZE: u32 = 256u;

@compute @workgroup_size(WORKGROUP_SIZE)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
    let i = gid.y * nwg.x * WORKGROUP_SIZE + gid.x;
    let c = params.c;
    if (i >= params.v * c) { return; }
    let v = i / c;
    let ch = i % c;
    var acc = dwte[i];
    for (var bt = 0u; bt < params.b * params.t; bt++) {
        if (tokens[bt] == v) { acc += dout[bt * c + ch]; }
    }
    dwte[i] = acc;
}
