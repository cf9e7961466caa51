//! What one dispatch of each kernel asks of a GPU, read from its recorded params: useful FLOPs,
//! instructions issued, bytes through workgroup memory and through DRAM, the critical path of
//! one invocation, and the registers that decide how many workgroups a unit holds. Each formula
//! follows the kernel's WGSL as written (loops, staging, private arrays); when a kernel changes,
//! its formula here changes with it.
//!
//! Conventions: `issue` counts lane-instructions (a vec4 fma is 4); `shared` counts bytes of
//! 128-byte wavefronts through workgroup memory or L1 (so a bank conflict or a private array
//! spilled to local memory costs what it costs there); `dram` counts the bytes that must cross
//! the memory bus once (operands re-read by many workgroups are assumed to hit L2);
//! `chain` is in clocks, with the device's latencies.

use super::shape::Shape;
use playground_gpu::context::Constants;
use playground_gpu::device::DeviceFacts;
use playground_gpu::kernels::matmul::REGISTERS;
use playground_gpu::Kernel;

/// The work of one dispatch.
#[derive(Clone, Copy, Debug, Default)]
pub struct Work {
    /// Useful floating-point operations (a multiply-add is 2).
    pub flops: f64,
    /// Lane-instructions issued, every pipe.
    pub issue: f64,
    /// Bytes through workgroup memory / L1, in whole wavefronts.
    pub shared: f64,
    /// Bytes to and from DRAM.
    pub dram: f64,
    /// Critical path of one invocation, clocks: what a wave takes however idle the unit is.
    pub chain: f64,
    /// Sequential multiply-adds (or loop steps) of one invocation: the table's "serial" column.
    pub serial: f64,
    /// Registers per invocation.
    pub registers: u32,
    /// Bytes of DRAM loads one invocation keeps in flight.
    pub inflight: u32,
}

/// What the formulas need besides the params: the grid and the kernel's own sizes.
#[derive(Clone, Copy, Debug)]
pub struct Launch {
    pub workgroups: u64,
    /// Invocations per workgroup (`@workgroup_size`, from the WGSL).
    pub threads: u32,
    /// `@workgroup_size`'s x (the side of a square matmul workgroup).
    pub side: u32,
}

/// Registers of a kernel that keeps a few scalars per invocation.
const FEW_REGISTERS: u32 = 32;
/// Loads a simple loop keeps in flight (the compilers unroll such loops about 4 times).
const UNROLL: f64 = 4.0;
/// Instructions of an activation's derivative and its multiply (gelu_grad: erf's polynomial,
/// an exp), as gelu_backward's formula counts them.
const ACT_GRAD: f64 = 24.0;

