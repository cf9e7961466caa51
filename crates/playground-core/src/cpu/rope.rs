//! Rotary position embedding on the queries and keys, in place, CPU reference for
//! `shaders/rope_*.wgsl`.
//!
//! qkv: (B, T, C + 2·KVC), Q in columns 0..C (NH heads of HS channels) and K in C..C + KVC
//! (NKV heads): NH + NKV heads side by side from column 0; V is left alone. Within a head,
//! channel i is paired with channel i + HS/2 ("rotate half", as GPT-NeoX and Hugging Face's
//! LLaMA), and the pair at position t is turned by the angle θ(t, i):
//!   x₁' = x₁·cos θ − x₂·sin θ,   x₂' = x₂·cos θ + x₁·sin θ
//! so q·k depends on the positions only through their difference.
//! cos, sin: (maxT, HS/2) from `positions::rope_table`.

/// Turns every (i, i + HS/2) pair of Q and K by `sign`·θ.
#[allow(clippy::too_many_arguments)]
fn rotate(qkv: &mut [f32], cos: &[f32], sin: &[f32], sign: f32, b: usize, t: usize, c: usize, nh: usize, nkv: usize) {
    let hs = c / nh;
    let half = hs / 2;
    let width = c + 2 * nkv * hs;
    for bt in 0..b * t {
        let pos = bt % t;
        for h in 0..nh + nkv {
            let base = bt * width + h * hs;
            for i in 0..half {
                let (co, si) = (cos[pos * half + i], sign * sin[pos * half + i]);
                let (x1, x2) = (qkv[base + i], qkv[base + half + i]);
                qkv[base + i] = x1 * co - x2 * si;
                qkv[base + half + i] = x2 * co + x1 * si;
            }
        }
    }
}

/// qkv (B, T, C + 2·KVC): Q and K rotated in place.
#[allow(clippy::too_many_arguments)]
pub fn rope_forward(
    qkv: &mut [f32], // (B, T, C + 2·KVC)
    cos: &[f32],     // (maxT, HS/2)
    sin: &[f32],     // (maxT, HS/2)
    b: usize,
    t: usize,
    c: usize,
    nh: usize,
    nkv: usize,
) {
    rotate(qkv, cos, sin, 1.0, b, t, c, nh, nkv);
}

/// forward was a rotation, qkv' = R·qkv;  so dqkv = Rᵀ·dqkv', the rotation by −θ, in place.
/// (Not accumulating: the gradient of the rotated Q and K is turned into that of the unrotated.)
#[allow(clippy::too_many_arguments)]
pub fn rope_backward(
    dqkv: &mut [f32], // (B, T, C + 2·KVC)
    cos: &[f32],      // (maxT, HS/2)
    sin: &[f32],      // (maxT, HS/2)
    b: usize,
    t: usize,
    c: usize,
    nh: usize,
    nkv: usize,
) {
    rotate(dqkv, cos, sin, -1.0, b, t, c, nh, nkv);
}
