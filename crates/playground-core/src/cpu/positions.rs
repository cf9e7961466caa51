//! Positions that are computed rather than learned: the sinusoidal table of "Attention Is All
//! You Need" (added to the token embedding through `embedding_forward`, in place of wpe) and
//! the angles of rotary embeddings (RoFormer; used by `rope_forward`). Both are computed in
//! f64 and rounded once to f32, so every engine (and PyTorch, python/gpt.py) sees the same
//! numbers; the GPU receives them as uploaded tables.

/// The wavelengths of both schemes grow geometrically up to 2π·BASE positions (RoPE's
/// base θ can be another: `ModelConfig::rope_theta`).
pub const BASE: f64 = 10000.0;

/// (T, C): PE[p, 2i] = sin(p / BASE^(2i/C)), PE[p, 2i+1] = cos(p / BASE^(2i/C)).
/// Each channel pair is a clock turning at its own speed: fast pairs tell neighbours apart,
/// slow ones tell far positions apart, and PE[p + k] is a fixed rotation of PE[p].
pub fn sinusoidal_table(t: usize, c: usize) -> Vec<f32> {
    let mut out = vec![0.0f32; t * c];
    for p in 0..t {
        for ch in 0..c {
            let i = (ch / 2) as f64;
            let angle = p as f64 / BASE.powf(2.0 * i / c as f64);
            out[p * c + ch] = if ch % 2 == 0 { angle.sin() } else { angle.cos() } as f32;
        }
    }
    out
}

/// cos and sin, each (T, HS/2), of the rotary angle p·θ^(−2i/HS) of position p and
/// channel pair i of a head, for the base θ = `theta` (`ModelConfig::rope_theta`).
pub fn rope_table(t: usize, hs: usize, theta: f64) -> (Vec<f32>, Vec<f32>) {
    let half = hs / 2;
    let (mut cos, mut sin) = (vec![0.0f32; t * half], vec![0.0f32; t * half]);
    for p in 0..t {
        for i in 0..half {
            let angle = p as f64 * theta.powf(-2.0 * i as f64 / hs as f64);
            cos[p * half + i] = angle.cos() as f32;
            sin[p * half + i] = angle.sin() as f32;
        }
    }
    (cos, sin)
}