/// The work of `kernel` launched with `params` (its uniform, in words) and its pipeline's
/// `constants` on `launch`; `shape` is what its WGSL declares.
pub fn work(kernel: Kernel, p: &[u32], constants: Constants, launch: Launch, shape: &Shape, f: &DeviceFacts) -> Work {
    let Constants { act, partial, aligned, accumulate } = constants;
    let act = act != 0;
    let word = |i: usize| p.get(i).copied().unwrap_or(0) as f64;
    use Kernel::*;
    match kernel {
        // out = f(inp): n elements, read and written once
        GeluForward | GeluTanhForward => elementwise(word(0), 8.0, 24.0, f),
        ReluForward | AblateForward => elementwise(word(0), 8.0, 4.0, f),
        // dinp = f'(inp)·dout: inp and dout read, dinp written
        GeluBackward | GeluTanhBackward => elementwise(word(0), 12.0, 28.0, f),
        ReluBackward => elementwise(word(0), 12.0, 6.0, f),
        // n = rows·H outputs, 2H inputs per row
        SwiGluForward => elementwise(word(0), 12.0, 24.0, f),
        SwiGluBackward => elementwise(word(0), 20.0, 32.0, f),
        // rows·C elements of Q and K rotated in place, with their cos and sin
        RopeForward | RopeBackward => elementwise(word(0) * word(2) * 2.0, 12.0, 10.0, f),
        CrossPackForward | CrossPackBackward => elementwise(word(0), 8.0, 6.0, f),
        // tokens read once per row; wte and wpe rows read, out written
        EmbeddingForward => elementwise(word(0) * word(1) * word(2), 12.0, 8.0, f),
        // dlogits = (probs − onehot)·dloss: probs read, dlogits written
        SoftmaxXentBackward => elementwise(word(0) * word(1), 8.0, 6.0, f),
        // params, m, v read and written, grads read
        AdamwUpdate => elementwise(word(7), 28.0, 30.0, f),
        // K and V of n rows written into the cache
        KvCacheWrite => elementwise(word(0) * word(2) * 2.0, 8.0, 4.0, f),
        EmbeddingBackwardWpe => column_sum(word(0), word(0), word(1) * word(2), 1, 8.0, f),
        EmbeddingBackwardWte => embedding_backward_wte(word(0) * word(1), word(2), word(3), f),
        LayerNormForward | RmsNormForward => {
            // three passes over each row (mean, variance, output), 8 invocations per row; with
            // `residual` the branch read and the sum stored too (re-read from L1/L2)
            let residual = word(3);
            row_kernel(word(0), word(1), 8.0, 3.0, 12.0 + 8.0 * residual, 8.0 + 2.0 * residual, f)
        }
        // inp and dout read, dinp written (and read first where it is added to, `ACCUMULATE`)
        LayerNormBackwardInput | RmsNormBackwardInput => {
            row_kernel(word(0), word(1), 8.0, 2.0, 12.0 + 4.0 * accumulate as u8 as f64, 16.0, f)
        }
        // one workgroup of 64 per row over V columns
        SoftmaxXentForward | SoftmaxXentForwardSubgroups => row_kernel(word(0), word(1), 64.0, 3.0, 8.0, 30.0, f),
        // 32 channels × 8 row lanes, each lane summing its share of a chunk of rows (of all
        // rows where one chunk adds to the gradients)
        LayerNormBackwardParams | RmsNormBackwardParams => {
            let chunk = if word(3) != 0.0 { word(2) } else { word(0) };
            column_sum(word(0), chunk, word(1), 8, 8.0, f)
        }
        // out (+)= the column sums of `slices` rows of partials (with `act`, out_a's times
        // act'(pre): pre read, and act' as gelu_backward computes it); out read only where added to
        ReducePartials => {
            let (n, slices) = (word(0) + word(1), word(2));
            let act = if act { word(0) / n.max(1.0) } else { 0.0 };
            let bytes = 4.0 * slices + 4.0 + 4.0 * (accumulate as u8 as f64) + 4.0 * act;
            let mut w = elementwise(n, bytes, 2.0 * slices + 6.0 + ACT_GRAD * act, f);
            w.chain = slices * f.dram_latency as f64 / UNROLL + f.dram_latency as f64;
            w.serial = slices;
            w
        }
        // out = the sum of ⌈K / split⌉ slices of partials + bias, through the forward's epilogue
        // (with `act`, pre stored too and the activation as gelu_forward computes it)
        ReducePartialsForward => {
            let (m, k, n, split) = (word(0), word(1), word(2), word(4).max(1.0));
            let (slices, act) = ((k / split).ceil(), act as u8 as f64);
            let mut w = elementwise(m * n, 4.0 * slices + 4.0 + 4.0 * act, 2.0 * slices + 8.0 + ACT_GRAD * act, f);
            w.chain = slices * f.dram_latency as f64 / UNROLL + f.dram_latency as f64;
            w.serial = slices;
            w
        }
        // 4096 gradients per workgroup of 256: 16 each, then a tree in workgroup memory
        GradNormPartial | GradNormPartialSubgroups => {
            let n = word(0);
            let mut w = elementwise(n, 4.0, 3.0, f);
            w.chain = 16.0 * f.dram_latency as f64 / UNROLL + 8.0 * 2.0 * f.shared_latency as f64;
            w.serial = 16.0;
            w
        }
        // one workgroup over the partials
        GradNormFinalize | GradNormFinalizeSubgroups | StepStats | StepStatsSubgroups => {
            let n = word(0).max(1.0);
            let steps = (n / 256.0).ceil();
            Work {
                flops: 2.0 * n,
                issue: 4.0 * n,
                shared: 0.0,
                dram: 4.0 * n,
                chain: steps * f.dram_latency as f64 / UNROLL + 8.0 * 2.0 * f.shared_latency as f64 + f.dram_latency as f64,
                serial: steps,
                registers: FEW_REGISTERS,
                inflight: 16,
            }
        }
        MatmulForward
        | MatmulForwardScalar
        | MatmulForwardSmall
        | MatmulForwardSmallScalar
        | MatmulForwardEmulated
        | MatmulForwardEmulatedScalar
        | MatmulForwardF16
        | MatmulForwardF16Packed
        | MatmulForwardSmallF16
        | MatmulForwardSmallF16Packed
        | MatmulForwardEmulatedF16
        | MatmulForwardEmulatedF16Packed => {
            // out (M, N) = inp (M, K)·weight (N, K)ᵀ over a slice of `split` steps of K (with
            // several, raw sums into partials)
            let (m, k, n, split) = (word(0), word(1), word(2), word(4));
            let depth = if split > 0.0 { split.min(k) } else { k };
            let product = Product { rows: m, cols: n, depth, total_depth: k, accumulate: false, partial, act: false, aligned };
            matmul(product, kernel, launch, shape, f)
        }
        MatmulBackwardInput
        | MatmulBackwardInputScalar
        | MatmulBackwardInputSmall
        | MatmulBackwardInputSmallScalar
        | MatmulBackwardInputEmulated
        | MatmulBackwardInputEmulatedScalar => {
            // dinp (M, K) (+)= dout (M, N)·weight (N, K) over a slice of `split` columns of N;
            // with `act` (one slice) times act'(pre) in the epilogue
            let (m, k, n, split) = (word(0), word(1), word(2), word(3));
            let act = act && !partial;
            matmul(
                Product { rows: m, cols: k, depth: split.min(n), total_depth: n, accumulate, partial, act, aligned },
                kernel,
                launch,
                shape,
                f,
            )
        }
        MatmulBackwardWeight
        | MatmulBackwardWeightScalar
        | MatmulBackwardWeightSmall
        | MatmulBackwardWeightSmallScalar
        | MatmulBackwardWeightEmulated
        | MatmulBackwardWeightEmulatedScalar => {
            // dweight (N, K) (+)= dout (M, N)ᵀ·inp (M, K) over a slice of split_rows rows of M
            let (m, k, n, split_rows) = (word(0), word(1), word(2), word(4));
            let product =
                Product { rows: n, cols: k, depth: split_rows.min(m), total_depth: m, accumulate: !partial, partial, act: false, aligned };
            matmul(product, kernel, launch, shape, f)
        }
        MatmulForwardSkinny => matmul_skinny(word(0), word(1), word(2), 4.0, f),
        MatmulForwardSkinnyF16 | MatmulForwardSkinnyF16Packed => matmul_skinny(word(0), word(1), word(2), 2.0, f),
        AttentionForwardTiled | AttentionBackwardKeyTiled => attention_tiled(kernel, p, Head::Spilled, f),
        AttentionForwardHead32 | AttentionBackwardKeyHead32 => attention_tiled(kernel, p, Head::Registers(8), f),
        AttentionForwardRegs64 => attention_tiled(kernel, p, Head::Registers(16), f),
        AttentionForwardLanes | AttentionBackwardKvLanes | AttentionBackwardKvLanes64 => attention_lanes(kernel, p, shape, f),
        AttentionForward | AttentionBackwardKey => attention_per_row(kernel, p, f),
        // dQ, and each row's D = dO·out first (include/attention_delta.wgsl)
        AttentionBackwardQueryTiled => with_delta(attention_tiled(kernel, p, Head::Spilled, f), p, f),
        AttentionBackwardQueryHead32 => with_delta(attention_tiled(kernel, p, Head::Registers(8), f), p, f),
        AttentionBackwardQueryRegs64 => with_delta(attention_tiled(kernel, p, Head::Registers(16), f), p, f),
        AttentionBackwardQuery => with_delta(attention_per_row(kernel, p, f), p, f),
        // and D_i (its loads as with_delta counts them; its chain over LANES lanes is shorter)
        AttentionBackwardQueryLanes => with_delta(attention_lanes(kernel, p, shape, f), p, f),
        KvAttentionForward => {
            // one workgroup per (row, head) over pos0 + rows keys of the cache
            let (rows, c, nh) = (word(0), word(2), word(3));
            let keys = word(1) + rows;
            let fma = rows * nh * keys * (c / nh) * 2.0;
            Work {
                flops: 2.0 * fma,
                issue: 2.0 * fma,
                shared: 0.0,
                dram: 4.0 * (rows * 3.0 * c + 2.0 * keys * c + rows * c),
                chain: (keys / 64.0).ceil() * (c / nh) * f.dram_latency as f64 / UNROLL,
                serial: keys / 64.0 * c / nh,
                registers: FEW_REGISTERS,
                inflight: 16,
            }
        }
    }
}

