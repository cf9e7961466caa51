//! What the kernels' shape choices need to know about a GPU: how many compute units it has, how
//! many workgroups of a kernel each one holds at once (`resident`) and how many keep it at its
//! full rate (`filling`), so that a launcher can see how long its grid keeps the GPU and how
//! busy (`rounds`, `busy`). The same facts drive the cost model of
//! `profile_step --cost` (tools/src/cost/), which adds their clock, bandwidth and latencies.
//!
//! WebGPU tells a page neither the number of compute units nor the register file, so the facts
//! come from a table of known adapters (matched by name natively) and a generic mid-size GPU for
//! the rest. A browser hides the name, so there a trainer times the plans that a few sizes of
//! GPU would launch (`TUNING_CANDIDATES`) before it trains and keeps the fastest
//! (`Session::tune_launches`, launch_tuning.rs). A CPU-emulated adapter (SwiftShader, lavapipe) gets
//! `emulated`, which keeps the kernels' emulator shapes.

/// One GPU's published sizes (or, where a vendor publishes none, a stated assumption).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct DeviceFacts {
    /// `profile_step --cost` name: "h100", "h200", "m2", "intel-igpu", "generic", "emulated".
    pub key: &'static str,
    pub name: &'static str,
    /// Streaming multiprocessors (NVIDIA), GPU cores (Apple), Xe subslices (Intel).
    pub compute_units: u32,
    /// fp32 multiply-adds per clock per unit.
    pub fma_lanes: u32,
    pub clock_ghz: f64,
    /// DRAM bandwidth, GB/s.
    pub dram_gb_s: f64,
    /// Shared-memory (workgroup memory) bandwidth per unit, bytes per clock.
    pub shared_bytes_per_clock: u32,
    /// Workgroup memory per unit, bytes.
    pub shared_bytes: u32,
    /// 32-bit registers per unit.
    pub registers: u32,
    /// Invocations resident per unit at most.
    pub max_threads: u32,
    /// Workgroups resident per unit at most.
    pub max_workgroups: u32,
    /// Invocations that issue together (warp, SIMD width).
    pub subgroup: u32,
    /// A load from DRAM, clocks.
    pub dram_latency: u32,
    /// A load from workgroup memory, clocks.
    pub shared_latency: u32,
    /// One dispatch after a dependent one in the same command buffer: barrier, launch and the
    /// ramp up and down, microseconds.
    pub dispatch_us: f64,
    /// A CPU emulating a GPU: the kernels take their emulator shapes.
    pub emulated: bool,
    pub sources: &'static str,
}

impl DeviceFacts {
    /// NVIDIA H100 SXM5 80 GB (HBM3), the GPU of the project's benchmark machine.
    pub const H100: DeviceFacts = DeviceFacts {
        key: "h100",
        name: "NVIDIA H100 SXM5 80GB HBM3",
        compute_units: 132,
        fma_lanes: 128,
        clock_ghz: 1.98,
        dram_gb_s: 3350.0,
        shared_bytes_per_clock: 128,
        shared_bytes: 228 * 1024,
        registers: 65536,
        max_threads: 2048,
        max_workgroups: 32,
        subgroup: 32,
        dram_latency: 600,
        shared_latency: 30,
        dispatch_us: 3.0,
        emulated: false,
        sources: "NVIDIA H100 Tensor Core GPU Architecture whitepaper (2022): 132 SMs, 128 FP32 lanes/SM, \
                  67 TFLOP/s fp32 at 1.98 GHz, 3.35 TB/s, 228 KB shared memory/SM; CUDA C Programming Guide, \
                  compute capability 9.0: 64K registers, 2048 threads, 32 blocks per SM; 32 banks x 4 B/clock \
                  of shared memory. Assumed: latencies (DRAM ~600, shared ~30 clocks, the order published \
                  microbenchmarks of Volta-Hopper report) and 3 us per dependent Vulkan dispatch.",
    };

