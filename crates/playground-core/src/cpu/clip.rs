//! Global-norm gradient clipping, CPU reference for `shaders/grad_norm_*.wgsl`.
//! Same rule as `torch.nn.utils.clip_grad_norm_`:
//!   norm  = √(Σ g²) over every gradient of the model
//!   scale = min(1, max_norm / (norm + ε)),  ε = 1e-6
//! AdamW then reads g·scale (the `grad_scale` argument of `adamw_update`).

/// ε added to the norm before dividing, as torch does.
pub const CLIP_EPS: f32 = 1e-6;

/// √(Σ g²), accumulated in f64.
pub fn grad_norm(grads: &[f32], // (N)
) -> f32 {
    // a fold from +0 (f64's Sum starts at −0, which would make the norm of nothing −0)
    grads.iter().fold(0.0f64, |acc, &g| acc + g as f64 * g as f64).sqrt() as f32
}

/// The factor the gradients are multiplied by: 1 when `norm ≤ max_norm` (up to ε). A NaN or
/// infinite norm gives NaN, which `adamw_update` takes as "refuse this step": a broken step
/// changes nothing and is never hidden.
pub fn clip_scale(norm: f32, max_norm: f32) -> f32 {
    if !norm.is_finite() {
        return f32::NAN;
    }
    (max_norm / (norm + CLIP_EPS)).min(1.0)
}