/// n independent elements, one per invocation: `bytes` and `instructions` per element.
fn elementwise(n: f64, bytes: f64, instructions: f64, f: &DeviceFacts) -> Work {
    Work {
        flops: n * instructions / 2.0,
        issue: n * instructions,
        shared: 0.0,
        dram: n * bytes,
        chain: f.dram_latency as f64 + 2.0 * instructions,
        serial: 1.0,
        registers: FEW_REGISTERS,
        inflight: bytes.min(16.0) as u32,
    }
}

/// Rows of `c` values, `lanes` invocations per row summing in workgroup memory: `passes` over
/// the row, `bytes` and `instructions` per element.
fn row_kernel(rows: f64, c: f64, lanes: f64, passes: f64, bytes: f64, instructions: f64, f: &DeviceFacts) -> Work {
    let n = rows * c;
    let steps = passes * (c / lanes).ceil();
    Work {
        flops: n * passes * 2.0,
        issue: n * instructions,
        shared: rows * lanes * passes * 4.0 * 2.0,
        dram: n * bytes,
        chain: steps * f.dram_latency as f64 / UNROLL + passes * lanes.log2().max(1.0) * 2.0 * f.shared_latency as f64,
        serial: steps,
        registers: FEW_REGISTERS,
        inflight: 16,
    }
}