    /// NVIDIA H200 SXM 141 GB (HBM3e): the H100's GH100 die, its SMs, clock and fp32 peak, with
    /// HBM3e's bandwidth. The other GPU machine the project may be lent.
    pub const H200: DeviceFacts = DeviceFacts {
        key: "h200",
        name: "NVIDIA H200 SXM 141GB HBM3e",
        dram_gb_s: 4800.0,
        sources: "NVIDIA H200 Tensor Core GPU datasheet (2024): the GH100 GPU of the H100 SXM5 (132 SMs, \
                  67 TFLOP/s fp32, the same per-SM limits: see h100) with 141 GB of HBM3e at 4.8 TB/s. \
                  Assumed as for h100: latencies and 3 us per dependent Vulkan dispatch.",
        ..Self::H100
    };

    /// Apple M2, 10-core GPU.
    pub const M2: DeviceFacts = DeviceFacts {
        key: "m2",
        name: "Apple M2 (10-core GPU)",
        compute_units: 10,
        fma_lanes: 128,
        clock_ghz: 1.398,
        dram_gb_s: 100.0,
        shared_bytes_per_clock: 64,
        shared_bytes: 32 * 1024,
        registers: 53248,
        max_threads: 1024,
        max_workgroups: 24,
        subgroup: 32,
        dram_latency: 500,
        shared_latency: 30,
        dispatch_us: 5.0,
        emulated: false,
        sources: "Apple (M2 announcement, 2022): 10 GPU cores, 3.6 TFLOP/s fp32, 100 GB/s unified memory; \
                  Metal feature set tables: 32 KB threadgroup memory, SIMD groups of 32, 1024 threads per \
                  threadgroup. Not published, assumed: 128 fp32 lanes/core at 1.398 GHz (what 3.6 TFLOP/s \
                  implies), ~208 KB of registers and 1024 resident threads per core, 64 B/clock of threadgroup \
                  memory, latencies, 5 us per dispatch.",
    };

    /// Apple M1, 8-core GPU: the M2's cores, fewer and slower, on less bandwidth.
    pub const M1: DeviceFacts = DeviceFacts {
        key: "m1",
        name: "Apple M1 (8-core GPU)",
        compute_units: 8,
        clock_ghz: 1.278,
        dram_gb_s: 68.25,
        sources: "Apple (M1 announcement, 2020): 8 GPU cores, 2.6 TFLOP/s fp32, LPDDR4X-4266 on 128 bits \
                  (68.25 GB/s); Metal feature set tables as the M2's. Not published, assumed: the M2's \
                  per-core sizes (128 fp32 lanes, registers, threads), 1.278 GHz (what 2.6 TFLOP/s \
                  implies), latencies, 5 us per dispatch.",
        ..Self::M2
    };

    /// NVIDIA GeForce RTX 3060 (GA106, 28 SMs), a common desktop GPU of the size between the
    /// integrated GPUs and the data-centre ones.
    pub const RTX_3060: DeviceFacts = DeviceFacts {
        key: "rtx3060",
        name: "NVIDIA GeForce RTX 3060 (28 SMs)",
        compute_units: 28,
        fma_lanes: 128,
        clock_ghz: 1.777,
        dram_gb_s: 360.0,
        shared_bytes_per_clock: 128,
        shared_bytes: 100 * 1024,
        registers: 65536,
        max_threads: 1536,
        max_workgroups: 16,
        subgroup: 32,
        dram_latency: 600,
        shared_latency: 30,
        dispatch_us: 5.0,
        emulated: false,
        sources: "NVIDIA Ampere GA102 whitepaper (2020): a GA10x SM has 128 fp32 lanes; RTX 3060: 28 SMs, \
                  1.777 GHz boost (12.7 TFLOP/s), 360 GB/s; CUDA C Programming Guide, compute capability \
                  8.6: 64K registers, 1536 threads, 16 blocks and 100 KB shared memory per SM. Assumed: \
                  latencies as the H100's, 5 us per dispatch.",
    };

