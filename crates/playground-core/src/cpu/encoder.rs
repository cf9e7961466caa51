//! Token + position embedding, CPU reference for `shaders/encoder_*.wgsl`.
//!
//! out (B, T, C) = wte[tokens[b, t]] + wpe[t]

#[allow(clippy::too_many_arguments)]
pub fn encoder_forward(
    out: &mut [f32], // (B, T, C)
    tokens: &[u32],  // (B, T)
    wte: &[f32],     // (V, C)
    wpe: &[f32],     // (maxT, C)
    b: usize,
    t: usize,
    c: usize,
) {
    for bt in 0..b * t {
        let tok = tokens[bt] as usize;
        let pos = bt % t;
        let o = &mut out[bt * c..(bt + 1) * c];
        for i in 0..c {
            o[i] = wte[tok * c + i] + wpe[pos * c + i];
        }
    }
}

/// forward was: out[b,t,:] = wte[tok,:] + wpe[t,:];  so the gradient of each row of out
/// flows unchanged into the wte row of its token and the wpe row of its position.
#[allow(clippy::too_many_arguments)]
pub fn encoder_backward(
    dwte: &mut [f32], // (V, C)
    dwpe: &mut [f32], // (maxT, C)
    dout: &[f32],     // (B, T, C)
    tokens: &[u32],   // (B, T)
    b: usize,
    t: usize,
    c: usize,
) {
    for bt in 0..b * t {
        let tok = tokens[bt] as usize;
        let pos = bt % t;
        for i in 0..c {
            let d = dout[bt * c + i];
            dwte[tok * c + i] += d;
            dwpe[pos * c + i] += d;
        }
    }
}
