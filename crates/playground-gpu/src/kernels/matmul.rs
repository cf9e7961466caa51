//! Launchers for `shaders/matmul_*.wgsl`; CPU twin `playground_core::cpu::matmul`.

use crate::context::{grid, Constants, GpuContext, Op, SCRATCH_BUDGET};
use crate::kernels::reduce::{reduce_partials, reduce_partials_forward};
use crate::kernels::Write;
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
    /// The tiled kernels: steps of K per slice, a multiple of the tiles' depth (K: one slice).
    pub split: u32,
    pub _pad: [u32; 3],
}
const _: () = assert!(std::mem::size_of::<MatmulParams>().is_multiple_of(16));

/// The tiled kernels come in three shapes, one WGSL file each with the sizes, a loader, the
/// staging and the register tile prepended in `shaders.rs`: `Kernel::Matmul*` (128×128 blocks,
/// 16×16 invocations) and `Kernel::Matmul*Small` (64×64 blocks, 8×8 invocations), 8×8 outputs
/// per invocation, for GPUs; `Kernel::Matmul*Emulated` (64×64 blocks, 4×4 invocations, 16×16
/// outputs each) for CPU-emulated adapters (include/matmul_tile_16x16.wgsl says why). Each also
/// comes with scalar loads (`*Scalar`) for row lengths that are not a multiple of 4.
/// The smallest matmul (in multiply-adds) that takes the 16×16 tile on an emulated adapter:
/// a training step's (the small config's smallest, the head, is 17M); an Explore forward pass
/// over one sequence stays below it.
pub const EMULATED_MIN_FMA: u64 = 1 << 24;

/// Registers an invocation of the GPU tiles holds: 64 accumulators, 16 operand floats, the
/// next slice's vec4s and addresses. With 256 invocations a workgroup, a unit of 64K
/// registers holds two (`DeviceFacts::resident`).
pub const REGISTERS: u32 = 128;
/// What a Small block's work is worth against a Large one's: the same register tile, but
/// twice the staging and the loads from memory per multiply-add.
const SMALL_INTENSITY: f64 = 0.9;

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
    /// matmuls take the 8×8 tile. On a GPU, by how busy the grid keeps it
    /// (`DeviceFacts::busy`): 128×128 blocks unless 64×64 ones keep clearly more of its units'
    /// rate (a grid of a few blocks, such as inference over one sequence or the small models
    /// trained in the browser).
    pub fn for_output(gpu: &GpuContext, rows: u32, cols: u32, depth: u32) -> Tiles {
        if gpu.is_emulated() {
            let fma = rows as u64 * cols as u64 * depth as u64;
            return if fma >= EMULATED_MIN_FMA { Tiles::Emulated } else { Tiles::Small };
        }
        let busy_with = |t: Tiles| gpu.facts().busy(t.blocks(rows, cols), t.threads(), t.resident(gpu));
        if busy_with(Tiles::Small) * SMALL_INTENSITY > busy_with(Tiles::Large) {
            Tiles::Small
        } else {
            Tiles::Large
        }
    }

    /// Blocks covering a (rows, cols) output.
    fn blocks(self, rows: u32, cols: u32) -> u64 {
        rows.div_ceil(self.side()) as u64 * cols.div_ceil(self.side()) as u64
    }

    /// Invocations of a workgroup.
    fn threads(self) -> u32 {
        let [x, y, _] = self.workgroup_size();
        x * y
    }

    /// Workgroups of this shape one of `gpu`'s units holds at once.
    fn resident(self, gpu: &GpuContext) -> u32 {
        gpu.facts().resident(self.threads(), self.shared_bytes(), REGISTERS)
    }

    /// Slices of each operand staged at once (`SLOTS` in the WGSL): two on GPUs, so that a
    /// workgroup fills one while it computes from the other; one on an emulator
    /// (include/matmul_tile_16x16.wgsl's `multiply` says why).
    pub const fn stage_slots(self) -> u32 {
        match self {
            Tiles::Small | Tiles::Large => 2,
            Tiles::Emulated => 1,
        }
    }

    /// Workgroup memory of the staged slices: `stage_slots` of two BK×TILE slices of f32
    /// (16 KiB on GPUs, WebGPU's default limit; 8 KiB on an emulator).
    pub const fn shared_bytes(self) -> u32 {
        self.stage_slots() * 2 * self.depth() * self.side() * 4
    }

    /// Steps of the summed axis staged at a time (`BK` in the WGSL).
    pub const fn depth(self) -> u32 {
        match self {
            Tiles::Large => 8,
            Tiles::Small | Tiles::Emulated => 16,
        }
    }

    /// Whether every block of a (rows, cols) output and every staged step of a sum over `depth`
    /// (and of its slices, whole steps by `slicing`) lies inside the operands, so that the
    /// loads can skip their bounds checks (`Constants::aligned`). Operand rows whose length is
    /// not a multiple of 4 (the scalar loads) are never aligned.
    pub fn aligned(self, rows: u32, cols: u32, depth: u32) -> bool {
        rows.is_multiple_of(self.side()) && cols.is_multiple_of(self.side()) && depth.is_multiple_of(self.depth())
    }

    /// A sum over `steps` split into `splits` slices: the steps of each, rounded up to whole
    /// staging steps (`depth`), and the slices that makes (fewer where rounding leaves nothing
    /// for the last).
    fn slicing(self, steps: u32, splits: u32) -> (u32, u32) {
        let split = steps.div_ceil(splits.max(1)).next_multiple_of(self.depth());
        (split, steps.div_ceil(split))
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

// The 8×8 register tile's `multiply` (include/matmul_tile_8x8.wgsl) writes its steps out 8 at a
// time.
const _: () = assert!(Tiles::Large.depth().is_multiple_of(8) && Tiles::Small.depth().is_multiple_of(8));

/// The three tiled matmuls.
#[derive(Clone, Copy)]
enum Product {
    Forward,
    BackwardInput,
    BackwardWeight,
}

/// How a kernel reads its operands (the includes shaders.rs prepends).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Loads {
    /// f32, in vec4s: every row length a multiple of 4.
    Vec4,
    /// f32, a float at a time: any row length.
    Scalar,
    /// The weight in f16 (`matmul_forward_f16`), read as f16 (shader-f16).
    F16,
    /// The weight in f16, read as u32 pairs and unpacked (no shader-f16 needed).
    F16Packed,
}

