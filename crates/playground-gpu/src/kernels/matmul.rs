//! Launchers for `shaders/matmul_*.wgsl`; CPU twin `playground_core::cpu::matmul`.

use crate::context::{grid, GpuContext, Op};
use crate::shaders::Kernel;
use crate::tensor::GpuTensor;
use playground_core::cpu::Activation;

#[repr(C)]
#[derive(Clone, Copy, Debug, bytemuck::Pod, bytemuck::Zeroable)]
pub struct MatmulParams {
    pub m: u32,
    pub k: u32,
    pub n: u32,
    pub has_bias: u32,
    /// 0: none; else the activation of the epilogue (`activation_code`).
    pub act: u32,
    pub _pad: [u32; 3],
}
const _: () = assert!(std::mem::size_of::<MatmulParams>().is_multiple_of(16));

/// The tiled kernels come in three shapes, one WGSL file each with the sizes and the register
/// tile prepended in `shaders.rs`: `Kernel::Matmul*` (128×128 blocks, 16×16 invocations) and
/// `Kernel::Matmul*Small` (64×64 blocks, 8×8 invocations), 8×8 outputs per invocation, for
/// GPUs; `Kernel::Matmul*Emulated` (64×64 blocks, 4×4 invocations, 16×16 outputs each) for
/// CPU-emulated adapters (include/matmul_tile_16x16.wgsl says why).
/// The smallest matmul (in multiply-adds) that takes the 16×16 tile on an emulated adapter:
/// a training step's (the small config's smallest, the head, is 17M); an Explore forward pass
/// over one sequence stays below it.
pub const EMULATED_MIN_FMA: u64 = 1 << 24;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Tiles {
    Small,
    Large,
    Emulated,
}

impl Tiles {
    /// Every shape, for tests that check every kernel.
    pub const ALL: [Tiles; 3] = [Tiles::Small, Tiles::Large, Tiles::Emulated];

    /// On a CPU-emulated adapter (wgpu's `DeviceType::Cpu`: SwiftShader, lavapipe), the
    /// 16×16 register tile for a matmul of at least `EMULATED_MIN_FMA` multiply-adds
    /// (`rows·cols·depth`): about a fifth less time there at training's shapes (fewer per-lane
    /// gathers from workgroup memory, docs/PERFORMANCE.md), but compiling it takes SwiftShader
    /// seconds more, which one sequence's forward pass (Explore) would never win back; smaller
    /// matmuls take the 8×8 tile. On a GPU, large blocks once they still give at least 64
    /// workgroups (enough to fill the streaming multiprocessors of a large GPU); small ones
    /// below that, where 128×128 blocks would leave most of the GPU idle (inference over one
    /// sequence, M = T ≤ 64; the small models trained in the browser).
    pub fn for_output(gpu: &GpuContext, rows: u32, cols: u32, depth: u32) -> Tiles {
        if gpu.is_emulated() {
            let fma = rows as u64 * cols as u64 * depth as u64;
            return if fma >= EMULATED_MIN_FMA { Tiles::Emulated } else { Tiles::Small };
        }
        let large = rows.div_ceil(Tiles::Large.side()) as u64 * cols.div_ceil(Tiles::Large.side()) as u64;
        if large >= 64 {
            Tiles::Large
        } else {
            Tiles::Small
        }
    }

    /// Side of the output block one workgroup computes (`TILE` in the WGSL).
    pub const fn side(self) -> u32 {
        match self {
            Tiles::Small | Tiles::Emulated => 64,
            Tiles::Large => 128,
        }
    }

    /// `@workgroup_size` of the tiled kernels of this size.
    pub const fn workgroup_size(self) -> [u32; 3] {
        match self {
            Tiles::Small => [8, 8, 1],
            Tiles::Large => [16, 16, 1],
            Tiles::Emulated => [4, 4, 1],
        }
    }

    /// The workgroups covering a (rows, cols) output: x along columns, y along rows.
    fn grid(self, rows: u32, cols: u32) -> [u32; 3] {
        [cols.div_ceil(self.side()), rows.div_ceil(self.side()), 1]
    }
}

