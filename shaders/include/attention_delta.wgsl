// FlashAttention-2's D_i = dO_i·out_i for one query row of one head, which the dQ kernels
// (attention_backward_query*.wgsl) compute for their row and store in `delta` for the dK and
// dV kernels, instead of a launch of their own before them. Not a kernel: shaders.rs prepends
// it; it reads the kernel's `dout` and `out` bindings.
//
// The softmax backward needs Σ_j p_ij·(dO_i·V_j) per query row; since out_i = Σ_j p_ij·V_j,
// that sum is dO_i·out_i: one dot product per row instead of a pass over the (T, T) weights,
// which training never stores.
//   obase: the row's first channel of head h in (B, T, C), (b·T + i)·C + h·HS

fn row_delta(obase: u32, hs: u32) -> f32 {
    var s = 0.0;
    for (var d = 0u; d < hs; d++) { s = fma(dout[obase + d], out[obase + d], s); }
    return s;
}
