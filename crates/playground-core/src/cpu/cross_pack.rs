//! Cross-attention's packing, CPU reference for `shaders/cross_pack_*.wgsl`.
//!
//! Cross-attention takes its queries from the decoder and its keys and values from the
//! encoder's output. Packed side by side into the layout self-attention reads,
//!   out[b, t] = [ q[b, t] | kv[b, t] ]        q: (B, T, C), kv: (B, T, 2C) = [K | V]
//! the (bidirectional) `attention_forward` computes exactly cross-attention: decoder position
//! t attends to every encoder position j. The source and the target share T (the source is
//! padded to the target's length, or the other way round).

pub fn cross_pack_forward(
    out: &mut [f32], // (B, T, 3C)
    q: &[f32],       // (B, T, C)
    kv: &[f32],      // (B, T, 2C)
    bt: usize,
    c: usize,
) {
    for r in 0..bt {
        out[r * 3 * c..r * 3 * c + c].copy_from_slice(&q[r * c..(r + 1) * c]);
        out[r * 3 * c + c..(r + 1) * 3 * c].copy_from_slice(&kv[r * 2 * c..(r + 1) * 2 * c]);
    }
}

/// forward was a copy, so the backward unpacks: dq += dout[.., :C], dkv += dout[.., C:].
pub fn cross_pack_backward(
    dq: &mut [f32],  // (B, T, C)
    dkv: &mut [f32], // (B, T, 2C)
    dout: &[f32],    // (B, T, 3C)
    bt: usize,
    c: usize,
) {
    for r in 0..bt {
        for i in 0..c {
            dq[r * c + i] += dout[r * 3 * c + i];
        }
        for i in 0..2 * c {
            dkv[r * 2 * c + i] += dout[r * 3 * c + c + i];
        }
    }
}
