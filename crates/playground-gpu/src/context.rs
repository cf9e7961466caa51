//! `GpuContext`: adapter, device, queue and one compute pipeline per kernel, compiled on the
//! kernel's first use (a page's first forward pass compiles only the forward kernels).
//! The same code runs natively (Vulkan) and in the browser (WebGPU); construction is async.

use crate::counters::{BufferCounter, BufferStats, Tracked};
use crate::device::DeviceFacts;
use crate::error::GpuError;
use crate::readback::Region;
use crate::shaders::Kernel;
use crate::tensor::GpuTensor;
use playground_core::cpu::Activation;
use playground_core::DeviceLimits;
use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, Mutex, OnceLock};
use wgpu::util::DeviceExt;

/// The most workgroups a grid puts along x before it wraps onto y.
pub const MAX_GRID_X: u32 = 65535;

/// How models share one context: `Arc` natively (the tests share one across threads), `Rc` in
/// the browser, where WebGPU objects are neither `Send` nor `Sync` and there is one thread.
#[cfg(not(target_arch = "wasm32"))]
pub type SharedGpu = std::sync::Arc<GpuContext>;
#[cfg(target_arch = "wasm32")]
pub type SharedGpu = std::rc::Rc<GpuContext>;

/// A popped error scope's result, awaited later (`GpuContext::compiled`).
#[cfg(not(target_arch = "wasm32"))]
type ScopeResult = Pin<Box<dyn Future<Output = Option<wgpu::Error>> + Send>>;
#[cfg(target_arch = "wasm32")]
type ScopeResult = Pin<Box<dyn Future<Output = Option<wgpu::Error>>>>;

/// A kernel's compute pipeline and the layout of its bind group 0.
struct Compiled {
    pipeline: wgpu::ComputePipeline,
    layout: wgpu::BindGroupLayout,
}

pub struct GpuContext {
    pub device: wgpu::Device,
    pub queue: wgpu::Queue,
    pub info: wgpu::AdapterInfo,
    /// Indexed by `Kernel as usize · Constants::COUNT + Constants::index` (`Op::constants`);
    /// filled on each pipeline's first use.
    compiled: Vec<OnceLock<Compiled>>,
    /// Validation results of pipelines compiled since the last `compiled()`, by kernel name.
    pending: Mutex<Vec<(&'static str, ScopeResult)>>,
    lost: Arc<Mutex<Option<String>>>,
    /// Error scopes belong to the device, not to a thread: allocations that check for
    /// out-of-memory take turns, so scopes from two threads never interleave.
    scope_turn: Mutex<()>,
    /// Bound where a kernel's flag says a binding is not used; two, so that two unused
    /// writable bindings of one launch never alias each other.
    unused: [GpuTensor; 2],
    /// Every buffer made on this device, counted (see `buffer_stats`).
    pub(crate) buffers: Arc<BufferCounter>,
    /// Limits below the device's, set by tests of the split path (`with_smaller_limits`).
    smaller_limits: Option<DeviceLimits>,
    /// What the launchers assume about the GPU when they size their grids: the adapter's
    /// (`DeviceFacts::for_adapter`) until `set_facts` replaces them (a browser's launch tuning).
    facts: Mutex<DeviceFacts>,
    /// Scratch of the two-stage sums (`scratch`): every buffer made, the largest last.
    scratch: Mutex<Vec<GpuTensor>>,
}

/// What the kernels use where the adapter offers it: subgroup operations (the workgroup
/// reductions of include/workgroup_reduce_subgroups.wgsl) and f16 in shaders (matmuls with f16
/// weights). Natively wgpu offers subgroups on Vulkan; in the browser wgpu 30 does not ask for
/// them, and shader-f16 only where the browser's adapter has it.
pub const OPTIONAL_FEATURES: wgpu::Features = wgpu::Features::SUBGROUP.union(wgpu::Features::SHADER_F16);

/// The most a two-stage sum's partials may take of scratch, in floats (64 MiB): launchers split
/// less where more would not fit.
pub const SCRATCH_BUDGET: usize = 16 << 20;

/// The pipeline-overridable constants (WGSL `override`s) a kernel's pipeline is built with: what
/// is the same for a whole launch, taken out of the code each output runs. An emulator cannot
/// see that a uniform is the same in every lane, so it runs every side of a branch on one,
/// masked, at each of an invocation's outputs (256 in the emulated matmul tile;
/// docs/PERFORMANCE.md). A kernel declares the ones it reads; the default values are passed to
/// none, so kernels that declare none are built as they are.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Constants {
    /// `ACT` (include/activations.wgsl): the activation the epilogue applies, or whose derivative
    /// it multiplies by (0 none, 1 gelu, 2 gelu_tanh, 3 relu: `Constants::act`).
    pub act: u32,
    /// `PARTIAL` (the tiled matmuls): each slice of the summed axis stores its raw sums into
    /// partials, added up by a second launch.
    pub partial: bool,
    /// `ALIGNED` (the tiled matmuls, include/matmul_stage.wgsl): every block and slice lies
    /// inside the operands (`matmul::Tiles::aligned`), so their loads skip the bounds checks.
    pub aligned: bool,
    /// `ACCUMULATE` (matmul_backward_input, reduce_partials): the sums are added to the output
    /// (`Write::Add`), else stored over it without reading it.
    pub accumulate: bool,
}

