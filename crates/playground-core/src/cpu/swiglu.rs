//! SwiGLU's gate (Shazeer 2020, LLaMA's FFN), CPU reference for `shaders/swiglu_*.wgsl`.
//!
//! inp (rows, 2H) is `c_fc`'s output: the gate g in columns 0..H, the up projection u in
//! columns H..2H. out (rows, H) = SiLU(g) ⊙ u with SiLU(g) = g·σ(g).

pub fn sigmoid(x: f32) -> f32 {
    1.0 / (1.0 + (-x).exp())
}

pub fn swiglu_forward(
    out: &mut [f32], // (rows, H)
    inp: &[f32],     // (rows, 2H)
    rows: usize,
    h: usize,
) {
    for r in 0..rows {
        for i in 0..h {
            let (g, u) = (inp[r * 2 * h + i], inp[r * 2 * h + h + i]);
            out[r * h + i] = g * sigmoid(g) * u;
        }
    }
}

/// forward was: out = g·σ(g)·u;  so
///   du = dout·g·σ(g)
///   dg = dout·u·σ(g)·(1 + g·(1 − σ(g)))
/// stored: each element of dinp has one writer.
pub fn swiglu_backward(
    dinp: &mut [f32], // (rows, 2H)
    inp: &[f32],      // (rows, 2H)
    dout: &[f32],     // (rows, H)
    rows: usize,
    h: usize,
) {
    for r in 0..rows {
        for i in 0..h {
            let (gi, ui) = (r * 2 * h + i, r * 2 * h + h + i);
            let (g, u, d) = (inp[gi], inp[ui], dout[r * h + i]);
            let s = sigmoid(g);
            dinp[gi] = d * u * s * (1.0 + g * (1.0 - s));
            dinp[ui] = d * g * s;
        }
    }
}
