// Global gradient norm, step 2 of 2, and the clipping factor. One workgroup in all.
//   norm     : (1)          √(Σ partials), for the UI
//   scale    : (1)          min(1, max_norm / (norm + eps)); adamw_update.wgsl multiplies grads by it
//   partials : (count)      from grad_norm_partial.wgsl
// CPU reference: crates/playground-core/src/cpu/clip.rs (grad_norm, clip_scale), the rule of
// torch.nn.utils.clip_grad_norm_. A NaN or infinite norm gives a NaN scale, which
// adamw_update.wgsl takes as "refuse this step": the parameters keep their last good values
// and the host sees the bad norm when it reads the step's statistics.

struct Params {
    count: u32,    // number of partials
    max_norm: f32,
    eps: f32,      // clip::CLIP_EPS
    _pad: u32,
}

@group(0) @binding(0) var<storage, read_write> norm: array<f32>;
@group(0) @binding(1) var<storage, read_write> scale: array<f32>;
@group(0) @binding(2) var<storage, read> partials: array<f32>;
@group(0) @binding(3) var<uniform> params: Params;

const WORKGROUP_SIZE: u32 = 256u;

// Tested on the bits (exponent all ones = infinity or NaN): compilers may fold x == x away.
fn is_finite(x: f32) -> bool {
    return (bitcast<u32>(x) & 0x7f800000u) != 0x7f800000u;
}

const QUIET_NAN: u32 = 0x7fc00000u;

// The entry point and workgroup_sum are in include/workgroup_reduce{,_subgroups}.wgsl.
fn run(wid: vec3<u32>, nwg: vec3<u32>, lid: u32) {
    var s = 0.0;
    for (var i = lid; i < params.count; i += WORKGROUP_SIZE) { s += partials[i]; }
    let total = sqrt(workgroup_sum(s));
    if (lid == 0u) {
        norm[0] = total;
        // the NaN is built from a uniform so that no WGSL compiler folds it at compile time
        // (Chrome's rejects a constant NaN)
        let nan = bitcast<f32>(QUIET_NAN | (params.count & 0u));
        scale[0] = select(nan, min(1.0, params.max_norm / (total + params.eps)), is_finite(total));
    }
}
