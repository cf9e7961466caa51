// The rows a norm's forward kernel reads (layernorm_forward.wgsl, rmsnorm_forward.wgsl): inp,
// or with `params.residual` the residual add before the norm, sum = inp + branch, fused into it:
// the first pass stores each element of the sum (the stream's next value, kept for the next
// sublayer and the backward) and the later passes re-read what the same invocation stored.
// One launch, and a write and a read of (rows, C), fewer than an add kernel before the norm
// (there was one, residual_forward.wgsl). Not a kernel: shaders.rs prepends it; it reads the kernel's `inp`, `branch`, `sum` and
// `params`.
// CPU reference: crates/playground-core/src/cpu/residual.rs (residual_forward), then the norm's.

// Element i as the first pass reads it, the sum stored.
fn first_read(i: u32) -> f32 {
    if (params.residual == 0u) { return inp[i]; }
    let x = inp[i] + branch[i];
    sum[i] = x;
    return x;
}

// Element i again, in a later pass of the invocation that read it first.
fn read_again(i: u32) -> f32 {
    if (params.residual == 0u) { return inp[i]; }
    return sum[i];
}