impl Loads {
    /// The f32 loads for operands whose rows are `lengths` long.
    fn f32(lengths: &[u32]) -> Loads {
        if lengths.iter().all(|l| l.is_multiple_of(4)) {
            Loads::Vec4
        } else {
            Loads::Scalar
        }
    }

    /// The f16 weight loads `gpu` can take.
    fn f16(gpu: &GpuContext) -> Loads {
        if gpu.shader_f16() {
            Loads::F16
        } else {
            Loads::F16Packed
        }
    }
}

/// The kernel of `product` in shape `tiles` with `loads` (f16 only for the forward).
fn kernel_for(product: Product, tiles: Tiles, loads: Loads) -> Kernel {
    use Kernel::*;
    let [large, small, emulated] = match (product, loads) {
        (Product::Forward, Loads::Vec4) => [MatmulForward, MatmulForwardSmall, MatmulForwardEmulated],
        (Product::Forward, Loads::Scalar) => [MatmulForwardScalar, MatmulForwardSmallScalar, MatmulForwardEmulatedScalar],
        (Product::Forward, Loads::F16) => [MatmulForwardF16, MatmulForwardSmallF16, MatmulForwardEmulatedF16],
        (Product::Forward, Loads::F16Packed) => [MatmulForwardF16Packed, MatmulForwardSmallF16Packed, MatmulForwardEmulatedF16Packed],
        (Product::BackwardInput, Loads::Scalar) => {
            [MatmulBackwardInputScalar, MatmulBackwardInputSmallScalar, MatmulBackwardInputEmulatedScalar]
        }
        (Product::BackwardInput, _) => [MatmulBackwardInput, MatmulBackwardInputSmall, MatmulBackwardInputEmulated],
        (Product::BackwardWeight, Loads::Scalar) => {
            [MatmulBackwardWeightScalar, MatmulBackwardWeightSmallScalar, MatmulBackwardWeightEmulatedScalar]
        }
        (Product::BackwardWeight, _) => [MatmulBackwardWeight, MatmulBackwardWeightSmall, MatmulBackwardWeightEmulated],
    };
    match tiles {
        Tiles::Large => large,
        Tiles::Small => small,
        Tiles::Emulated => emulated,
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

/// out (M, N) = inp (M, K) · weight (N, K)ᵀ + bias (N). Up to SKINNY_ROWS rows run the
/// skinny kernel (`is_skinny`), more a tiled one: one launch, or two where the sum over K is
/// split (the second adds the slices and the bias), and on a GPU the last rows perhaps in
/// launches of their own (`forward_parts`).
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
) -> Vec<Op> {
    if is_skinny(m, k) {
        return vec![matmul_forward_skinny(gpu, None, out, inp, weight, bias, m, k, n)];
    }
    forward_launches(gpu, Tiles::for_output(gpu, m, n, k), None, out, inp, weight, bias, m, k, n)
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
    skinny(gpu, Loads::Vec4, act, out, inp, weight, bias, m, k, n)
}

#[allow(clippy::too_many_arguments)]
fn skinny(
    gpu: &GpuContext,
    loads: Loads,
    act: Option<(Activation, &GpuTensor)>, // and pre (M, N)
    out: &GpuTensor,                       // (M, N)
    inp: &GpuTensor,                       // (M, K)
    weight: &GpuTensor,                    // (N, K), f32 or f16
    bias: Option<&GpuTensor>,              // (N)
    m: u32,
    k: u32,
    n: u32,
) -> Op {
    debug_assert!(is_skinny(m, k), "the skinny matmul takes at most {SKINNY_ROWS} rows and K a multiple of 4, not M {m}, K {k}");
    let kernel = match loads {
        Loads::F16 => Kernel::MatmulForwardSkinnyF16,
        Loads::F16Packed => Kernel::MatmulForwardSkinnyF16Packed,
        Loads::Vec4 | Loads::Scalar => Kernel::MatmulForwardSkinny,
    };
    let params = forward_params(m, k, n, bias, k);
    let pre = act.map_or(gpu.unused(1), |a| a.1);
    let groups = n.div_ceil(SKINNY_WORKGROUP_SIZE[0] * SKINNY_COLS) as u64;
    let constants = Constants::act(act.map(|a| a.0));
    gpu.op_built(kernel, constants, &[out, pre, inp, weight, bias.unwrap_or(gpu.unused(0))], &params, grid(groups))
}

/// Whether `matmul_forward_f16` takes a weight whose rows are `k` long: it reads 4 halves of a
/// row at a time, so K must be a multiple of 4 (every real model's width is).
pub fn f16_fits(k: u32) -> bool {
    k.is_multiple_of(4)
}

/// A weight's f16 bit patterns as `matmul_forward_f16` binds them: two halves a word, the lower
/// half first, which is the bytes of a safetensors F16 tensor read as little-endian u32s.
pub fn pack_halves(bits: &[u16]) -> Vec<u32> {
    bits.chunks(2).map(|p| p[0] as u32 | (p.get(1).copied().unwrap_or(0) as u32) << 16).collect()
}

/// `matmul_forward` (`act` None) or `matmul_forward_act` with the weight in IEEE half precision
/// (`pack_halves`' layout, (N, K/2) words; K a multiple of 4: `f16_fits`), for inference of
/// f16 checkpoints at half the weight bytes: inp, bias, out and the arithmetic stay f32. With
/// shader-f16 the kernels read the halves as f16, without it as u32 pairs (`unpack2x16float`);
/// both widen exactly, so both give the f32 matmul of the widened weight. At most SKINNY_ROWS
/// rows run the skinny kernel, more a tiled one.
#[allow(clippy::too_many_arguments)]
pub fn matmul_forward_f16(
    gpu: &GpuContext,
    act: Option<(Activation, &GpuTensor)>, // and pre (M, N)
    out: &GpuTensor,                       // (M, N)
    inp: &GpuTensor,                       // (M, K)
    weight: &GpuTensor,                    // (N, K/2) words of f16 pairs
    bias: Option<&GpuTensor>,              // (N)
    m: u32,
    k: u32,
    n: u32,
) -> Op {
    debug_assert!(f16_fits(k), "f16 weights need K a multiple of 4, not {k}");
    if is_skinny(m, k) {
        return skinny(gpu, Loads::f16(gpu), act, out, inp, weight, bias, m, k, n);
    }
    matmul_forward_f16_tiled(gpu, Tiles::for_output(gpu, m, n, k), act, out, inp, weight, bias, m, k, n)
}

/// `matmul_forward_f16` on a tiled kernel of the caller's block size (tests check each).
#[allow(clippy::too_many_arguments)]
pub fn matmul_forward_f16_tiled(
    gpu: &GpuContext,
    tiles: Tiles,
    act: Option<(Activation, &GpuTensor)>, // and pre (M, N)
    out: &GpuTensor,                       // (M, N)
    inp: &GpuTensor,                       // (M, K)
    weight: &GpuTensor,                    // (N, K/2) words of f16 pairs
    bias: Option<&GpuTensor>,              // (N)
    m: u32,
    k: u32,
    n: u32,
) -> Op {
    forward(gpu, tiles, Loads::f16(gpu), act, out, inp, weight, bias, m, k, n)
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
    forward(gpu, tiles, Loads::f32(&[k]), None, out, inp, weight, bias, m, k, n)
}

/// pre (M, N) = inp (M, K) · weight (N, K)ᵀ + bias (N) and out (M, N) = act(pre), one kernel:
/// the activation runs in the matmul's epilogue instead of a pass of its own (one read of
/// (M, N) and one launch fewer). pre is kept for the activation's backward. Split over K as
/// `matmul_forward` is, the second launch applying the bias and the activation.
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
) -> Vec<Op> {
    if is_skinny(m, k) {
        return vec![matmul_forward_skinny(gpu, Some((act, pre)), out, inp, weight, bias, m, k, n)];
    }
    forward_launches(gpu, Tiles::for_output(gpu, m, n, k), Some((act, pre)), out, inp, weight, bias, m, k, n)
}

