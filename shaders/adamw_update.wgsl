// AdamW update, fused, over one contiguous range of the flat parameter buffer. Elementwise.
//   params, m, v : (N)   updated in place (m, v: first and second moments)
//   grads        : (N)
//   grad_scale   : (1)   the clipping factor from grad_norm_finalize.wgsl (1 = no clipping)
// CPU reference: crates/playground-core/src/cpu/adamw.rs (adamw_update), torch.optim.AdamW:
//   g ← grads·grad_scale
//   m ← β1·m + (1−β1)·g;  v ← β2·v + (1−β2)·g²
//   θ ← θ − lr·( m̂/(√v̂ + ε) + wd·θ ),  m̂ = m/(1−β1^t),  v̂ = v/(1−β2^t)
// The model launches it twice: matrices with weight decay, vectors with wd = 0. The bias
// corrections 1−β^t are computed on the CPU (AdamWParams::bias_corrections) and passed in.
// A non-finite grad_scale (NaN or infinite gradient norm) refuses the step: nothing changes.

struct Params {
    lr: f32,
    beta1: f32,
    beta2: f32,
    eps: f32,
    weight_decay: f32,
    bc1: f32, // 1 − β1^t
    bc2: f32, // 1 − β2^t
    n: u32,
}

@group(0) @binding(0) var<storage, read_write> params: array<f32>;
@group(0) @binding(1) var<storage, read_write> m: array<f32>;
@group(0) @binding(2) var<storage, read_write> v: array<f32>;
@group(0) @binding(3) var<storage, read> grads: array<f32>;
@group(0) @binding(4) var<storage, read> grad_scale: array<f32>;
@group(0) @binding(5) var<uniform> hp: Params;

const WORKGROUP_SIZE: u32 = 256u;

// Tested on the bits (exponent all ones = infinity or NaN): compilers may fold x == x away.
fn is_finite(x: f32) -> bool {
    return (bitcast<u32>(x) & 0x7f800000u) != 0x7f800000u;
}

@compute @workgroup_size(WORKGROUP_SIZE)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
    let i = gid.y * nwg.x * WORKGROUP_SIZE + gid.x;
    let s = grad_scale[0];
    if (i >= hp.n || !is_finite(s)) { return; }
    let g = grads[i] * s;
    let mi = hp.beta1 * m[i] + (1.0 - hp.beta1) * g;
    let vi = hp.beta2 * v[i] + (1.0 - hp.beta2) * g * g;
    m[i] = mi;
    v[i] = vi;
    let mhat = mi / hp.bc1;
    let vhat = vi / hp.bc2;
    params[i] -= hp.lr * (mhat / (sqrt(vhat) + hp.eps) + hp.weight_decay * params[i]);
}
