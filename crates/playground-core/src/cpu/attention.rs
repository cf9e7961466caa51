//! Multi-head self-attention, causal (GPT) or bidirectional (BERT), with grouped-query
//! attention, CPU reference for `shaders/attention_*.wgsl`.
//!
//! qkv (B, T, C + 2·KVC) holds Q (NH heads), K and V (NKV heads each) side by side, the
//! output of `c_attn`; KVC = NKV·HS. Query head h owns channels [h·HS, (h+1)·HS) of Q and
//! reads key/value head g = h / (NH/NKV), channels [g·HS, (g+1)·HS) of K and of V (NKV = NH:
//! multi-head attention, each head its own). For every head and query position t, the keys it
//! sees are j ≤ t when `causal`, and every j otherwise:
//!   preatt[t, j] = Q[t]·K[j] / √HS            for all j (the full score matrix, shown on the page)
//!   att[t, j]    = softmax over the seen j of preatt[t, ·], and 0 for the others (the mask)
//!   out[t]       = Σ_j att[t, j]·V[j]          written into the head's channels of out (B, T, C)
//!   lse[t]       = log Σ_{seen j} exp(preatt[t, j])   (what the GPU backward needs to rebuild att)
//! Attention is the only op that mixes information across positions.

/// How many keys query row `ti` sees: those up to itself when causal, all `t` otherwise.
pub fn keys_seen(ti: usize, t: usize, causal: bool) -> usize {
    if causal {
        ti + 1
    } else {
        t
    }
}

/// Where query head `h`'s Q, and its key/value head's K and V, start in row `bt` of qkv.
pub fn qkv_bases(bt: usize, h: usize, c: usize, nh: usize, nkv: usize) -> [usize; 3] {
    let (hs, g) = (c / nh, h / (nh / nkv));
    let (w, kvc) = (c + 2 * nkv * hs, nkv * hs);
    [bt * w + h * hs, bt * w + c + g * hs, bt * w + c + kvc + g * hs]
}

/// Query head `h`'s Q (0), or its key/value head's K (1) or V (2), in row `bt` of qkv.
fn row(qkv: &[f32], bt: usize, which: usize, h: usize, c: usize, nh: usize, nkv: usize) -> &[f32] {
    let base = qkv_bases(bt, h, c, nh, nkv)[which];
    &qkv[base..base + c / nh]
}

#[allow(clippy::too_many_arguments)]
pub fn attention_forward(
    out: &mut [f32],    // (B, T, C)
    lse: &mut [f32],    // (B, NH, T)
    preatt: &mut [f32], // (B, NH, T, T)
    att: &mut [f32],    // (B, NH, T, T)
    qkv: &[f32],        // (B, T, C + 2·KVC)
    b: usize,
    t: usize,
    c: usize,
    nh: usize,
    nkv: usize,
    causal: bool,
) {
    let hs = c / nh;
    let scale = 1.0 / (hs as f32).sqrt();
    for bi in 0..b {
        for h in 0..nh {
            for ti in 0..t {
                let q = row(qkv, bi * t + ti, 0, h, c, nh, nkv);
                let off = ((bi * nh + h) * t + ti) * t;
                let pre = &mut preatt[off..off + t];
                for (j, p) in pre.iter_mut().enumerate() {
                    let k = row(qkv, bi * t + j, 1, h, c, nh, nkv);
                    *p = q.iter().zip(k).map(|(a, b)| a * b).sum::<f32>() * scale;
                }
                // softmax over the seen keys; the max is subtracted only for stability
                let seen = keys_seen(ti, t, causal);
                let maxv = pre[..seen].iter().copied().fold(f32::NEG_INFINITY, f32::max);
                let a = &mut att[off..off + t];
                let mut sum = 0.0;
                for j in 0..seen {
                    a[j] = (pre[j] - maxv).exp();
                    sum += a[j];
                }
                for (j, aj) in a.iter_mut().enumerate() {
                    *aj = if j < seen { *aj / sum } else { 0.0 };
                }
                lse[(bi * nh + h) * t + ti] = maxv + sum.ln();
                let o = &mut out[(bi * t + ti) * c + h * hs..(bi * t + ti) * c + (h + 1) * hs];
                o.fill(0.0);
                for (j, &aj) in a.iter().enumerate().take(seen) {
                    let v = row(qkv, bi * t + j, 2, h, c, nh, nkv);
                    for d in 0..hs {
                        o[d] += aj * v[d];
                    }
                }
            }
        }
    }
}

/// Gradient of `attention_forward` with respect to qkv, from the kept weights `att`; a shared
/// key/value head gathers the gradients of all the query heads that read it.
#[allow(clippy::too_many_arguments)]
pub fn attention_backward(
    dqkv: &mut [f32], // (B, T, C + 2·KVC)
    dout: &[f32],     // (B, T, C)
    qkv: &[f32],      // (B, T, C + 2·KVC)
    att: &[f32],      // (B, NH, T, T)
    b: usize,
    t: usize,
    c: usize,
    nh: usize,
    nkv: usize,
    causal: bool,
) {
    let hs = c / nh;
    let scale = 1.0 / (hs as f32).sqrt();
    let mut datt = vec![0.0f32; t];
    let mut dpre = vec![0.0f32; t];
    for bi in 0..b {
        for h in 0..nh {
            for ti in 0..t {
                let off = ((bi * nh + h) * t + ti) * t;
                let a = &att[off..off + t];
                let seen = keys_seen(ti, t, causal);
                let dobase = (bi * t + ti) * c + h * hs;
                let dout_row = &dout[dobase..dobase + hs];
                // forward was: out[t] = Σ_j att[t,j]·V[j]
                for j in 0..seen {
                    let vbase = qkv_bases(bi * t + j, h, c, nh, nkv)[2];
                    let mut s = 0.0;
                    for d in 0..hs {
                        s += qkv[vbase + d] * dout_row[d];
                        dqkv[vbase + d] += a[j] * dout_row[d];
                    }
                    datt[j] = s;
                }
                // forward was: att = softmax(preatt);  dpre_j = att_j·(datt_j − Σ_k att_k·datt_k)
                let dot: f32 = (0..seen).map(|j| a[j] * datt[j]).sum();
                for j in 0..seen {
                    dpre[j] = a[j] * (datt[j] - dot);
                }
                // forward was: preatt[t,j] = Q[t]·K[j]·scale
                let qbase = qkv_bases(bi * t + ti, h, c, nh, nkv)[0];
                for j in 0..seen {
                    let kbase = qkv_bases(bi * t + j, h, c, nh, nkv)[1];
                    let g = dpre[j] * scale;
                    for d in 0..hs {
                        dqkv[qbase + d] += g * qkv[kbase + d];
                        dqkv[kbase + d] += g * qkv[qbase + d];
                    }
                }
            }
        }
    }
}