/// Sums over `rows` rows of `cols` columns, one invocation per (column, row lane) and chunk of
/// `chunk` rows: each lane walks chunk/lanes rows, then the lanes are added in workgroup memory.
fn column_sum(rows: f64, chunk: f64, cols: f64, lanes: u32, bytes_per_element: f64, f: &DeviceFacts) -> Work {
    let steps = (chunk / lanes as f64).ceil();
    Work {
        flops: rows * cols * bytes_per_element / 4.0,
        issue: rows * cols * 4.0,
        shared: (rows / chunk).ceil() * cols * lanes as f64 * 8.0,
        dram: rows * cols * bytes_per_element + 8.0 * (rows / chunk).ceil() * cols,
        chain: steps * f.dram_latency as f64 / UNROLL + 3.0 * 2.0 * f.shared_latency as f64,
        serial: steps,
        registers: FEW_REGISTERS,
        inflight: 16,
    }
}

/// embedding_backward_wte.wgsl: one invocation per (token id, channel) scans every one of the
/// b·t positions for its token (one L1-cached load and a compare each) and adds dout where it
/// matches.
fn embedding_backward_wte(bt: f64, c: f64, v: f64, f: &DeviceFacts) -> Work {
    Work {
        flops: bt * c,
        issue: v * c * bt * 3.0,
        shared: v * c / f.subgroup as f64 * bt * 128.0 / 32.0,
        dram: 4.0 * (bt * c + 2.0 * v * c + bt),
        chain: bt * f.shared_latency as f64 / UNROLL,
        serial: bt,
        registers: FEW_REGISTERS,
        inflight: 4,
    }
}