    /// Intel Iris Xe (Tiger Lake, 96 EUs), a common laptop integrated GPU.
    pub const INTEL_IGPU: DeviceFacts = DeviceFacts {
        key: "intel-igpu",
        name: "Intel Iris Xe (96 EU, Tiger Lake)",
        compute_units: 6,
        fma_lanes: 128,
        clock_ghz: 1.35,
        dram_gb_s: 68.0,
        shared_bytes_per_clock: 64,
        shared_bytes: 64 * 1024,
        registers: 114688,
        max_threads: 1792,
        max_workgroups: 16,
        subgroup: 16,
        dram_latency: 700,
        shared_latency: 40,
        dispatch_us: 8.0,
        emulated: false,
        sources: "Intel Xe-LP (Architecture Day 2020, Tiger Lake): 96 EUs in 6 subslices of 16, 8 fp32 lanes \
                  per EU (128 per subslice), up to 1.35 GHz (2.07 TFLOP/s), 64 KB shared local memory per \
                  subslice, 7 threads of 128 x 32 B registers per EU; LPDDR4x-4266 on 128 bits (68 GB/s). \
                  Assumed: SIMD16 kernels (1792 invocations per subslice), 64 B/clock of SLM, latencies, \
                  8 us per dispatch.",
    };

    /// What a launcher assumes about a GPU it does not know (natively, one not in this table; in a
    /// browser, which hides the name, every GPU until a trainer's timing picks other facts): a
    /// mid-size discrete GPU.
    pub const GENERIC: DeviceFacts = DeviceFacts {
        key: "generic",
        name: "an unknown GPU (assumed mid-size)",
        compute_units: 32,
        clock_ghz: 1.5,
        dram_gb_s: 400.0,
        shared_bytes: 64 * 1024,
        sources: "Assumed: a mid-size discrete GPU (between an RTX 3060's 28 SMs and an RX 6700's 40 CUs), \
                  its units as the RTX 3060's but for 64 KB of workgroup memory.",
        ..Self::RTX_3060
    };

    /// A CPU emulating a GPU (SwiftShader, lavapipe): the kernels keep their emulator shapes.
    pub const EMULATED: DeviceFacts = DeviceFacts {
        key: "emulated",
        name: "a CPU emulating a GPU",
        compute_units: 2,
        fma_lanes: 8,
        clock_ghz: 2.5,
        dram_gb_s: 20.0,
        shared_bytes_per_clock: 32,
        shared_bytes: 64 * 1024,
        registers: 65536,
        max_threads: 1024,
        max_workgroups: 1,
        subgroup: 8,
        dram_latency: 300,
        shared_latency: 5,
        dispatch_us: 50.0,
        emulated: true,
        sources: "Assumed: one workgroup at a time per CPU core, one 256-bit SIMD lane group per core.",
    };

    /// The facts `profile_step --cost` can take.
    pub const PRESETS: [DeviceFacts; 8] =
        [Self::H100, Self::H200, Self::RTX_3060, Self::M2, Self::M1, Self::INTEL_IGPU, Self::GENERIC, Self::EMULATED];

    /// The facts of the adapter `info` describes: emulated for a CPU adapter, a known GPU by its
    /// name (natively: a browser hides the name, so a page starts from `GENERIC`), otherwise
    /// `GENERIC`.
    pub fn for_adapter(info: &wgpu::AdapterInfo) -> DeviceFacts {
        if info.device_type == wgpu::DeviceType::Cpu {
            return Self::EMULATED;
        }
        #[cfg(not(target_arch = "wasm32"))]
        {
            let name = info.name.to_ascii_lowercase();
            if name.contains("h100") {
                return Self::H100;
            }
            if name.contains("h200") {
                return Self::H200;
            }
            // the base chips only: an M2 Max has 38 cores, an RTX 3060 Ti 38 SMs
            match name.as_str() {
                "apple m1" => return Self::M1,
                "apple m2" => return Self::M2,
                _ => {}
            }
            if name.contains("rtx 3060") && !name.contains("3060 ti") {
                return Self::RTX_3060;
            }
            if name.contains("iris") && name.contains("xe") {
                return Self::INTEL_IGPU;
            }
        }
        Self::GENERIC
    }

