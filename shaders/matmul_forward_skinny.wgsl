// Matrix multiply for a few rows (M ≤ ROWS = 8: one token at a time in generation), with the
// same bias and activation epilogue as matmul_forward.wgsl:
//   act = 0:  out (M, N) = inp (M, K) · weight (N, K)ᵀ + bias (N)
//   act ≠ 0:  pre (M, N) = inp · weightᵀ + bias,  out (M, N) = act(pre)
// The tiled kernel computes whole 64- or 128-row blocks, so one row would cost as much as 64;
// here each invocation owns one output column for all M rows and reads its weight row once.
// The workgroup stages BK columns of inp (all ROWS rows, zeros past M) in workgroup memory.
// CPU reference: crates/playground-core/src/cpu/matmul.rs (matmul_forward, matmul_forward_act)
// The activations are in include/activations.wgsl, prepended by shaders.rs.

struct Params {
    m: u32,
    k: u32,
    n: u32,
    has_bias: u32, // 0: bias is not read (the binding is a placeholder)
    act: u32,      // 0: none (pre is a placeholder), 1: gelu, 2: gelu_tanh, 3: relu
    _pad0: u32,
    _pad1: u32,
    _pad2: u32,
}

@group(0) @binding(0) var<storage, read_write> out: array<f32>;
@group(0) @binding(1) var<storage, read_write> pre: array<f32>;
@group(0) @binding(2) var<storage, read> inp: array<f32>;
@group(0) @binding(3) var<storage, read> weight: array<f32>;
@group(0) @binding(4) var<storage, read> bias: array<f32>;
@group(0) @binding(5) var<uniform> params: Params;

const WORKGROUP_SIZE: u32 = 64u; // output columns per workgroup
const ROWS: u32 = 8u;            // the most rows (matmul::SKINNY_ROWS)
const BK: u32 = 256u;            // k staged per step

var<workgroup> a_tile: array<f32, ROWS * BK>; // [ROWS][BK]

// out[row, col] = act(x + bias) (and pre = x + bias)
fn store(row: u32, col: u32, v: f32) {
    var x = v;
    if (params.has_bias != 0u) { x += bias[col]; }
    let i = row * params.n + col;
    switch params.act {
        case 0u: { out[i] = x; }
        case 1u: { pre[i] = x; out[i] = gelu(x); }
        case 2u: { pre[i] = x; out[i] = gelu_tanh(x); }
        default: { pre[i] = x; out[i] = relu(x); }
    }
}

@compute @workgroup_size(WORKGROUP_SIZE)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>, @builtin(local_invocation_id) lid: vec3<u32>) {
    let m = params.m;
    let k = params.k;
    let n = params.n;
    let col = (wid.y * nwg.x + wid.x) * WORKGROUP_SIZE + lid.x;
    var lo = vec4<f32>(0.0); // rows 0..3
    var hi = vec4<f32>(0.0); // rows 4..7
    for (var k0 = 0u; k0 < k; k0 += BK) {
        for (var e = lid.x; e < ROWS * BK; e += WORKGROUP_SIZE) {
            let r = e / BK;
            let kk = k0 + e % BK;
            var x = 0.0;
            if (r < m && kk < k) { x = inp[r * k + kk]; }
            a_tile[e] = x;
        }
        workgroupBarrier();
        if (col < n) {
            let kend = min(BK, k - k0);
            let wb = col * k + k0;
            for (var kk = 0u; kk < kend; kk++) {
                let w = vec4<f32>(weight[wb + kk]);
                lo = fma(vec4<f32>(a_tile[kk], a_tile[BK + kk], a_tile[2u * BK + kk], a_tile[3u * BK + kk]), w, lo);
                hi = fma(vec4<f32>(a_tile[4u * BK + kk], a_tile[5u * BK + kk], a_tile[6u * BK + kk], a_tile[7u * BK + kk]), w, hi);
            }
        }
        workgroupBarrier();
    }
    if (col >= n) { return; }
    for (var r = 0u; r < min(m, 4u); r++) { store(r, col, lo[r]); }
    for (var r = 4u; r < m; r++) { store(r, col, hi[r - 4u]); }
}