/// The sizes of a tiled matmul launch.
struct Product {
    /// Output rows and columns.
    rows: f64,
    cols: f64,
    /// Steps of the summed axis one workgroup takes (a slice of it where the sum is split).
    depth: f64,
    total_depth: f64,
    /// The output is read and added to (else stored).
    accumulate: bool,
    /// The workgroups store partial sums of their slice (split-K).
    partial: bool,
    /// The epilogue multiplies by an activation's derivative at pre (read once).
    act: bool,
    /// Every block and step lies inside the operands (`ALIGNED`): the loads are unchecked.
    aligned: bool,
}

/// A register-tiled matmul as written (include/matmul_stage.wgsl, include/matmul_tile_*.wgsl):
/// each workgroup a TILE×TILE block over its steps of the summed axis, BK steps a slice, staged
/// double-buffered with one barrier per slice and no bank conflicts (strided operands stored
/// transposed, a warp's component stores on 32 banks); the GPU tiles (8×8 per invocation) load
/// the next slice into registers while they multiply the current one, the emulated tile (16×16)
/// stages straight into the other slot. TILE, BK and the operands' layout come from the WGSL.
fn matmul(p: Product, kernel: Kernel, launch: Launch, shape: &Shape, f: &DeviceFacts) -> Work {
    let constant = |name: &str| shape.constant(name).unwrap_or_else(|| panic!("{}: no const {name}", kernel.source().name));
    let (tile, bk) = (constant("TILE"), constant("BK"));
    let strided = [constant("A_STRIDED") != 0.0, constant("B_STRIDED") != 0.0];
    let vec4 = !kernel.source().name.ends_with("_scalar");
    let side = launch.side as f64;
    let threads = side * side;
    let r = tile / side; // outputs per invocation along each side
    let workgroups = launch.workgroups as f64;
    let slices = (p.depth / bk).ceil();
    // per step kk: r² fma, r/2 vec4 loads from workgroup memory, ~2 of loop and addressing
    // (an eighth of that for the GPU tile, whose loop takes 8 steps a trip at constant offsets)
    let per_kk = r * r + r / 2.0 + if r > 8.0 { 2.0 } else { 2.0 / 8.0 };
    // per vec4 staged: the load (1, or 4 scalar ones) with its clamps, bounds test and address
    // arithmetic, or, aligned, with one add to an address whose row part is the same every
    // slice; then one store as it is or four transposed
    let fetch = match (vec4, p.aligned) {
        (true, true) => 3.0,
        (true, false) => 9.0,
        (false, _) => 21.0,
    };
    let put = |strided: bool| if strided { 10.0 } else { 3.0 };
    let loads = bk * tile / 4.0 / threads; // vec4s per operand, invocation and slice
    let stage = loads * (2.0 * fetch + put(strided[0]) + put(strided[1]));
    let epilogue = if p.act { ACT_GRAD * p.rows * p.cols } else { 0.0 };
    let issue = workgroups * slices * threads * (bk * per_kk + stage) + epilogue; // padded blocks compute too
                                                                                  // reads: a warp covers 32/side rows of quads (broadcast) and `side` column quads
    let warps = (threads / 32.0).max(1.0);
    let warp_rows = (32.0 / side).min(side);
    let per_kk_wavefronts = r / 4.0 * ((warp_rows * 16.0 / 128.0).ceil() + (side.min(32.0) * 16.0 / 128.0).ceil());
    let reads = workgroups * slices * bk * warps * per_kk_wavefronts;
    // stores: a warp's 32 vec4s (or 4 × 32 transposed components) are 4 wavefronts
    let stores = workgroups * slices * 2.0 * (bk * tile / 4.0 / 32.0) * 4.0;
    let outputs = p.rows * p.cols;
    let splits = (p.total_depth / p.depth).ceil();
    let written = if p.partial { splits * outputs } else { outputs * if p.accumulate { 2.0 } else { 1.0 } };
    // an f16 weight (rhs of the forward) moves half the bytes
    let rhs_bytes = if kernel.source().name.contains("_f16") { 2.0 } else { 4.0 };
    let pre = if p.act { outputs } else { 0.0 };
    let dram = 4.0 * (p.rows * p.total_depth + written + pre) + rhs_bytes * p.cols * p.total_depth;
    // one workgroup alone per slice: its warps share four schedulers; the GPU tiles wait on
    // memory only where the slice's arithmetic is shorter than the latency
    let own = bk * per_kk * (warps / 4.0).ceil() + loads * 2.0 * (fetch + 4.0);
    let wait = if r > 8.0 { f.dram_latency as f64 } else { (f.dram_latency as f64 - own).max(0.0) };
    let chain = slices * (own + wait + f.shared_latency as f64);
    Work {
        flops: 2.0 * p.rows * p.cols * p.total_depth,
        issue,
        shared: (reads + stores) * 128.0,
        dram,
        chain,
        serial: slices * bk * r * r,
        registers: if r > 8.0 { 255 } else { REGISTERS },
        inflight: 16,
    }
}

