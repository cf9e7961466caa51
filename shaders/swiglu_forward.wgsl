// SwiGLU gate, one invocation per output element (row, i).
//   out : (rows, H)    out[r, i] = SiLU(g)·u, g = inp[r, i], u = inp[r, H + i]
//   inp : (rows, 2H)   c_fc's output: gate columns first, then up
// CPU reference: crates/playground-core/src/cpu/swiglu.rs (swiglu_forward)

struct Params {
    n: u32, // rows * H
    h: u32,
    _pad0: u32,
    _pad1: u32,
}

@group(0) @binding(0) var<storage, read_write> out: array<f32>;
@group(0) @binding(1) var<storage, read> inp: array<f32>;
@group(0) @binding(2) var<uniform> params: Params;

const WORKGROUP_SIZE: u32 = 256u;

@compute @workgroup_size(WORKGROUP_SIZE)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
    let j = gid.y * nwg.x * WORKGROUP_SIZE + gid.x;
    if (j >= params.n) { return; }
    let r = j / params.h;
    let i = j % params.h;
    let g = inp[r * 2u * params.h + i];
    let u = inp[r * 2u * params.h + params.h + i];
    out[j] = g / (1.0 + exp(-g)) * u;
}
