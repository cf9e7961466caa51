//! Token + position embedding, CPU reference for `shaders/embedding_*.wgsl`.
//!
//! out (B, T, C) = wte[tokens[b, t]] + wpe[t]
//! wpe is the learned position table, or the fixed sinusoidal one (`positions::sinusoidal_table`,
//! which gets no gradient), or absent for rotary positions (they enter inside attention).

#[allow(clippy::too_many_arguments)]
pub fn embedding_forward(
    out: &mut [f32],     // (B, T, C)
    tokens: &[u32],      // (B, T)
    wte: &[f32],         // (V, C)
    wpe: Option<&[f32]>, // (maxT, C)
    b: usize,
    t: usize,
    c: usize,
) {
    for bt in 0..b * t {
        let tok = tokens[bt] as usize;
        let pos = bt % t;
        let o = &mut out[bt * c..(bt + 1) * c];
        for i in 0..c {
            o[i] = wte[tok * c + i] + wpe.map_or(0.0, |wpe| wpe[pos * c + i]);
        }
    }
}

/// forward was: out[b,t,:] = wte[tok,:] + wpe[t,:];  so the gradient of each row of out
/// flows unchanged into the wte row of its token and (when wpe is learned) the wpe row of
/// its position.
#[allow(clippy::too_many_arguments)]
pub fn embedding_backward(
    dwte: &mut [f32],             // (V, C)
    mut dwpe: Option<&mut [f32]>, // (maxT, C)
    dout: &[f32],                 // (B, T, C)
    tokens: &[u32],               // (B, T)
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
            if let Some(dwpe) = dwpe.as_deref_mut() {
                dwpe[pos * c + i] += d;
            }
        }
    }
}