/// A tiled forward as `matmul_forward` and `matmul_forward_act` launch it: in the row ranges
/// `forward_parts` gives, each with its slices of K.
#[allow(clippy::too_many_arguments)]
fn forward_launches(
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
) -> Vec<Op> {
    // rows [from, from + count) of a tensor of rows `width` long
    let rows = |t: &GpuTensor, from: u32, count: u32, width: u32| t.slice(from as usize * width as usize, count as usize * width as usize);
    let mut ops = vec![];
    for ForwardPart { from, rows: count, splits } in forward_parts(gpu, tiles, m, k, n) {
        let (out, inp) = (rows(out, from, count, n), rows(inp, from, count, k));
        let pre = act.map(|(a, pre)| (a, rows(pre, from, count, n)));
        let act = pre.as_ref().map(|(a, pre)| (*a, pre));
        ops.extend(matmul_forward_split(gpu, tiles, splits, act, &out, &inp, weight, bias, count, k, n));
    }
    ops
}

/// Rows of a tiled forward's output launched together, with the slices of K they take.
struct ForwardPart {
    from: u32,
    rows: u32,
    splits: u32,
}

/// The launches of a tiled forward of (M, N) outputs: all its rows in `splits` slices of K
/// (one on an emulator), or, on a GPU, two parts where that takes less time by
/// `split_seconds`. The blocks of whole rounds (every unit at its full rate:
/// `DeviceFacts::filling` blocks on each), rounded down to whole rows of blocks, run in one
/// launch; the rest, a round's worth of time for a few blocks, in a second launch, split over
/// K by the same rule. 270 blocks of 128×128 on an H100: 264 are two whole rounds, and 6 would
/// take a third; 29 rows of 9 blocks run in two, the last row's 9 in slices of K.
fn forward_parts(gpu: &GpuContext, tiles: Tiles, m: u32, k: u32, n: u32) -> Vec<ForwardPart> {
    let fastest = |rows: u32| fastest_split(gpu, tiles, tiles.blocks(rows, n), k, rows as u64 * n as u64);
    let (splits, seconds) = fastest(m);
    let whole = vec![ForwardPart { from: 0, rows: m, splits }];
    if gpu.is_emulated() {
        return whole;
    }
    let facts = gpu.facts();
    let round = facts.compute_units as u64 * facts.filling(tiles.threads(), tiles.resident(gpu)) as u64;
    let cols = n.div_ceil(tiles.side()) as u64;
    let head = (tiles.blocks(m, n) / round * round / cols) as u32 * tiles.side();
    if head == 0 || head >= m {
        return whole;
    }
    let ((head_splits, head_seconds), (tail_splits, tail_seconds)) = (fastest(head), fastest(m - head));
    if (head_seconds + tail_seconds + facts.dispatch_us * 1e-6) * (1.0 + SPLIT_MARGIN) < seconds {
        vec![ForwardPart { from: 0, rows: head, splits: head_splits }, ForwardPart { from: head, rows: m - head, splits: tail_splits }]
    } else {
        whole
    }
}