/// matmul_forward_skinny.wgsl: at most 16 rows; each invocation owns 4 columns and walks K in
/// vec4s, reading its 4 weight rows once (`weight_bytes` per element: 4, or 2 in f16).
fn matmul_skinny(m: f64, k: f64, n: f64, weight_bytes: f64, f: &DeviceFacts) -> Work {
    let fma = m * k * n;
    Work {
        flops: 2.0 * fma,
        issue: fma * 1.25,
        shared: 0.0,
        dram: weight_bytes * n * k + 4.0 * (m * k + m * n),
        chain: (k / 4.0) * (f.dram_latency as f64 / UNROLL + 4.0 * m),
        serial: k / 4.0 * m * 4.0,
        registers: 96,
        inflight: 64,
    }
}

/// A dQ kernel's `row_delta`: per (b, h, t) row, dO·out over the head (dO from L1 or L2, out
/// from DRAM: the loads independent, the fma dependent) and delta stored.
fn with_delta(mut w: Work, p: &[u32], f: &DeviceFacts) -> Work {
    let [b, t, c, nh] = [0, 1, 2, 3].map(|i| p.get(i).copied().unwrap_or(0) as f64);
    let (rows, hs) = (b * nh * t, c / nh);
    w.flops += 2.0 * rows * hs;
    w.issue += 3.0 * rows * hs;
    w.dram += 4.0 * (b * t * c + rows);
    w.chain += f.dram_latency as f64 + 4.0 * hs;
    w
}

/// Where a staged attention kernel keeps the head of its row.
#[derive(Clone, Copy)]
enum Head {
    /// Private arrays indexed by a loop counter to a runtime bound (`_tiled`): local memory.
    Spilled,
    /// All of a build's `h4` vec4s, whatever the head size (`_head32`: 8, `_regs64`: 16), in
    /// registers where they fit.
    Registers(u32),
}

/// Registers a GPU gives one invocation at most (NVIDIA's 255); a kernel that holds more
/// spills the rest to local memory.
const MAX_REGISTERS: u32 = 255;

