// The bias-and-activation epilogue of matmul_forward.wgsl and matmul_forward_skinny.wgsl. Not a
// kernel: shaders.rs prepends this file (after include/activations.wgsl); each kernel declares
// `out`, `pre`, `bias` and `params` (bindings 0, 1, 4 and 5).
//   ACT = 0:  out (M, N) = x + bias (N)
//   ACT ≠ 0:  pre (M, N) = x + bias,  out = act(pre)   (pre is kept for the activation's backward)

struct Params {
    m: u32,
    k: u32,
    n: u32,
    has_bias: u32, // 0: bias is not read (the binding is a placeholder)
    split: u32,    // the tiled forward: steps of K per slice (K when one slice); skinny: unused
    _pad0: u32,
    _pad1: u32,
    _pad2: u32,
}

// out[row, col] = act(v + bias[col]) (and pre = v + bias[col]); the caller checks row < M, col < N.
fn store_output(row: u32, col: u32, v: f32) {
    var x = v;
    if (params.has_bias != 0u) { x += bias[col]; }
    let i = row * params.n + col;
    switch ACT {
        case 0u: { out[i] = x; }
        case 1u: { pre[i] = x; out[i] = gelu(x); }
        case 2u: { pre[i] = x; out[i] = gelu_tanh(x); }
        default: { pre[i] = x; out[i] = relu(x); }
    }
}