/// `matmul_forward` (`act` None) or `matmul_forward_act` with the block size and the slices of
/// K chosen by the caller (tests check each; the slices are rounded to whole steps of the
/// tiles' depth). Several slices store their raw sums in context scratch, and
/// reduce_partials_forward.wgsl adds them up and applies the bias and the activation.
#[allow(clippy::too_many_arguments)]
pub fn matmul_forward_split(
    gpu: &GpuContext,
    tiles: Tiles,
    splits: u32,
    act: Option<(Activation, &GpuTensor)>, // and pre (M, N)
    out: &GpuTensor,                       // (M, N)
    inp: &GpuTensor,                       // (M, K)
    weight: &GpuTensor,                    // (N, K)
    bias: Option<&GpuTensor>,              // (N)
    m: u32,
    k: u32,
    n: u32,
) -> Vec<Op> {
    let loads = Loads::f32(&[k]);
    let (split, slices) = tiles.slicing(k, splits);
    if slices <= 1 {
        return vec![forward(gpu, tiles, loads, act, out, inp, weight, bias, m, k, n)];
    }
    let params = forward_params(m, k, n, bias, split);
    let partials = gpu.scratch(slices as usize * m as usize * n as usize);
    let [x, y, _] = tiles.grid(m, n);
    let first = gpu.op_built(
        kernel_for(Product::Forward, tiles, loads),
        Constants { aligned: tiles.aligned(m, n, k), ..Constants::partial() },
        &[&partials, gpu.unused(1), inp, weight, gpu.unused(0)],
        &params,
        [x, y, slices],
    );
    vec![first, reduce_partials_forward(gpu, out, act, &partials, bias, &params)]
}

