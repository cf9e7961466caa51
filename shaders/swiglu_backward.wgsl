// SwiGLU gate backward, one invocation per output element (row, i); it writes the gradient
// of both its gate and its up input, so every element of dinp has one writer and is stored.
//   dinp : (rows, 2H)   dg = dout·u·σ(g)·(1 + g·(1 − σ(g))),  du = dout·g·σ(g)
//   inp  : (rows, 2H)   dout : (rows, H)
// CPU reference: crates/playground-core/src/cpu/swiglu.rs (swiglu_backward)
//
// forward was: out = g·σ(g)·u.

struct Params {
    n: u32, // rows * H
    h: u32,
    _pad0: u32,
    _pad1: u32,
}

@group(0) @binding(0) var<storage, read_write> dinp: array<f32>;
@group(0) @binding(1) var<storage, read> inp: array<f32>;
@group(0) @binding(2) var<storage, read> dout: array<f32>;
@group(0) @binding(3) var<uniform> params: Params;

const WORKGROUP_SIZE: u32 = 256u;

@compute @workgroup_size(WORKGROUP_SIZE)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
    let j = gid.y * nwg.x * WORKGROUP_SIZE + gid.x;
    if (j >= params.n) { return; }
    let r = j / params.h;
    let i = j % params.h;
    let gi = r * 2u * params.h + i;
    let ui = gi + params.h;
    let g = inp[gi];
    let u = inp[ui];
    let d = dout[j];
    let s = 1.0 / (1.0 + exp(-g));
    dinp[gi] = d * u * s * (1.0 + g * (1.0 - s));
    dinp[ui] = d * g * s;
}