impl Constants {
    const ACT_CODES: usize = 4;
    const COUNT: usize = Self::ACT_CODES * 8;

    /// The epilogue's activation (matmul_forward.wgsl), or the one whose derivative it applies
    /// (matmul_backward_input.wgsl, reduce_partials.wgsl), as `ACT`'s code.
    pub fn act(act: Option<Activation>) -> Self {
        let act = match act {
            None => 0,
            Some(Activation::Gelu) => 1,
            Some(Activation::GeluTanh) => 2,
            Some(Activation::Relu) => 3,
        };
        Constants { act, ..Constants::default() }
    }

    pub fn partial() -> Self {
        Constants { partial: true, ..Constants::default() }
    }

    fn index(self) -> usize {
        debug_assert!((self.act as usize) < Self::ACT_CODES, "activation code {}", self.act);
        self.act as usize * 8 + self.partial as usize * 4 + self.aligned as usize * 2 + self.accumulate as usize
    }

    /// The overrides to pass: those that differ from the WGSL defaults.
    fn overrides(self) -> Vec<(&'static str, f64)> {
        let mut list = Vec::new();
        if self.act != 0 {
            list.push(("ACT", self.act as f64));
        }
        if self.partial {
            list.push(("PARTIAL", 1.0));
        }
        if self.aligned {
            list.push(("ALIGNED", 1.0));
        }
        if self.accumulate {
            list.push(("ACCUMULATE", 1.0));
        }
        list
    }
}

/// One recorded kernel launch: pipeline, bound buffers and grid. Built once per shape and
/// replayed every step, so a step allocates nothing.
pub struct Op {
    pub kernel: Kernel,
    /// The constants its pipeline was built with (`GpuContext::op_built`).
    pub constants: Constants,
    pub bind_group: wgpu::BindGroup,
    pub workgroups: [u32; 3],
    /// The uniform params buffer, rewritable with [`Op::write_params`].
    pub uniform: wgpu::Buffer,
    /// The params as recorded, in 4-byte words (the cost model reads the sizes from them).
    pub params: Box<[u32]>,
    _tracked: Tracked,
}

impl Op {
    /// Replaces the uniform params of a recorded op (queued before the next submission), for
    /// values that change every step, such as AdamW's learning rate and bias corrections.
    pub fn write_params<P: bytemuck::Pod>(&self, gpu: &GpuContext, params: &P) {
        debug_assert_eq!(std::mem::size_of::<P>() as u64, self.uniform.size(), "params of another kernel");
        gpu.queue.write_buffer(&self.uniform, 0, bytemuck::bytes_of(params));
    }

    /// Replaces one field of a recorded op's uniform params, the one `byte_offset` into them
    /// (`std::mem::offset_of!`).
    pub fn write_field(&self, gpu: &GpuContext, byte_offset: usize, value: u32) {
        gpu.queue.write_buffer(&self.uniform, byte_offset as u64, bytemuck::bytes_of(&value));
    }
}