    /// The sizes of GPU whose plans a browser's trainer times, `GENERIC` first (the plan it
    /// keeps unless another is clearly faster): 6, 8, 10, 28, 32 and 132 units. By the cost model
    /// the kept plan is a preset GPU's own (`GENERIC`'s costs an M2 10%, an RTX 3060 and an H100
    /// 17% of the page's small model's step), and between the presets close to a GPU's own
    /// (PERFORMANCE.md, "Launch tuning in the browser").
    pub const TUNING_CANDIDATES: [DeviceFacts; 6] = [Self::GENERIC, Self::INTEL_IGPU, Self::M1, Self::M2, Self::RTX_3060, Self::H100];

    /// The preset `key` names.
    pub fn preset(key: &str) -> Option<DeviceFacts> {
        Self::PRESETS.into_iter().find(|f| f.key == key)
    }

    /// Workgroups of a kernel one unit holds at once: the least of what its invocations, its
    /// workgroup memory and its registers (`registers` per invocation) allow, at least one.
    pub fn resident(&self, threads: u32, shared_bytes: u32, registers: u32) -> u32 {
        let threads = threads.max(1).next_multiple_of(self.subgroup);
        let by_threads = self.max_threads / threads;
        let by_shared = self.shared_bytes.checked_div(shared_bytes).unwrap_or(u32::MAX);
        let by_registers = self.registers / (threads * registers.max(1));
        by_threads.min(by_shared).min(by_registers).min(self.max_workgroups).max(1)
    }

    /// How many times a grid of `workgroups` fills the GPU when each unit holds `resident`.
    pub fn waves(&self, workgroups: u64, resident: u32) -> f64 {
        workgroups as f64 / (self.compute_units as f64 * resident as f64)
    }

    /// Workgroups of `threads` invocations that keep a unit at its full rate together
    /// (`WARPS_TO_FILL_A_UNIT` warps), at most the `resident` it holds.
    pub fn filling(&self, threads: u32, resident: u32) -> u32 {
        let warps = threads.div_ceil(self.subgroup).max(1);
        (WARPS_TO_FILL_A_UNIT.div_ceil(warps)).clamp(1, resident.max(1))
    }

    /// How long a grid of `workgroups` equal workgroups of `threads` invocations keeps the GPU,
    /// counted in workgroups run at a unit's full rate: the busiest unit takes ⌈workgroups /
    /// units⌉ of them, `resident` at a time, and each batch runs at the rate its warps sustain
    /// (full from `filling` workgroups up). So a grid's last, part-filled wave costs what its
    /// busiest unit leaves idle, not a whole wave: 384 workgroups of 8 warps, two resident, on
    /// 132 units take 3 rounds (2.91 of work), where counting slots would say 2 waves of 2.
    pub fn rounds(&self, workgroups: u64, threads: u32, resident: u32) -> f64 {
        let per_unit = workgroups.div_ceil(self.compute_units as u64).max(1) as f64;
        let warps = threads.div_ceil(self.subgroup).max(1) as f64;
        let rate = |c: f64| (c * warps / WARPS_TO_FILL_A_UNIT as f64).min(1.0);
        let at_once = resident.max(1) as f64;
        let batches = (per_unit / at_once).floor();
        let rest = per_unit - batches * at_once;
        batches * at_once / rate(at_once) + if rest > 0.0 { rest / rate(rest) } else { 0.0 }
    }

    /// The share of the GPU's rate a grid keeps over its run: its work (workgroups per unit)
    /// over its `rounds`.
    pub fn busy(&self, workgroups: u64, threads: u32, resident: u32) -> f64 {
        if workgroups == 0 {
            return 0.0;
        }
        workgroups as f64 / self.compute_units as f64 / self.rounds(workgroups, threads, resident)
    }
}