/// The most rows the skinny kernel takes (`ROWS` in matmul_forward_skinny.wgsl): at most this
/// many (a token at a time in generation), and K a multiple of 4 (it reads vec4s along K),
/// `matmul_forward` runs it instead of a tiled kernel.
pub const SKINNY_ROWS: u32 = 16;
/// Output columns per invocation of the skinny kernel (`COLS`).
pub const SKINNY_COLS: u32 = 4;
pub const SKINNY_WORKGROUP_SIZE: [u32; 3] = [32, 1, 1];

/// Whether `matmul_forward` takes the skinny kernel for these sizes.
pub fn is_skinny(m: u32, k: u32) -> bool {
    m <= SKINNY_ROWS && k.is_multiple_of(4)
}

/// 32 columns × 8 row lanes.
pub const BACKWARD_BIAS_WORKGROUP_SIZE: [u32; 3] = [32, 8, 1];

/// out (M, N) = inp (M, K) · weight (N, K)ᵀ + bias (N). Up to SKINNY_ROWS rows run the
/// skinny kernel (`is_skinny`), more a tiled one.
#[allow(clippy::too_many_arguments)]
pub fn matmul_forward(
    gpu: &GpuContext,
    out: &GpuTensor,          // (M, N)
    inp: &GpuTensor,          // (M, K)
    weight: &GpuTensor,       // (N, K)
    bias: Option<&GpuTensor>, // (N)
    m: u32,
    k: u32,
    n: u32,
) -> Op {
    if is_skinny(m, k) {
        return matmul_forward_skinny(gpu, None, out, inp, weight, bias, m, k, n);
    }
    matmul_forward_tiled(gpu, Tiles::for_output(gpu, m, n, k), out, inp, weight, bias, m, k, n)
}

/// `matmul_forward` (`act` None) or `matmul_forward_act` (`act` with pre) on the skinny kernel:
/// callers check `is_skinny` (M ≤ SKINNY_ROWS, K a multiple of 4) first. Each invocation owns
/// SKINNY_COLS output columns.
#[allow(clippy::too_many_arguments)]
pub fn matmul_forward_skinny(
    gpu: &GpuContext,
    act: Option<(Activation, &GpuTensor)>, // and pre (M, N)
    out: &GpuTensor,                       // (M, N)
    inp: &GpuTensor,                       // (M, K)
    weight: &GpuTensor,                    // (N, K)
    bias: Option<&GpuTensor>,              // (N)
    m: u32,
    k: u32,
    n: u32,
) -> Op {
    debug_assert!(is_skinny(m, k), "the skinny matmul takes at most {SKINNY_ROWS} rows and K a multiple of 4, not M {m}, K {k}");
    let params = MatmulParams { m, k, n, has_bias: bias.is_some() as u32, act: activation_code(act.map(|a| a.0)), _pad: [0; 3] };
    let pre = act.map_or(gpu.unused(1), |a| a.1);
    let groups = n.div_ceil(SKINNY_WORKGROUP_SIZE[0] * SKINNY_COLS) as u64;
    gpu.op(Kernel::MatmulForwardSkinny, &[out, pre, inp, weight, bias.unwrap_or(gpu.unused(0))], &params, grid(groups))
}

/// `matmul_forward` with the block size chosen by the caller (tests check each).
#[allow(clippy::too_many_arguments)]
pub fn matmul_forward_tiled(
    gpu: &GpuContext,
    tiles: Tiles,
    out: &GpuTensor,          // (M, N)
    inp: &GpuTensor,          // (M, K)
    weight: &GpuTensor,       // (N, K)
    bias: Option<&GpuTensor>, // (N)
    m: u32,
    k: u32,
    n: u32,
) -> Op {
    forward(gpu, tiles, None, out, inp, weight, bias, m, k, n)
}