/// One entry of a recorded plan: a kernel launch, zeroing a buffer that the following
/// kernels accumulate (`+=`) into, or copying a region (split models' vocabulary chunks).
pub enum Step {
    Run(Op),
    Zero(GpuTensor),
    Copy { src: Region, dst: Region },
}

impl From<Op> for Step {
    fn from(op: Op) -> Step {
        Step::Run(op)
    }
}

/// A uniform's bytes as 4-byte words (not generic: one copy in the wasm for every params type).
fn words(bytes: &[u8]) -> Box<[u32]> {
    bytes.chunks_exact(4).map(|w| u32::from_le_bytes([w[0], w[1], w[2], w[3]])).collect()
}

/// A two-dimensional grid holding at least `n` workgroups (kernels flatten it back).
pub fn grid(n: u64) -> [u32; 3] {
    let n = n.max(1);
    let x = n.min(MAX_GRID_X as u64) as u32;
    let y = n.div_ceil(x as u64);
    debug_assert!(y <= MAX_GRID_X as u64, "{n} workgroups exceed a 65,535 × 65,535 grid");
    [x, y as u32, 1]
}

/// Consecutive pieces `(offset, len)` covering `0..len`, each at most `max_floats` long and
/// starting on a multiple of `align` floats: how a launcher cuts a range that one storage
/// binding cannot hold (AdamW and the gradient norm over the whole parameter buffer of a model
/// larger than `maxStorageBufferBindingSize`, 128 MiB by default) into one launch per piece.
/// One piece, `(0, len)`, where the range fits; none for an empty range.
pub fn pieces(len: usize, max_floats: usize, align: usize) -> Vec<(usize, usize)> {
    let step = (max_floats / align).max(1) * align;
    (0..len).step_by(step).map(|offset| (offset, step.min(len - offset))).collect()
}

