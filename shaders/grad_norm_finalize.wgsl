// Global gradient norm, step 2 of 2, and the clipping factor. One workgroup in all.
//   norm     : (1)          √(Σ partials), for the UI
//   scale    : (1)          min(1, max_norm / (norm + eps)); adamw_update.wgsl multiplies grads by it
//   partials : (count)      from grad_norm_partial.wgsl
// CPU reference: crates/playground-core/src/cpu/clip.rs (grad_norm, clip_scale), the rule of
// torch.nn.utils.clip_grad_norm_. A NaN norm gives a NaN scale (as torch's clamp does), so a
// broken step shows up in the parameters instead of being hidden.

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

var<workgroup> partial: array<f32, WORKGROUP_SIZE>;

// NaN test on the bits: exponent all ones and a non-zero mantissa (comparisons of NaN with
// itself may be optimized away by shader compilers).
fn is_nan(x: f32) -> bool {
    let bits = bitcast<u32>(x);
    return (bits & 0x7f800000u) == 0x7f800000u && (bits & 0x007fffffu) != 0u;
}

@compute @workgroup_size(WORKGROUP_SIZE)
fn main(@builtin(local_invocation_index) lid: u32) {
    var s = 0.0;
    for (var i = lid; i < params.count; i += WORKGROUP_SIZE) { s += partials[i]; }
    partial[lid] = s;
    workgroupBarrier();
    for (var stride = WORKGROUP_SIZE / 2u; stride > 0u; stride = stride / 2u) {
        if (lid < stride) { partial[lid] += partial[lid + stride]; }
        workgroupBarrier();
    }
    if (lid == 0u) {
        let total = sqrt(partial[0]);
        norm[0] = total;
        scale[0] = select(min(1.0, params.max_norm / (total + params.eps)), total, is_nan(total));
    }
}
