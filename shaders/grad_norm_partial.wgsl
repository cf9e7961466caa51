// Global gradient norm, step 1 of 2: sums of squares per chunk. One workgroup per chunk of
// CHUNK consecutive gradients; invocation x reads chunk elements x, x + 256, … (neighbours
// read neighbouring words), then the workgroup adds its 256 sums (workgroup_sum).
//   partials : (⌈N / CHUNK⌉)   partials[first + w] = Σ g² over chunk w of this piece
//   grads    : (n)             the flat gradient buffer (its zero padding adds nothing), or one
//                              piece of it starting at chunk `first` where the whole buffer is
//                              larger than one storage binding (one launch per piece)
// CPU reference: crates/playground-core/src/cpu/clip.rs (grad_norm, which sums in f64)
// grad_norm_finalize.wgsl adds the partials; nothing is read back to the CPU.

struct Params {
    n: u32,     // gradients in this piece
    first: u32, // the piece's first chunk among all the gradients
    _pad1: u32,
    _pad2: u32,
}

@group(0) @binding(0) var<storage, read_write> partials: array<f32>;
@group(0) @binding(1) var<storage, read> grads: array<f32>;
@group(0) @binding(2) var<uniform> params: Params;

const WORKGROUP_SIZE: u32 = 256u;
const CHUNK: u32 = 4096u; // gradients per workgroup: 16 per invocation

// The entry point and workgroup_sum are in include/workgroup_reduce{,_subgroups}.wgsl.
fn run(wid: vec3<u32>, nwg: vec3<u32>, lid: u32) {
    let chunk = wid.y * nwg.x + wid.x;
    let n = params.n;
    // uniform per workgroup, so the barriers stay valid; with n = 0 chunk 0 still writes its 0
    if (chunk * CHUNK >= max(n, 1u)) { return; }
    let end = min(chunk * CHUNK + CHUNK, n);
    var s = 0.0;
    for (var i = chunk * CHUNK + lid; i < end; i += WORKGROUP_SIZE) {
        let g = grads[i];
        s = fma(g, g, s);
    }
    let total = workgroup_sum(s);
    if (lid == 0u) { partials[params.first + chunk] = total; }
}