/// The staged attention kernels: one workgroup per (b, h, 64 rows), one invocation per row (a
/// query, or a key for dK and dV), keys (or queries) staged 16 at a time. A spilled head
/// (`Head::Spilled`, or registers past `MAX_REGISTERS`) is in local memory, so every vec4 of
/// the head is a load (and a store, where it is updated) through L1.
fn attention_tiled(kernel: Kernel, p: &[u32], head: Head, f: &DeviceFacts) -> Work {
    let [b, t, c, nh, causal] = [0, 1, 2, 3, 4].map(|i| p.get(i).copied().unwrap_or(0) as f64);
    let hs = c / nh;
    let rows = b * nh * t;
    // (row, key) pairs computed
    let pairs = rows * if causal != 0.0 { (t + 1.0) / 2.0 } else { t };
    // passes over the head per pair: products (q·k, and dO·v backward) and updates (o, dq, dk,
    // dv); the forward: q·k, then o += p·v; dQ: q·k and dO·v, then dq += dS·k
    let (products, updates) = match kernel {
        Kernel::AttentionForwardTiled | Kernel::AttentionForwardHead32 | Kernel::AttentionForwardRegs64 => (1.0, 1.0),
        Kernel::AttentionBackwardQueryTiled | Kernel::AttentionBackwardQueryHead32 | Kernel::AttentionBackwardQueryRegs64 => (2.0, 1.0),
        _ => (2.0, 2.0),
    };
    let passes = products + updates;
    // the vec4s of the head computed, the floats an invocation holds (the head's arrays, ~40 more)
    let hs4 = match head {
        Head::Spilled => (hs / 4.0).ceil(),
        Head::Registers(h4) => h4 as f64,
    };
    let arrays = match kernel {
        Kernel::AttentionForwardTiled | Kernel::AttentionForwardHead32 | Kernel::AttentionForwardRegs64 => 2.0,
        Kernel::AttentionBackwardQueryTiled | Kernel::AttentionBackwardQueryHead32 | Kernel::AttentionBackwardQueryRegs64 => 3.0,
        _ => 4.0,
    };
    let held = (arrays * hs4 * 4.0) as u32 + 40;
    let spilled = matches!(head, Head::Spilled) || held > MAX_REGISTERS;
    let fma = pairs * hs4 * 4.0 * passes;
    // per pair and vec4 of the head: the fma (4), the tile's vec4 (1), and when spilled the
    // head's vec4 loaded (1), and stored again where updated (1); per pair ~20 for exp and the sums
    let spill_ops = if spilled { products + 2.0 * updates } else { 0.0 };
    let issue = pairs * (hs4 * (4.0 * passes + passes + spill_ops) + 20.0);
    // wavefronts per warp: a tile vec4 is the same for all 32 (1 wavefront); a spilled vec4 is
    // the invocation's own (32 × 16 B = 4 wavefronts)
    let warps = rows / 32.0;
    let per_pair_wavefronts = hs4 * (passes + 4.0 * spill_ops);
    let keys = pairs / rows;
    let shared = warps * keys * per_pair_wavefronts * 128.0;
    // qkv and dout compulsory: Q, K, V (and dO) read once, outputs written (the backward's
    // gradients stored: about two of Q's size)
    let dram = 4.0 * b * t * c * if products > 1.0 { 3.0 + 1.0 + 2.0 } else { 3.0 + 1.0 } + 8.0 * rows;
    // per pair: a dependent chain of hs4 fma through the product, the exp, and a workgroup
    // memory load; per 16 keys two barriers and the staging's DRAM load
    let per_pair = hs4 * 4.0 + 40.0 + f.shared_latency as f64 + if spilled { f.shared_latency as f64 } else { 0.0 };
    let chain = keys * per_pair + (keys / 16.0).ceil() * (f.dram_latency as f64 + 2.0 * f.shared_latency as f64);
    Work {
        flops: 2.0 * fma,
        issue,
        shared,
        dram,
        chain,
        serial: keys * hs4 * 4.0 * passes,
        registers: if spilled { 64 } else { held },
        inflight: 16,
    }
}