/// Warps a unit needs to keep its pipes busy (two per scheduler of four).
pub const WARPS_TO_FILL_A_UNIT: u32 = 8;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn residency_is_the_tightest_limit() {
        let h = DeviceFacts::H100;
        // 256 invocations of 128 registers: 64K registers hold two
        assert_eq!(h.resident(256, 16384, 128), 2);
        // 64 invocations of 32 registers: threads allow 32, the workgroup cap 32
        assert_eq!(h.resident(64, 0, 32), 32);
        // workgroup memory: 228 KB hold 14 of 16 KB
        assert_eq!(h.resident(64, 16384, 16), 14);
        // nothing fits: still one
        assert_eq!(h.resident(1024, 300 * 1024, 255), 1);
    }

    #[test]
    fn a_grid_keeps_busy_what_its_busiest_unit_takes() {
        let h = DeviceFacts::H100;
        // 8 warps fill a unit: 384 matmul workgroups (2 resident) are 3 on some units, 2.91 of work
        assert_eq!(h.rounds(384, 256, 2), 3.0);
        assert!((h.busy(384, 256, 2) - 384.0 / 132.0 / 3.0).abs() < 1e-12);
        // whole rounds are all busy, one workgroup alone on 128 units too
        assert_eq!(h.busy(264, 256, 2), 1.0);
        assert!((h.busy(128, 256, 2) - 128.0 / 132.0).abs() < 1e-12);
        // workgroups of 2 warps fill a unit four at a time: one alone runs at a quarter
        assert_eq!(h.filling(64, 8), 4);
        assert_eq!(h.rounds(132, 64, 8), 4.0);
        assert_eq!(h.rounds(132 * 6, 64, 8), 6.0);
        // 9 a unit, 8 at once: a full batch, then one at a quarter of the rate
        assert_eq!(h.rounds(132 * 9, 64, 8), 12.0);
        assert_eq!(h.busy(0, 64, 8), 0.0);
    }

    #[test]
    fn adapters_map_to_their_facts() {
        let info =
            |name: &str, device_type| wgpu::AdapterInfo { name: name.into(), ..wgpu::AdapterInfo::new(device_type, wgpu::Backend::Vulkan) };
        assert_eq!(DeviceFacts::for_adapter(&info("NVIDIA H100 80GB HBM3", wgpu::DeviceType::DiscreteGpu)).key, "h100");
        let h200 = DeviceFacts::for_adapter(&info("NVIDIA H200", wgpu::DeviceType::DiscreteGpu));
        // the same die as the H100's: only the memory differs
        assert_eq!((h200.key, h200.dram_gb_s), ("h200", 4800.0));
        let (key, name, dram_gb_s, sources) = (DeviceFacts::H100.key, DeviceFacts::H100.name, 3350.0, DeviceFacts::H100.sources);
        assert_eq!(DeviceFacts { key, name, dram_gb_s, sources, ..h200 }, DeviceFacts::H100);
        assert_eq!(DeviceFacts::for_adapter(&info("llvmpipe (LLVM 15.0.6, 256 bits)", wgpu::DeviceType::Cpu)).key, "emulated");
        assert_eq!(DeviceFacts::for_adapter(&info("", wgpu::DeviceType::Other)).key, "generic");
        assert_eq!(DeviceFacts::preset("m2"), Some(DeviceFacts::M2));
        let gpu = |name| DeviceFacts::for_adapter(&info(name, wgpu::DeviceType::IntegratedGpu)).key;
        assert_eq!([gpu("Apple M1"), gpu("Apple M2"), gpu("Apple M2 Max"), gpu("Apple M1 Pro")], ["m1", "m2", "generic", "generic"]);
        let card = |name| DeviceFacts::for_adapter(&info(name, wgpu::DeviceType::DiscreteGpu)).key;
        assert_eq!([card("NVIDIA GeForce RTX 3060"), card("NVIDIA GeForce RTX 3060 Ti")], ["rtx3060", "generic"]);
    }
}
