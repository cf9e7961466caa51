//! Cross-attention's packing, CPU reference for `shaders/cross_pack_*.wgsl`.
//!
//! Cross-attention takes its queries from the decoder and its keys and values from the
//! encoder's output. Packed side by side into the layout self-attention reads,
//!   out[b, t] = [ q[b, t] | kv[b, t] ]        q: (B, T, C), kv: (B, T, 2·KVC) = [K | V]
//! the (bidirectional) `attention_forward` computes exactly cross-attention: decoder position
//! t attends to every encoder position j. The source and the target share T (the source is
//! padded to the target's length, or the other way round).

pub fn cross_pack_forward(
    out: &mut [f32], // (B, T, C + 2·KVC)
    q: &[f32],       // (B, T, C)
    kv: &[f32],      // (B, T, 2·KVC)
    bt: usize,
    c: usize,
    kvc: usize,
) {
    let w = c + 2 * kvc;
    for r in 0..bt {
        out[r * w..r * w + c].copy_from_slice(&q[r * c..(r + 1) * c]);
        out[r * w + c..(r + 1) * w].copy_from_slice(&kv[r * 2 * kvc..(r + 1) * 2 * kvc]);
    }
}

/// forward was a copy, so the backward unpacks: dq = dout[.., :C], dkv = dout[.., C:]. Each
/// gradient element has one writer, so it is stored, not added to.
pub fn cross_pack_backward(
    dq: &mut [f32],  // (B, T, C)
    dkv: &mut [f32], // (B, T, 2·KVC)
    dout: &[f32],    // (B, T, C + 2·KVC)
    bt: usize,
    c: usize,
    kvc: usize,
) {
    let w = c + 2 * kvc;
    for r in 0..bt {
        dq[r * c..(r + 1) * c].copy_from_slice(&dout[r * w..r * w + c]);
        dkv[r * 2 * kvc..(r + 1) * 2 * kvc].copy_from_slice(&dout[r * w + c..(r + 1) * w]);
    }
}