/// The _lanes kernels (attention_forward_lanes, attention_backward_query_lanes,
/// attention_backward_kv_lanes): the tiled kernels' loops with each row (a query, or a key for
/// dK/dV) over LANES invocations, each holding MAX_HS4 / LANES vec4s of the row's arrays in
/// registers (the head's full MAX_HS4 computed, zero past the head size); one workgroup per (b,
/// head, 64 rows); per STEP keys (queries) staged, each lane's parts of the products go through
/// workgroup memory (a store, a barrier, LANES loads), three barriers a step.
fn attention_lanes(kernel: Kernel, p: &[u32], shape: &Shape, f: &DeviceFacts) -> Work {
    let [b, t, c, nh, causal] = [0, 1, 2, 3, 4].map(|i| p.get(i).copied().unwrap_or(0) as f64);
    let constant = |name| shape.constant(name).unwrap_or_else(|| panic!("{kernel:?}: no const {name}"));
    let (lanes, hs4, bkv) = (constant("LANES"), constant("MAX_HS4"), constant("STEP"));
    let lane_hs4 = hs4 / lanes;
    let rows = b * nh * t;
    let keys = if causal != 0.0 { (t + 1.0) / 2.0 } else { t };
    let pairs = rows * keys;
    // passes over the lane's vec4s per (query, key): the forward q·k, then o += p·v; dQ q·k and
    // dO·v, then dq += dS·k; dK/dV q·k and dO·v, then dv += p·dO and dk += dS·q; and the arrays
    // each lane holds
    let (passes, arrays) = match kernel {
        Kernel::AttentionBackwardQueryLanes => (3.0, 3.0),
        Kernel::AttentionBackwardKvLanes | Kernel::AttentionBackwardKvLanes64 => (4.0, 4.0),
        _ => (2.0, 2.0),
    };
    // per (row, key) and lane: each pass's fma (4) and tile load (1), its parts stored, LANES
    // parts loaded, ~20 for exp and the running max
    let issue = pairs * lanes * (lane_hs4 * 5.0 * passes + 1.0 + lanes + 20.0);
    // per warp and key: each tile load is 8 rows' LANES contiguous vec4s (one wavefront), the
    // parts' store one, each of the LANES loads one
    let warps = rows * lanes / 32.0;
    let shared = warps * keys * (passes * lane_hs4 + 1.0 + lanes) * 128.0;
    let dram = 4.0 * b * t * c * if passes > 2.0 { 3.0 + 1.0 + 2.0 } else { 3.0 + 1.0 } + 8.0 * rows;
    // per key: the lane's dependent fma, the parts' load, exp; per step three barriers and the
    // staging's DRAM load
    // the (query, key) pairs one row's lanes take: dK/dV's key row over its group's query heads
    let group = if matches!(kernel, Kernel::AttentionBackwardKvLanes | Kernel::AttentionBackwardKvLanes64) {
        nh / p.get(6).copied().unwrap_or(1).max(1) as f64
    } else {
        1.0
    };
    let per_row = keys * group;
    let chain = per_row * (lane_hs4 * 4.0 + 40.0 + f.shared_latency as f64)
        + (per_row / bkv).ceil() * (f.dram_latency as f64 + 3.0 * f.shared_latency as f64);
    Work {
        flops: 2.0 * pairs * hs4 * 4.0 * passes,
        issue,
        shared,
        dram,
        chain,
        serial: per_row * lane_hs4 * 4.0 * passes,
        // the row's arrays, and ~40 more
        registers: (arrays * lane_hs4 * 4.0) as u32 + 40,
        inflight: 16,
    }
}

/// attention_forward.wgsl and the per-row backward kernels (heads over 64 channels, traces):
/// one invocation per (b, h, row), keys read straight from DRAM (L2), no staging.
fn attention_per_row(kernel: Kernel, p: &[u32], f: &DeviceFacts) -> Work {
    let [b, t, c, nh] = [0, 1, 2, 3].map(|i| p.get(i).copied().unwrap_or(0) as f64);
    let causal = p.get(4).is_some_and(|&x| x != 0);
    let hs = c / nh;
    let rows = b * nh * t;
    let keys = if causal { (t + 1.0) / 2.0 } else { t };
    let passes = if kernel == Kernel::AttentionForward { 3.0 } else { 4.0 };
    let fma = rows * keys * hs * passes;
    Work {
        flops: 2.0 * fma,
        issue: 2.0 * fma,
        shared: fma / 32.0 * 128.0,
        dram: 4.0 * b * t * c * 6.0,
        chain: keys * passes * (hs * 4.0 + f.shared_latency as f64),
        serial: keys * hs * passes,
        registers: 64,
        inflight: 16,
    }
}