/// A limit by its WebGPU name, the value the kernels need, and how to read it.
type NeededLimit = (&'static str, u64, fn(&wgpu::Limits) -> u64);

/// The limits every kernel relies on, checked by name against the adapter before asking.
fn needed_limits() -> [NeededLimit; 6] {
    [
        ("maxStorageBuffersPerShaderStage", 8, |l| l.max_storage_buffers_per_shader_stage as u64),
        ("maxComputeInvocationsPerWorkgroup", 256, |l| l.max_compute_invocations_per_workgroup as u64),
        ("maxComputeWorkgroupSizeX", 256, |l| l.max_compute_workgroup_size_x as u64),
        ("maxComputeWorkgroupStorageSize", 16384, |l| l.max_compute_workgroup_storage_size as u64),
        ("maxComputeWorkgroupsPerDimension", 65535, |l| l.max_compute_workgroups_per_dimension as u64),
        ("maxStorageBufferBindingSize", 128 << 20, |l| l.max_storage_buffer_binding_size),
    ]
}

impl GpuContext {
    /// Requests a high-performance adapter and a device with the WebGPU default limits (raised
    /// to the adapter's buffer sizes, so larger models fit where the GPU allows). Pipelines are
    /// compiled when first used.
    pub async fn new() -> Result<Self, GpuError> {
        Self::with_optional_features(OPTIONAL_FEATURES).await
    }

    /// [`GpuContext::new`], enabling those of `optional` the adapter offers (the benchmark adds
    /// `TIMESTAMP_QUERY` to `OPTIONAL_FEATURES`); check `device.features()` for what was granted.
    pub async fn with_optional_features(optional: wgpu::Features) -> Result<Self, GpuError> {
        let instance = wgpu::Instance::new(wgpu::InstanceDescriptor::new_without_display_handle());
        let adapter = instance
            .request_adapter(&wgpu::RequestAdapterOptions {
                power_preference: wgpu::PowerPreference::HighPerformance,
                ..Default::default()
            })
            .await
            .map_err(|_| GpuError::NoAdapter)?;
        let available = adapter.limits();
        for (limit, needed, get) in needed_limits() {
            if get(&available) < needed {
                return Err(GpuError::AdapterLimit { limit, needed, available: get(&available) });
            }
        }
        let required_limits = wgpu::Limits {
            max_storage_buffer_binding_size: available.max_storage_buffer_binding_size,
            max_buffer_size: available.max_buffer_size,
            ..wgpu::Limits::default()
        };
        let (device, queue) = adapter
            .request_device(&wgpu::DeviceDescriptor {
                label: Some("playground"),
                required_features: optional & adapter.features(),
                required_limits,
                ..Default::default()
            })
            .await?;
        let lost = Arc::new(Mutex::new(None));
        let lost_flag = lost.clone();
        device.set_device_lost_callback(move |reason, message| {
            if let Ok(mut l) = lost_flag.lock() {
                *l = Some(format!("{reason:?}: {message}"));
            }
        });
        let buffers = Arc::new(BufferCounter::default());
        let unused = [0, 1].map(|_| GpuTensor::upload(&device, &buffers, "unused binding", &[0u32; 64]));
        Ok(GpuContext {
            device,
            queue,
            info: adapter.get_info(),
            compiled: (0..Kernel::ALL.len() * Constants::COUNT).map(|_| OnceLock::new()).collect(),
            pending: Mutex::new(Vec::new()),
            lost,
            scope_turn: Mutex::new(()),
            unused,
            buffers,
            smaller_limits: None,
            facts: Mutex::new(DeviceFacts::for_adapter(&adapter.get_info())),
            scratch: Mutex::new(Vec::new()),
        })
    }

    /// Natively the adapter and its API: "NVIDIA H100 80GB HBM3 (Vulkan)", "llvmpipe (LLVM
    /// 15.0.6, 256 bits) (Vulkan)". A browser hides the name, so there it is the vendor and
    /// architecture (`with_browser_adapter`: "nvidia ampere", "google swiftshader"), or where
    /// the browser tells neither, whether the adapter is a software fallback.
    pub fn adapter_name(&self) -> String {
        let name = match (self.info.name.is_empty(), self.info.device_type) {
            (false, _) => self.info.name.clone(),
            (true, wgpu::DeviceType::Cpu) => "a software (CPU) fallback adapter".into(),
            (true, _) => "the browser's GPU adapter".into(),
        };
        match self.info.backend {
            wgpu::Backend::BrowserWebGpu => name,
            backend => format!("{name} ({backend:?})"),
        }
    }

    /// Whether the adapter is a CPU emulating a GPU (SwiftShader, lavapipe): some kernels
    /// take a shape that suits an emulator there (`matmul::Tiles::for_output`).
    pub fn is_emulated(&self) -> bool {
        self.facts().emulated
    }

    /// Whether the device has subgroup operations (the reductions take them).
    pub fn subgroups(&self) -> bool {
        self.device.features().contains(wgpu::Features::SUBGROUP)
    }

    /// Whether shaders may use f16 (`matmul::matmul_forward_f16` reads f16 as f16).
    pub fn shader_f16(&self) -> bool {
        self.device.features().contains(wgpu::Features::SHADER_F16)
    }

    /// What the launchers assume about this GPU (`DeviceFacts::for_adapter`, or `set_facts`').
    pub fn facts(&self) -> DeviceFacts {
        *self.facts.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Makes the launchers size the grids they record from now on for `facts` instead of this
    /// adapter's (plans recorded before keep theirs): the cost model records a step as it would
    /// be recorded on another GPU; a browser's trainer times the plans of several.
    pub fn set_facts(&self, facts: DeviceFacts) {
        *self.facts.lock().unwrap_or_else(|e| e.into_inner()) = facts;
    }

    /// [`GpuContext::set_facts`] on a context being built.
    pub fn with_device_facts(self, facts: DeviceFacts) -> Self {
        self.set_facts(facts);
        self
    }

    /// Where the browser hides the adapter's name, names it by `GPUAdapterInfo`'s vendor and
    /// architecture ("nvidia ampere", "google swiftshader"), which wgpu does not pass on.
    pub fn with_browser_adapter(mut self, vendor: &str, architecture: &str) -> Self {
        if self.info.name.is_empty() {
            self.info.name = [vendor, architecture].into_iter().filter(|s| !s.is_empty()).collect::<Vec<_>>().join(" ");
        }
        self
    }

    /// The device's limits in core's terms, for `ModelConfig::check_device`.
    pub fn device_limits(&self) -> DeviceLimits {
        let l = self.device.limits();
        let device = DeviceLimits {
            max_buffer_size: l.max_buffer_size,
            max_storage_buffer_binding_size: l.max_storage_buffer_binding_size,
            max_compute_workgroups_per_dimension: l.max_compute_workgroups_per_dimension,
        };
        match self.smaller_limits {
            Some(s) => DeviceLimits {
                max_buffer_size: s.max_buffer_size.min(device.max_buffer_size),
                max_storage_buffer_binding_size: s.max_storage_buffer_binding_size.min(device.max_storage_buffer_binding_size),
                max_compute_workgroups_per_dimension: s
                    .max_compute_workgroups_per_dimension
                    .min(device.max_compute_workgroups_per_dimension),
            },
            None => device,
        }
    }

    /// The most floats one storage binding may hold on this device (`maxStorageBufferBindingSize`,
    /// or the smaller limit tests set): launchers over longer ranges cut them with [`pieces`].
    pub fn max_binding_floats(&self) -> usize {
        (self.device_limits().max_storage_buffer_binding_size / 4).min(usize::MAX as u64) as usize
    }

    /// Makes models see (at most) `limits`, as a small GPU would: the tests of models split over
    /// buffers and bindings run on any adapter this way.
    pub fn with_smaller_limits(mut self, limits: DeviceLimits) -> Self {
        self.smaller_limits = Some(limits);
        self
    }

    /// Runs `allocate` (buffer creation) and turns a refusal for lack of memory into
    /// `GpuError::OutOfMemory` instead of a lost device later.
    pub async fn allocating<T>(&self, allocate: impl FnOnce() -> T) -> Result<T, GpuError> {
        let (value, popped) = self.in_scope_turn(|| {
            let scope = self.device.push_error_scope(wgpu::ErrorFilter::OutOfMemory);
            let value = allocate();
            (value, scope.pop()) // the pop takes effect here; only its result is awaited
        });
        match popped.await {
            Some(err) => Err(GpuError::OutOfMemory(err.to_string())),
            None => Ok(value),
        }
    }

    /// Runs `f` holding this device's turn at error scopes. Re-entrant: a kernel compiled on
    /// its first use inside `allocating` nests its scope in the one already held.
    fn in_scope_turn<T>(&self, f: impl FnOnce() -> T) -> T {
        thread_local! {
            /// The context (by address) whose turn this thread holds, or 0.
            static HOLDER: std::cell::Cell<usize> = const { std::cell::Cell::new(0) };
        }
        let me = self as *const GpuContext as usize;
        if HOLDER.get() == me {
            return f();
        }
        struct Release(usize);
        impl Drop for Release {
            fn drop(&mut self) {
                HOLDER.set(self.0);
            }
        }
        let _turn = self.scope_turn.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        let _release = Release(HOLDER.replace(me));
        f()
    }

    /// GPU buffers created on this device, and those alive now (the soak test's leak check).
    pub fn buffer_stats(&self) -> BufferStats {
        self.buffers.stats()
    }

    /// Counts a buffer made outside `GpuTensor` (staging) as alive until the token is dropped.
    pub(crate) fn track(&self, bytes: u64) -> Tracked {
        self.buffers.track(bytes)
    }

    /// Why the device was lost, once it has been.
    pub fn lost_reason(&self) -> Option<String> {
        self.lost.lock().ok().and_then(|l| l.clone())
    }

    /// `len` floats of scratch, for partial sums that the next launch of the same plan reads
    /// (split-K's slices, column sums by chunks of rows). One buffer serves every such pair
    /// recorded on this context: launches in a command buffer, and command buffers on the queue,
    /// run in order, and wgpu puts a barrier between writes and reads of a storage buffer. A
    /// request larger than the buffer makes a new one of twice the size, up to `SCRATCH_BUDGET`,
    /// or of the request (recorded ops keep the old one alive, so it stays counted).
    pub fn scratch(&self, len: usize) -> GpuTensor {
        let mut buffers = self.scratch.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        let have = buffers.last().map_or(0, |t| t.len as usize);
        if have < len {
            buffers.push(GpuTensor::zeros(self, "scratch", len.max((2 * have).min(SCRATCH_BUDGET))));
        }
        buffers.last().expect("a scratch buffer").slice(0, len)
    }

    /// A small buffer to bind where a kernel's flag says the binding is not read or written;
    /// `slot` 0 or 1 picks one of two distinct buffers.
    pub fn unused(&self, slot: usize) -> &GpuTensor {
        &self.unused[slot]
    }

    /// The pipeline `op` runs.
    pub fn pipeline(&self, op: &Op) -> &wgpu::ComputePipeline {
        &self.compile(op.kernel, op.constants).pipeline
    }

    /// The kernel's pipeline built with `constants`, compiled now if this is its first use.
    /// Validation errors are collected, not raised: `compiled()` reports them before anything
    /// runs.
    fn compile(&self, kernel: Kernel, constants: Constants) -> &Compiled {
        let cell = &self.compiled[kernel as usize * Constants::COUNT + constants.index()];
        if let Some(compiled) = cell.get() {
            return compiled;
        }
        // the turn first, then the cell: a thread inside `allocating` (holding the turn) that
        // compiles never waits on a cell another thread is filling while it waits for the turn
        self.in_scope_turn(|| {
            cell.get_or_init(|| {
                let src = kernel.source();
                let scope = self.device.push_error_scope(wgpu::ErrorFilter::Validation);
                let module = self.device.create_shader_module(wgpu::ShaderModuleDescriptor {
                    label: Some(src.name),
                    source: wgpu::ShaderSource::Wgsl(src.wgsl().into()),
                });
                let overrides = constants.overrides();
                let pipeline = self.device.create_compute_pipeline(&wgpu::ComputePipelineDescriptor {
                    label: Some(src.name),
                    layout: None,
                    module: &module,
                    entry_point: Some("main"),
                    compilation_options: wgpu::PipelineCompilationOptions { constants: &overrides, ..Default::default() },
                    cache: None,
                });
                let layout = pipeline.get_bind_group_layout(0);
                let popped: ScopeResult = Box::pin(scope.pop());
                self.pending.lock().unwrap_or_else(|poisoned| poisoned.into_inner()).push((src.name, popped));
                Compiled { pipeline, layout }
            })
        })
    }

    /// Waits for the validation of the pipelines compiled since the last call, and turns the
    /// first failure into `GpuError::Shader`. Called before work is submitted that may use
    /// them (a read-back, a trainer's first step).
    pub async fn compiled(&self) -> Result<(), GpuError> {
        let pending = std::mem::take(&mut *self.pending.lock().unwrap_or_else(|poisoned| poisoned.into_inner()));
        for (shader, popped) in pending {
            if let Some(err) = popped.await {
                return Err(GpuError::Shader { shader, message: err.to_string() });
            }
        }
        Ok(())
    }

    /// Records a launch: `tensors[i]` binds to `@binding(i)` and the uniform `params` to the
    /// binding after the last tensor (the B4 rule: outputs, inputs, then params).
    pub fn op<P: bytemuck::Pod>(&self, kernel: Kernel, tensors: &[&GpuTensor], params: &P, workgroups: [u32; 3]) -> Op {
        self.op_built(kernel, Constants::default(), tensors, params, workgroups)
    }

    /// `op` on the kernel's pipeline built with `constants`: choices made when the pipeline is
    /// built, not read from the params at each output.
    pub fn op_built<P: bytemuck::Pod>(
        &self,
        kernel: Kernel,
        constants: Constants,
        tensors: &[&GpuTensor],
        params: &P,
        workgroups: [u32; 3],
    ) -> Op {
        let name = kernel.source().name;
        // what wgpu would reject with a validation error; launchers cut their work (`grid`,
        // `pieces`) and `ModelConfig::check_device` refuses the rest before anything is bound
        #[cfg(debug_assertions)]
        {
            let limits = self.device_limits();
            for (i, t) in tensors.iter().enumerate() {
                debug_assert!(
                    t.bytes() <= limits.max_storage_buffer_binding_size,
                    "{name}: binding {i} of {} bytes exceeds maxStorageBufferBindingSize {}",
                    t.bytes(),
                    limits.max_storage_buffer_binding_size
                );
            }
            let most = limits.max_compute_workgroups_per_dimension;
            debug_assert!(
                workgroups.iter().all(|&w| w <= most),
                "{name}: grid {workgroups:?} exceeds maxComputeWorkgroupsPerDimension {most}"
            );
        }
        let uniform = self.device.create_buffer_init(&wgpu::util::BufferInitDescriptor {
            label: Some(name),
            contents: bytemuck::bytes_of(params),
            usage: wgpu::BufferUsages::UNIFORM | wgpu::BufferUsages::COPY_DST,
        });
        let mut entries: Vec<wgpu::BindGroupEntry> =
            tensors.iter().enumerate().map(|(i, t)| wgpu::BindGroupEntry { binding: i as u32, resource: t.binding() }).collect();
        entries.push(wgpu::BindGroupEntry { binding: tensors.len() as u32, resource: uniform.as_entire_binding() });
        let bind_group = self.device.create_bind_group(&wgpu::BindGroupDescriptor {
            label: Some(name),
            layout: &self.compile(kernel, constants).layout,
            entries: &entries,
        });
        let _tracked = self.buffers.track(uniform.size());
        Op { kernel, constants, bind_group, workgroups, uniform, params: words(bytemuck::bytes_of(params)), _tracked }
    }

    /// Encodes `ops` in order into one compute pass (WebGPU orders storage writes between
    /// dispatches, so each op sees the results of the ones before it).
    pub fn encode<'a>(&self, encoder: &mut wgpu::CommandEncoder, ops: impl IntoIterator<Item = &'a Op>) {
        self.encode_pass(encoder, ops.into_iter());
    }

    /// Encodes a plan: runs of ops share a compute pass; a `Zero` clears its buffer and a
    /// `Copy` copies its region between passes.
    pub fn encode_steps(&self, encoder: &mut wgpu::CommandEncoder, steps: &[Step]) {
        let mut rest = steps;
        while let Some(first) = rest.first() {
            match first {
                Step::Zero(t) => {
                    encoder.clear_buffer(&t.buffer, t.offset, Some(t.bytes()));
                    rest = &rest[1..];
                    continue;
                }
                Step::Copy { src, dst } => {
                    encoder.copy_buffer_to_buffer(&src.buffer, src.offset, &dst.buffer, dst.offset, src.len * 4);
                    rest = &rest[1..];
                    continue;
                }
                Step::Run(_) => {}
            }
            let run = rest.iter().position(|s| !matches!(s, Step::Run(_))).unwrap_or(rest.len());
            self.encode_pass(
                encoder,
                rest[..run].iter().filter_map(|s| match s {
                    Step::Run(op) => Some(op),
                    _ => None,
                }),
            );
            rest = &rest[run..];
        }
    }

    fn encode_pass<'a>(&self, encoder: &mut wgpu::CommandEncoder, ops: impl Iterator<Item = &'a Op>) {
        let mut pass = encoder.begin_compute_pass(&wgpu::ComputePassDescriptor { label: None, timestamp_writes: None });
        for op in ops {
            pass.set_pipeline(self.pipeline(op));
            pass.set_bind_group(0, &op.bind_group, &[]);
            let [x, y, z] = op.workgroups;
            pass.dispatch_workgroups(x, y, z);
        }
    }

    /// Runs `ops` in one submission.
    pub fn run(&self, ops: &[Op]) {
        let mut encoder = self.device.create_command_encoder(&wgpu::CommandEncoderDescriptor { label: None });
        self.encode(&mut encoder, ops);
        self.queue.submit([encoder.finish()]);
    }
}