/// pre (M, N) = inp (M, K) · weight (N, K)ᵀ + bias (N) and out (M, N) = act(pre), one kernel:
/// the activation runs in the matmul's epilogue instead of a pass of its own (one read of
/// (M, N) and one launch fewer). pre is kept for the activation's backward.
#[allow(clippy::too_many_arguments)]
pub fn matmul_forward_act(
    gpu: &GpuContext,
    act: Activation,
    out: &GpuTensor,          // (M, N)
    pre: &GpuTensor,          // (M, N)
    inp: &GpuTensor,          // (M, K)
    weight: &GpuTensor,       // (N, K)
    bias: Option<&GpuTensor>, // (N)
    m: u32,
    k: u32,
    n: u32,
) -> Op {
    if is_skinny(m, k) {
        return matmul_forward_skinny(gpu, Some((act, pre)), out, inp, weight, bias, m, k, n);
    }
    matmul_forward_act_tiled(gpu, Tiles::for_output(gpu, m, n, k), act, out, pre, inp, weight, bias, m, k, n)
}

/// `matmul_forward_act` with the block size chosen by the caller (tests check each).
#[allow(clippy::too_many_arguments)]
pub fn matmul_forward_act_tiled(
    gpu: &GpuContext,
    tiles: Tiles,
    act: Activation,
    out: &GpuTensor,          // (M, N)
    pre: &GpuTensor,          // (M, N)
    inp: &GpuTensor,          // (M, K)
    weight: &GpuTensor,       // (N, K)
    bias: Option<&GpuTensor>, // (N)
    m: u32,
    k: u32,
    n: u32,
) -> Op {
    forward(gpu, tiles, Some((act, pre)), out, inp, weight, bias, m, k, n)
}

/// `params.act` of matmul_forward.wgsl.
fn activation_code(act: Option<Activation>) -> u32 {
    match act {
        None => 0,
        Some(Activation::Gelu) => 1,
        Some(Activation::GeluTanh) => 2,
        Some(Activation::Relu) => 3,
    }
}

#[allow(clippy::too_many_arguments)]
fn forward(
    gpu: &GpuContext,
    tiles: Tiles,
    act: Option<(Activation, &GpuTensor)>, // and pre (M, N)
    out: &GpuTensor,                       // (M, N)
    inp: &GpuTensor,                       // (M, K)
    weight: &GpuTensor,                    // (N, K)
    bias: Option<&GpuTensor>,              // (N)
    m: u32,
    k: u32,
    n: u32,
) -> Op {
    let kernel = match tiles {
        Tiles::Small => Kernel::MatmulForwardSmall,
        Tiles::Large => Kernel::MatmulForward,
        Tiles::Emulated => Kernel::MatmulForwardEmulated,
    };
    let params = MatmulParams { m, k, n, has_bias: bias.is_some() as u32, act: activation_code(act.map(|a| a.0)), _pad: [0; 3] };
    let pre = act.map_or(gpu.unused(1), |a| a.1);
    gpu.op(kernel, &[out, pre, inp, weight, bias.unwrap_or(gpu.unused(0))], &params, tiles.grid(m, n))
}

/// `cpu::matmul_backward` as two or three kernels, each accumulating (`+=`):
/// dinp (M, K) += dout · weight, dweight (N, K) += doutᵀ · inp, dbias (N) += Σ_m dout.
#[allow(clippy::too_many_arguments)]
pub fn matmul_backward(
    gpu: &GpuContext,
    dinp: &GpuTensor,          // (M, K)
    dweight: &GpuTensor,       // (N, K)
    dbias: Option<&GpuTensor>, // (N)
    dout: &GpuTensor,          // (M, N)
    inp: &GpuTensor,           // (M, K)
    weight: &GpuTensor,        // (N, K)
    m: u32,
    k: u32,
    n: u32,
) -> Vec<Op> {
    let mut ops = vec![matmul_backward_input(gpu, dinp, dout, weight, m, k, n), matmul_backward_weight(gpu, dweight, dout, inp, m, k, n)];
    if let Some(dbias) = dbias {
        ops.push(matmul_backward_bias(gpu, dbias, dout, m, n));
    }
    ops
}