/// The uniform of the forward kernels: `split` steps of K per slice (K for one).
fn forward_params(m: u32, k: u32, n: u32, bias: Option<&GpuTensor>, split: u32) -> MatmulParams {
    MatmulParams { m, k, n, has_bias: bias.is_some() as u32, split, _pad: [0; 3] }
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
    forward(gpu, tiles, Loads::f32(&[k]), Some((act, pre)), out, inp, weight, bias, m, k, n)
}

#[allow(clippy::too_many_arguments)]
fn forward(
    gpu: &GpuContext,
    tiles: Tiles,
    loads: Loads,
    act: Option<(Activation, &GpuTensor)>, // and pre (M, N)
    out: &GpuTensor,                       // (M, N)
    inp: &GpuTensor,                       // (M, K)
    weight: &GpuTensor,                    // (N, K)
    bias: Option<&GpuTensor>,              // (N)
    m: u32,
    k: u32,
    n: u32,
) -> Op {
    let kernel = kernel_for(Product::Forward, tiles, loads);
    let params = forward_params(m, k, n, bias, k);
    let pre = act.map_or(gpu.unused(1), |a| a.1);
    let constants = Constants { aligned: tiles.aligned(m, n, k), ..Constants::act(act.map(|a| a.0)) };
    gpu.op_built(kernel, constants, &[out, pre, inp, weight, bias.unwrap_or(gpu.unused(0))], &params, tiles.grid(m, n))
}

