//! AdamW (decoupled weight decay), CPU reference for `shaders/adamw_update.wgsl`.
//! Same update as `torch.optim.AdamW`, on gradients scaled by the clipping factor:
//!   g ← grads·grad_scale   (grad_scale from `clip::clip_scale`; 1 leaves them as they are)
//!   m ← β1·m + (1−β1)·g;  v ← β2·v + (1−β2)·g²
//!   θ ← θ − lr·( m̂/(√v̂ + ε) + wd·θ ),  m̂ = m/(1−β1^t),  v̂ = v/(1−β2^t)

/// Hyper-parameters of one AdamW step; `step` counts from 1.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct AdamWParams {
    pub lr: f32,
    pub beta1: f32,
    pub beta2: f32,
    pub eps: f32,
    pub weight_decay: f32,
    pub step: u32,
}

impl AdamWParams {
    /// (1 − β1^t, 1 − β2^t) in f32; the GPU launcher passes these same two numbers.
    pub fn bias_corrections(&self) -> (f32, f32) {
        let t = self.step as i32;
        (1.0 - self.beta1.powi(t), 1.0 - self.beta2.powi(t))
    }
}

/// A non-finite `grad_scale` (the clipping factor of a NaN or infinite gradient norm) refuses
/// the step: params, m and v stay as they were, the last good state.
pub fn adamw_update(
    params: &mut [f32], // (N)
    m: &mut [f32],      // (N)
    v: &mut [f32],      // (N)
    grads: &[f32],      // (N)
    grad_scale: f32,
    hp: &AdamWParams,
    n: usize,
) {
    if !grad_scale.is_finite() {
        return;
    }
    let (bc1, bc2) = hp.bias_corrections();
    for i in 0..n {
        let g = grads[i] * grad_scale;
        m[i] = hp.beta1 * m[i] + (1.0 - hp.beta1) * g;
        v[i] = hp.beta2 * v[i] + (1.0 - hp.beta2) * g * g;
        let mhat = m[i] / bc1;
        let vhat = v[i] / bc2;
        params[i] -= hp.lr * (mhat / (vhat.sqrt() + hp.eps) + hp.weight_decay * params[i]);
    }
}