/// Uniform of the two tiled backward kernels, `matmul_backward_{input,weight}.wgsl`.
#[repr(C)]
#[derive(Clone, Copy, Debug, bytemuck::Pod, bytemuck::Zeroable)]
pub struct MatmulBackwardParams {
    pub m: u32,
    pub k: u32,
    pub n: u32,
    pub _pad: u32,
}
const _: () = assert!(std::mem::size_of::<MatmulBackwardParams>().is_multiple_of(16));

/// dinp (M, K) += dout (M, N) · weight (N, K).
pub fn matmul_backward_input(
    gpu: &GpuContext,
    dinp: &GpuTensor,   // (M, K)
    dout: &GpuTensor,   // (M, N)
    weight: &GpuTensor, // (N, K)
    m: u32,
    k: u32,
    n: u32,
) -> Op {
    matmul_backward_input_tiled(gpu, Tiles::for_output(gpu, m, k, n), dinp, dout, weight, m, k, n)
}

/// `matmul_backward_input` with the block size chosen by the caller (tests check each).
#[allow(clippy::too_many_arguments)]
pub fn matmul_backward_input_tiled(
    gpu: &GpuContext,
    tiles: Tiles,
    dinp: &GpuTensor,   // (M, K)
    dout: &GpuTensor,   // (M, N)
    weight: &GpuTensor, // (N, K)
    m: u32,
    k: u32,
    n: u32,
) -> Op {
    let kernel = match tiles {
        Tiles::Small => Kernel::MatmulBackwardInputSmall,
        Tiles::Large => Kernel::MatmulBackwardInput,
        Tiles::Emulated => Kernel::MatmulBackwardInputEmulated,
    };
    let params = MatmulBackwardParams { m, k, n, _pad: 0 };
    gpu.op(kernel, &[dinp, dout, weight], &params, tiles.grid(m, k))
}

/// dweight (N, K) += dout (M, N)ᵀ · inp (M, K).
pub fn matmul_backward_weight(
    gpu: &GpuContext,
    dweight: &GpuTensor, // (N, K)
    dout: &GpuTensor,    // (M, N)
    inp: &GpuTensor,     // (M, K)
    m: u32,
    k: u32,
    n: u32,
) -> Op {
    matmul_backward_weight_tiled(gpu, Tiles::for_output(gpu, n, k, m), dweight, dout, inp, m, k, n)
}

/// `matmul_backward_weight` with the block size chosen by the caller (tests check each).
#[allow(clippy::too_many_arguments)]
pub fn matmul_backward_weight_tiled(
    gpu: &GpuContext,
    tiles: Tiles,
    dweight: &GpuTensor, // (N, K)
    dout: &GpuTensor,    // (M, N)
    inp: &GpuTensor,     // (M, K)
    m: u32,
    k: u32,
    n: u32,
) -> Op {
    let kernel = match tiles {
        Tiles::Small => Kernel::MatmulBackwardWeightSmall,
        Tiles::Large => Kernel::MatmulBackwardWeight,
        Tiles::Emulated => Kernel::MatmulBackwardWeightEmulated,
    };
    let params = MatmulBackwardParams { m, k, n, _pad: 0 };
    gpu.op(kernel, &[dweight, dout, inp], &params, tiles.grid(n, k))
}

/// Uniform of `matmul_backward_bias.wgsl`.
#[repr(C)]
#[derive(Clone, Copy, Debug, bytemuck::Pod, bytemuck::Zeroable)]
pub struct MatmulBiasParams {
    pub m: u32,
    pub n: u32,
    pub _pad: [u32; 2],
}
const _: () = assert!(std::mem::size_of::<MatmulBiasParams>().is_multiple_of(16));

/// dbias (N) += Σ_m dout (M, N).
pub fn matmul_backward_bias(
    gpu: &GpuContext,
    dbias: &GpuTensor, // (N)
    dout: &GpuTensor,  // (M, N)
    m: u32,
    n: u32,
) -> Op {
    let blocks = n.div_ceil(BACKWARD_BIAS_WORKGROUP_SIZE[0]) as u64;
    gpu.op(Kernel::MatmulBackwardBias, &[dbias, dout], &MatmulBiasParams { m, n, _pad: [0; 2] }, grid(blocks))
}