/// `cpu::matmul_backward`: dinp (M, K) (+)= dout · weight, added or stored as `dinp_write`
/// says (stored: dinp needs no clearing); dweight (N, K) += doutᵀ · inp and dbias (N) +=
/// Σ_m dout in one kernel. Each sum is split where the GPU has units to fill (`splits`), with a
/// second launch that adds the slices up. With `act` (and pre), inp was act(pre) and dinp
/// receives pre's gradient, act'(pre) ⊙ (dout · weight) (`cpu::matmul_backward_input_act`):
/// the activation's backward in the input gradient's epilogue.
#[allow(clippy::too_many_arguments)]
pub fn matmul_backward(
    gpu: &GpuContext,
    dinp: &GpuTensor,                      // (M, K)
    dweight: &GpuTensor,                   // (N, K)
    dbias: Option<&GpuTensor>,             // (N)
    dout: &GpuTensor,                      // (M, N)
    inp: &GpuTensor,                       // (M, K)
    weight: &GpuTensor,                    // (N, K)
    act: Option<(Activation, &GpuTensor)>, // and pre (M, K)
    m: u32,
    k: u32,
    n: u32,
    dinp_write: Write,
) -> Vec<Op> {
    let mut ops = matmul_backward_input(gpu, dinp, dout, weight, act, m, k, n, dinp_write);
    ops.extend(matmul_backward_weight(gpu, dweight, dbias, dout, inp, m, k, n));
    ops
}

/// Uniform of `matmul_backward_input.wgsl`.
#[repr(C)]
#[derive(Clone, Copy, Debug, bytemuck::Pod, bytemuck::Zeroable)]
pub struct MatmulBackwardParams {
    pub m: u32,
    pub k: u32,
    pub n: u32,
    /// Columns of N (the summed axis) per slice, a multiple of the tiles' depth.
    pub split: u32,
}
const _: () = assert!(std::mem::size_of::<MatmulBackwardParams>().is_multiple_of(16));

/// dinp (M, K) (+)= dout (M, N) · weight (N, K), added or stored as `write` says, or with
/// `act` (and pre (M, K)) act'(pre) ⊙ (dout · weight), the gradient of the activation's input
/// (`cpu::matmul_backward_input_act`): one launch, or two where the sum over N is split
/// (`splits`: a grid that ends on a part-filled wave of the GPU; the second applies act').
#[allow(clippy::too_many_arguments)]
pub fn matmul_backward_input(
    gpu: &GpuContext,
    dinp: &GpuTensor,                      // (M, K)
    dout: &GpuTensor,                      // (M, N)
    weight: &GpuTensor,                    // (N, K)
    act: Option<(Activation, &GpuTensor)>, // and pre (M, K)
    m: u32,
    k: u32,
    n: u32,
    write: Write,
) -> Vec<Op> {
    let tiles = Tiles::for_output(gpu, m, k, n);
    let splits = splits(gpu, tiles, tiles.blocks(m, k), n, m as u64 * k as u64);
    matmul_backward_input_tiled(gpu, tiles, splits, dinp, dout, weight, act, m, k, n, write)
}

/// `matmul_backward_input` with the block size and the slices of N chosen by the caller (tests
/// check each); the slices are rounded to whole steps of the tiles' depth.
#[allow(clippy::too_many_arguments)]
pub fn matmul_backward_input_tiled(
    gpu: &GpuContext,
    tiles: Tiles,
    splits: u32,
    dinp: &GpuTensor,                      // (M, K)
    dout: &GpuTensor,                      // (M, N)
    weight: &GpuTensor,                    // (N, K)
    act: Option<(Activation, &GpuTensor)>, // and pre (M, K)
    m: u32,
    k: u32,
    n: u32,
    write: Write,
) -> Vec<Op> {
    let kernel = kernel_for(Product::BackwardInput, tiles, Loads::f32(&[n, k]));
    let (split, slices) = tiles.slicing(n, splits);
    let params = MatmulBackwardParams { m, k, n, split };
    let [x, y, _] = tiles.grid(m, k);
    let pre = act.map_or(gpu.unused(0), |a| a.1);
    let aligned = tiles.aligned(m, k, n);
    if slices == 1 {
        let constants = Constants { aligned, accumulate: write.accumulate(), ..Constants::act(act.map(|a| a.0)) };
        return vec![gpu.op_built(kernel, constants, &[dinp, dout, weight, pre], &params, [x, y, 1])];
    }
    // the slices' raw sums (a pipeline without the activation); act' is applied once they are
    // added up
    let partials = gpu.scratch(slices as usize * m as usize * k as usize);
    vec![
        gpu.op_built(kernel, Constants { aligned, ..Constants::partial() }, &[&partials, dout, weight, pre], &params, [x, y, slices]),
        reduce_partials(gpu, dinp, None, &partials, act, m * k, 0, slices, m * k, write),
    ]
}

