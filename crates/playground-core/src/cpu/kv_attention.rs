//! Attention of a few new query rows against a cache of the keys and values of every earlier
//! position (decoder inference with a KV cache), CPU reference for `shaders/kv_*.wgsl`.
//!
//! qkv (N, C + 2·KVC) holds Q, K and V of N new tokens at absolute positions pos0 .. pos0 + N
//! (rotated already for rotary models). The cache of one layer keeps K and V per key/value
//! head: kcache, vcache (NKV, maxT, HS), rows 0 .. pos0 filled by earlier calls.
//!   kv_cache_write:        kcache[g, pos0 + i] = K[i] of key/value head g, the same for V
//!   kv_attention_forward:  for new row i (position p = pos0 + i) and head h, reading key/value
//!     head g = h / (NH/NKV), over j ≤ p:
//!     att[j] = softmax_j(Q[i]·kcache[g, j] / √HS),  out[i] = Σ_j att[j]·vcache[g, j]
//! which is `attention_forward`'s causal row p, computed from the cache instead of the
//! whole sequence.

/// Copies the new rows' K and V into the cache at positions pos0 .. pos0 + N.
#[allow(clippy::too_many_arguments)]
pub fn kv_cache_write(
    kcache: &mut [f32], // (NKV, maxT, HS)
    vcache: &mut [f32], // (NKV, maxT, HS)
    qkv: &[f32],        // (N, C + 2·KVC)
    n: usize,
    pos0: usize,
    c: usize,
    nh: usize,
    nkv: usize,
    maxt: usize,
) {
    let hs = c / nh;
    let (width, kvc) = (c + 2 * nkv * hs, nkv * hs);
    for i in 0..n {
        for g in 0..nkv {
            let dst = (g * maxt + pos0 + i) * hs;
            let src = i * width + c + g * hs;
            kcache[dst..dst + hs].copy_from_slice(&qkv[src..src + hs]);
            vcache[dst..dst + hs].copy_from_slice(&qkv[src + kvc..src + kvc + hs]);
        }
    }
}

/// out (N, C): each new row's attention over the cached positions up to its own (causal).
/// The cache must already hold the new rows (`kv_cache_write` first).
#[allow(clippy::too_many_arguments)]
pub fn kv_attention_forward(
    out: &mut [f32], // (N, C)
    qkv: &[f32],     // (N, C + 2·KVC)
    kcache: &[f32],  // (NKV, maxT, HS)
    vcache: &[f32],  // (NKV, maxT, HS)
    n: usize,
    pos0: usize,
    c: usize,
    nh: usize,
    nkv: usize,
    maxt: usize,
) {
    let hs = c / nh;
    let (scale, width) = (1.0 / (hs as f32).sqrt(), c + 2 * nkv * hs);
    let mut att = vec![0.0f32; pos0 + n];
    for i in 0..n {
        let seen = pos0 + i + 1;
        for h in 0..nh {
            let g = h / (nh / nkv);
            let q = &qkv[i * width + h * hs..i * width + (h + 1) * hs];
            let keys = &kcache[g * maxt * hs..];
            for (j, a) in att[..seen].iter_mut().enumerate() {
                *a = q.iter().zip(&keys[j * hs..(j + 1) * hs]).map(|(a, b)| a * b).sum::<f32>() * scale;
            }
            // softmax; the max is subtracted only for stability
            let maxv = att[..seen].iter().copied().fold(f32::NEG_INFINITY, f32::max);
            let mut sum = 0.0;
            for a in &mut att[..seen] {
                *a = (*a - maxv).exp();
                sum += *a;
            }
            let o = &mut out[i * c + h * hs..i * c + (h + 1) * hs];
            o.fill(0.0);
            let values = &vcache[g * maxt * hs..];
            for (j, &a) in att[..seen].iter().enumerate() {
                let v = &values[j * hs..(j + 1) * hs];
                for d in 0..hs {
                    o[d] += a / sum * v[d];
                }
            }
        }
    }
}
