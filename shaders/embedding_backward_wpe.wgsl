// Position embedding, backward. One invocation per element (t, c) of the first T rows of dwpe.
//   dwpe : (maxT, C)     dwpe[t, c] += Σ_b dout[b, t, c]; rows t ≥ T are not touched
//   dout : (B, T, C)
// CPU reference: crates/playground-core/src/cpu/embedding.rs (embedding_backward)
//
// forward was: out[b, t, :] = wte[tokens[b, t], :] + wpe[t, :]
// Sums over b in order, starting from dwpe's current value, as the CPU does.

struct Params { // EmbeddingParams of kernels/embedding.rs; add_pos and pos0 are not used here
    b: u32,
    t: u32,
    c: u32,
    _add_pos: u32,
    _pos0: u32,
    _pad0: u32,
    _pad1: u32,
    _pad2: u32,
}

@group(0) @binding(0) var<storage, read_write> dwpe: array<f32>;
@group(0) @binding(1) var<storage, read> dout: array<f32>;
@group(0) @binding(2) var<uniform> params: Params;

const WORKGROUP_SIZE: u32 = 256u;

@compute @workgroup_size(WORKGROUP_SIZE)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
    let i = gid.y * nwg.x * WORKGROUP_SIZE + gid.x; // = t·C + c
    let tc = params.t * params.c;
    if (i >= tc) { return; }
    var acc = dwpe[i];
    for (var b = 0u; b < params.b; b++) { acc += dout[b * tc + i]; }
    dwpe[i] = acc;
}