/// Uniform of `matmul_backward_weight.wgsl`.
#[repr(C)]
#[derive(Clone, Copy, Debug, bytemuck::Pod, bytemuck::Zeroable)]
pub struct MatmulWeightParams {
    pub m: u32,
    pub k: u32,
    pub n: u32,
    pub has_bias: u32,
    /// Rows of M per slice, a multiple of the tiles' depth.
    pub split_rows: u32,
    pub _pad: [u32; 3],
}
const _: () = assert!(std::mem::size_of::<MatmulWeightParams>().is_multiple_of(16));

/// Fewest steps of the summed axis a slice takes: a slice of fewer steps would spend longer
/// writing its partial sums than multiplying.
pub const MIN_SPLIT_DEPTH: u32 = 128;
/// The share of a GPU's fp32 peak a tuned matmul reaches: cuBLAS's best on the baby GPT's
/// shapes, 38 of an H100's 67 TFLOP/s (TF32 off). `split_seconds` weighs a slice's arithmetic
/// against the memory its partial sums take with it.
const MATMUL_SHARE_OF_PEAK: f64 = 38.0 / 67.0;
/// How much less time by `split_seconds` a split (or a launch apart) must take to be taken:
/// that rough time leaves out what the split adds to each slice (staging, the epilogue's
/// stores), so a near tie is not worth a launch more.
const SPLIT_MARGIN: f64 = 0.03;

/// How many slices a tiled matmul's sum over `depth` steps is split into, for a grid of
/// `blocks` blocks whose slices each store `partial_len` partial sums (then added up by
/// `reduce_partials`). On a GPU (`GpuContext::facts`), the count whose time by `split_seconds`
/// is least, where it beats one slice by `SPLIT_MARGIN`: a grid of few blocks leaves units
/// idle, or a last round part empty (27 blocks of 128×128 fill 27 of an H100's 132 units; in
/// 29 slices they make 783 workgroups, 5.93 a unit, 6 rounds), while each slice more writes
/// and reads its partials once.
/// At most one slice per `MIN_SPLIT_DEPTH` steps and as many as `SCRATCH_BUDGET` holds. On an
/// emulator one: a CPU has no idle units to fill.
pub fn splits(gpu: &GpuContext, tiles: Tiles, blocks: u64, depth: u32, partial_len: u64) -> u32 {
    fastest_split(gpu, tiles, blocks, depth, partial_len).0
}

/// `splits`' count and its `split_seconds` (0 on an emulator, where it is always one).
fn fastest_split(gpu: &GpuContext, tiles: Tiles, blocks: u64, depth: u32, partial_len: u64) -> (u32, f64) {
    if gpu.is_emulated() {
        return (1, 0.0);
    }
    let most = (depth / MIN_SPLIT_DEPTH).min((SCRATCH_BUDGET as u64 / partial_len.max(1)).min(u32::MAX as u64) as u32).max(1);
    let one = split_seconds(gpu, tiles, blocks, depth, partial_len, 1);
    (2..=most)
        .map(|s| (s, split_seconds(gpu, tiles, blocks, depth, partial_len, s)))
        .filter(|&(_, seconds)| seconds * (1.0 + SPLIT_MARGIN) < one)
        .min_by(|a, b| a.1.total_cmp(&b.1))
        .unwrap_or((1, one))
}

/// A rough time of a grid of `blocks` blocks over `depth` steps in `splits` slices on `gpu`,
/// to compare slice counts by (not an estimate of the kernel: `profile_step --cost` is that).
/// The grid takes `DeviceFacts::rounds` of its (block, slice) workgroups, each as long as one
/// slice's steps at a unit's share of the rate a tuned matmul reaches; where it is split, the
/// partial sums are written and read once more (`splits` + 1 passes over `partial_len` floats
/// at the memory's bandwidth) by one more launch.
fn split_seconds(gpu: &GpuContext, tiles: Tiles, blocks: u64, depth: u32, partial_len: u64, splits: u32) -> f64 {
    let facts = gpu.facts();
    let (steps, slices) = tiles.slicing(depth, splits);
    let rounds = facts.rounds(blocks * slices as u64, tiles.threads(), tiles.resident(gpu));
    let unit_fma_per_second = facts.fma_lanes as f64 * facts.clock_ghz * 1e9 * MATMUL_SHARE_OF_PEAK;
    let round = steps as f64 * (tiles.side() as f64).powi(2) / unit_fma_per_second;
    let sum = match slices {
        1 => 0.0,
        _ => (slices as f64 + 1.0) * partial_len as f64 * 4.0 / (facts.dram_gb_s * 1e9) + facts.dispatch_us * 1e-6,
    };
    rounds * round + sum
}

/// dweight (N, K) += dout (M, N)ᵀ · inp (M, K) and dbias (N) += Σ_m dout (when given): one
/// launch, or two where the sum over M is split (`weight_splits`).
#[allow(clippy::too_many_arguments)]
pub fn matmul_backward_weight(
    gpu: &GpuContext,
    dweight: &GpuTensor,       // (N, K)
    dbias: Option<&GpuTensor>, // (N)
    dout: &GpuTensor,          // (M, N)
    inp: &GpuTensor,           // (M, K)
    m: u32,
    k: u32,
    n: u32,
) -> Vec<Op> {
    let tiles = Tiles::for_output(gpu, n, k, m);
    let splits = splits(gpu, tiles, tiles.blocks(n, k), m, n as u64 * k as u64 + n as u64);
    matmul_backward_weight_tiled(gpu, tiles, splits, dweight, dbias, dout, inp, m, k, n)
}

/// `matmul_backward_weight` with the block size and the slices of M chosen by the caller (tests
/// check each); the slices are rounded to whole steps of the tiles' depth.
#[allow(clippy::too_many_arguments)]
pub fn matmul_backward_weight_tiled(
    gpu: &GpuContext,
    tiles: Tiles,
    splits: u32,
    dweight: &GpuTensor,       // (N, K)
    dbias: Option<&GpuTensor>, // (N)
    dout: &GpuTensor,          // (M, N)
    inp: &GpuTensor,           // (M, K)
    m: u32,
    k: u32,
    n: u32,
) -> Vec<Op> {
    let kernel = kernel_for(Product::BackwardWeight, tiles, Loads::f32(&[n, k]));
    let (split_rows, slices) = tiles.slicing(m, splits);
    let has_bias = dbias.is_some() as u32;
    let [x, y, _] = tiles.grid(n, k);
    let params = MatmulWeightParams { m, k, n, has_bias, split_rows, _pad: [0; 3] };
    let aligned = tiles.aligned(n, k, m);
    if slices == 1 {
        let constants = Constants { aligned, ..Constants::default() };
        return vec![gpu.op_built(kernel, constants, &[dweight, dbias.unwrap_or(gpu.unused(0)), dout, inp], &params, [x, y, 1])];
    }
    // slice z's row of partials: dweight's N·K sums, then dbias's N
    let stride = n * k + n;
    let partials = gpu.scratch(slices as usize * stride as usize);
    let bias_len = if dbias.is_some() { n } else { 0 };
    vec![
        gpu.op_built(
            kernel,
            Constants { aligned, ..Constants::partial() },
            &[&partials, gpu.unused(0), dout, inp],
            &params,
            [x, y, slices],
        ),
        reduce_partials(gpu, dweight, dbias, &partials, None, n * k, bias_len, slices, stride, Write::Add),
    ]
}
