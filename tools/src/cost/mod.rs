//! The cost model of `profile_step --cost`: for every dispatch of a recorded step, an
//! **estimate** of its time on a GPU described by `DeviceFacts`, from what the kernel asks
//! (`work`) and the grid it was recorded with. It is a model, not a measurement: a roofline
//! with four roofs and a launch cost,
//!
//!   time = max(issue, workgroup memory, DRAM, critical path) + dispatch overhead
//!
//!   issue   = lane-instructions / (units · lanes · clock · ISSUE_EFFICIENCY · busy)
//!   memory  = wavefront bytes / (units · bytes per clock · clock · busy)
//!   DRAM    = bytes / (bandwidth · DRAM_EFFICIENCY · min(1, bytes in flight / (bandwidth · latency)))
//!   path    = ⌈waves⌉ · one invocation's critical path / clock
//!
//! where waves = workgroups / (units · workgroups resident per unit), residency is the
//! tightest of threads, workgroup memory and registers, and `busy` is the share of the units'
//! rate kept working (`DeviceFacts::busy`: the busiest unit's workgroups, run `resident` at a
//! time, each batch at the rate its warps sustain; so a part-filled last wave, or units with
//! nothing to do or too few warps, count as idle). Bytes in flight follow
//! Little's law: a grid too small to cover DRAM latency cannot use the bandwidth.
//!
//! Calibration: `ISSUE_EFFICIENCY` is set so that a 128×128-tile fp32 matmul at whole waves
//! comes out at 38 TFLOP/s on the H100, the top of cuBLAS's measured fp32 range on the baby
//! GPT's shapes (31–38 TFLOP/s, TF32 off); `DRAM_EFFICIENCY` is the share of HBM bandwidth a
//! streaming kernel reaches. No kernel of ours has been timed on an H100 (none was lent).

pub mod shape;
pub mod work;

use playground_gpu::context::{Op, Step};
use playground_gpu::device::DeviceFacts;
use serde::Serialize;
use shape::shape;
use work::{work, Launch, Work};

/// Share of the issue rate that sustained fp32 code reaches (clocks under load, register-bank
/// and dual-issue stalls): calibrated, see the module's header. A matmul's inner loop issues
/// 64 fma and 4 workgroup-memory loads per step, so 38 TFLOP/s of 67 is 0.60 · 64/68.
pub const ISSUE_EFFICIENCY: f64 = 0.60;
/// Share of the DRAM bandwidth a streaming kernel reaches.
pub const DRAM_EFFICIENCY: f64 = 0.85;

/// The estimate of one dispatch (or buffer clear).
#[derive(Clone, Debug, Serialize)]
pub struct Estimate {
    pub kernel: &'static str,
    pub workgroups: u64,
    pub threads: u32,
    pub resident: u32,
    pub waves: f64,
    pub flops: f64,
    /// DRAM bytes.
    pub bytes: f64,
    /// Sequential multiply-adds or loop steps of one invocation.
    pub serial: f64,
    pub us: f64,
    /// The roof that sets the time: "issue", "shared", "dram", "path" or "launch".
    pub limit: &'static str,
}

/// Estimates every dispatch and clear of `plan`, then `tail`.
pub fn estimate_step(facts: &DeviceFacts, plan: &[Step], tail: &[&Op]) -> Vec<Estimate> {
    let mut rows: Vec<Estimate> = plan
        .iter()
        .map(|s| match s {
            Step::Run(op) => estimate_op(facts, op),
            Step::Zero(t) => estimate_copy(facts, "clear_buffer", t.bytes() as f64),
            Step::Copy { src, .. } => estimate_copy(facts, "copy_buffer", 8.0 * src.len as f64),
        })
        .collect();
    rows.extend(tail.iter().map(|op| estimate_op(facts, op)));
    rows
}

/// The estimate of one recorded launch.
pub fn estimate_op(facts: &DeviceFacts, op: &Op) -> Estimate {
    let s = shape(op.kernel);
    let workgroups = op.workgroups.iter().map(|&x| x as u64).product();
    let launch = Launch { workgroups, threads: s.threads(), side: s.workgroup_size[0] };
    let w = work(op.kernel, &op.params, op.constants, launch, &s, facts);
    roofline(facts, op.kernel.source().name, launch, s.shared_bytes, &w)
}

/// A clear or copy of `bytes`: a DRAM stream at full occupancy.
pub fn estimate_copy(facts: &DeviceFacts, name: &'static str, bytes: f64) -> Estimate {
    let us = bytes / (facts.dram_gb_s * 1e3 * DRAM_EFFICIENCY) + facts.dispatch_us;
    Estimate { kernel: name, workgroups: 0, threads: 0, resident: 0, waves: 0.0, flops: 0.0, bytes, serial: 0.0, us, limit: "dram" }
}

fn roofline(facts: &DeviceFacts, kernel: &'static str, launch: Launch, shared_bytes: u32, w: &Work) -> Estimate {
    let units = facts.compute_units as f64;
    let clock = facts.clock_ghz * 1e9;
    let resident = facts.resident(launch.threads, shared_bytes, w.registers);
    let waves = facts.waves(launch.workgroups, resident);
    let busy = facts.busy(launch.workgroups, launch.threads, resident).max(1e-9);
    let issue = w.issue / (units * facts.fma_lanes as f64 * clock * ISSUE_EFFICIENCY * busy);
    let shared = w.shared / (units * facts.shared_bytes_per_clock as f64 * clock * busy);
    let in_flight = (launch.workgroups as f64).min(units * resident as f64) * launch.threads as f64 * w.inflight as f64;
    let needed = facts.dram_gb_s * 1e9 * facts.dram_latency as f64 / clock;
    let dram = w.dram / (facts.dram_gb_s * 1e9 * DRAM_EFFICIENCY * (in_flight / needed).clamp(1e-9, 1.0));
    let path = waves.ceil().max(1.0) * w.chain / clock;
    let roofs = [("issue", issue), ("shared", shared), ("dram", dram), ("path", path)];
    let (limit, seconds) = roofs.into_iter().fold(("issue", 0.0), |best, r| if r.1 > best.1 { r } else { best });
    let launch_s = facts.dispatch_us * 1e-6;
    Estimate {
        kernel,
        workgroups: launch.workgroups,
        threads: launch.threads,
        resident,
        waves,
        flops: w.flops,
        bytes: w.dram,
        serial: w.serial,
        us: (seconds + launch_s) * 1e6,
        limit: if launch_s > seconds { "launch" } else { limit },
    }
}

/// The estimates as a table: one line per dispatch, then the total and the time per kernel.
pub fn table(facts: &DeviceFacts, rows: &[Estimate]) -> String {
    use std::fmt::Write;
    let mut out = String::new();
    let total: f64 = rows.iter().map(|r| r.us).sum();
    let _ = writeln!(out, "ESTIMATE (cost model, not a measurement) for {}: {} dispatches and clears", facts.name, rows.len());
    let _ = writeln!(
        out,
        "{:>4} {:<32} {:>9} {:>5} {:>7} {:>9} {:>9} {:>11} {:>9} {:>7}",
        "#", "kernel", "wgs", "res", "waves", "GFLOP", "MB", "serial", "est µs", "limit"
    );
    for (i, r) in rows.iter().enumerate() {
        let _ = writeln!(
            out,
            "{i:>4} {:<32} {:>9} {:>5} {:>7.2} {:>9.3} {:>9.2} {:>11.0} {:>9.1} {:>7}",
            r.kernel,
            r.workgroups,
            r.resident,
            r.waves,
            r.flops / 1e9,
            r.bytes / 1e6,
            r.serial,
            r.us,
            r.limit
        );
    }
    let clears = rows.iter().filter(|r| r.kernel == "clear_buffer").count();
    let _ = writeln!(out, "estimated total: {:.2} ms ({} dispatches, {clears} clears)", total / 1e3, rows.len() - clears);
    let mut by_kernel: Vec<(&str, f64, usize, f64)> = vec![];
    for r in rows {
        match by_kernel.iter_mut().find(|k| k.0 == r.kernel) {
            Some(k) => (k.1, k.2, k.3) = (k.1 + r.us, k.2 + 1, k.3 + r.flops),
            None => by_kernel.push((r.kernel, r.us, 1, r.flops)),
        }
    }
    by_kernel.sort_by(|a, b| b.1.total_cmp(&a.1));
    let _ = writeln!(out, "{:<32} {:>9} {:>6} {:>7} {:>10}", "kernel", "est ms", "calls", "share", "TFLOP/s");
    for (name, us, calls, flops) in by_kernel {
        let _ = writeln!(out, "{name:<32} {:>9.3} {calls:>6} {:>6.1}% {:>10.2}", us / 1e3, 100.0 * us / total, flops / us / 1e6);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use playground_gpu::context::Constants;

    fn launch(workgroups: u64, threads: u32, side: u32) -> Launch {
        Launch { workgroups, threads, side }
    }

    #[test]
    fn a_stream_at_full_occupancy_runs_at_the_bandwidth() {
        let h = DeviceFacts::H100;
        let w = Work { dram: 1e9, inflight: 16, registers: 32, ..Work::default() };
        let e = roofline(&h, "stream", launch(1 << 20, 256, 256), 0, &w);
        assert_eq!(e.limit, "dram");
        let want = 1e9 / (3350e9 * DRAM_EFFICIENCY) * 1e6 + h.dispatch_us;
        assert!((e.us - want).abs() < 1e-6, "{} µs, want {want}", e.us);
    }

    #[test]
    fn a_grid_too_small_to_cover_latency_waits_on_it() {
        let h = DeviceFacts::H100;
        // 12 workgroups of 256 keep 12·256·16 B in flight, a twentieth of bandwidth × latency
        let w = Work { dram: 50e6, inflight: 16, registers: 32, ..Work::default() };
        let e = roofline(&h, "column sum", launch(12, 256, 32), 0, &w);
        let in_flight = 12.0 * 256.0 * 16.0;
        let needed = 3350e9 * 600.0 / 1.98e9;
        let want = 50e6 / (3350e9 * DRAM_EFFICIENCY * in_flight / needed) * 1e6 + h.dispatch_us;
        assert!((e.us - want).abs() < 1e-3, "{} µs, want {want}", e.us);
    }

    #[test]
    fn a_cublas_like_matmul_at_whole_waves_is_the_calibration_point() {
        // 64 fma and 4 workgroup loads per step of the inner loop, 528 workgroups of 256 (two
        // resident per SM: 2 waves): 38 TFLOP/s
        let h = DeviceFacts::H100;
        let flops = 2.0 * 528.0 * 128.0 * 128.0 * 4096.0;
        let w = Work { flops, issue: flops / 2.0 * 68.0 / 64.0, registers: 128, inflight: 16, ..Work::default() };
        let e = roofline(&h, "matmul", launch(528, 256, 16), 16384, &w);
        assert_eq!((e.resident, e.waves), (2, 2.0));
        let tflops = flops / (e.us - h.dispatch_us) / 1e6;
        assert!((tflops - 38.0).abs() < 0.3, "{tflops} TFLOP/s");
    }

    #[test]
    fn the_forward_split_over_k_fills_the_units_it_left_idle_and_wins_after_its_sum() {
        use playground_gpu::Kernel::*;
        // out (2,048, 384) from K 1,536 with its bias, 128×128 blocks: 48 workgroups leave 84
        // of an H100's 132 units idle; in 8 slices of K they are 384, 2.91 a unit
        let h = DeviceFacts::H100;
        let estimate = |kernel, params: [u32; 8], constants, workgroups| {
            let s = shape(kernel);
            let launch = launch(workgroups, s.threads(), s.workgroup_size[0]);
            roofline(&h, "forward", launch, s.shared_bytes, &work(kernel, &params, constants, launch, &s, &h))
        };
        let one = estimate(MatmulForward, [2048, 1536, 384, 1, 1536, 0, 0, 0], Constants::default(), 48);
        let sliced = estimate(MatmulForward, [2048, 1536, 384, 1, 192, 0, 0, 0], Constants::partial(), 384);
        let sum = estimate(ReducePartialsForward, [2048, 1536, 384, 1, 192, 0, 0, 0], Constants::default(), 2048 * 384 / 256);
        // the same FLOPs on 97% of the units' rate instead of 36%, and the sum of 8 × 3 MB of
        // partials costs less than what that saves
        assert!(sliced.us + sum.us < 0.5 * one.us, "{} + {} µs against {} µs", sliced.us, sum.us, one.us);
        assert_eq!(sum.limit, "dram");
        // a grid that already keeps its units busy gains nothing: the baby GPT's FFN projection
        // (M 16,384: 384 blocks, 2.91 a unit) in two slices is no faster than in one
        let whole = estimate(MatmulForward, [16384, 1536, 384, 1, 1536, 0, 0, 0], Constants::default(), 384);
        let halves = estimate(MatmulForward, [16384, 1536, 384, 1, 768, 0, 0, 0], Constants::partial(), 768);
        assert!(halves.us > 0.97 * whole.us, "{} µs in halves against {} µs", halves.us, whole.us);
    }

    #[test]
    fn heads_of_128_over_lanes_keep_their_rows_in_registers_and_beat_the_per_row_kernels() {
        use playground_gpu::Kernel::*;
        // B 16, T 256, C 512, 4 heads of 128 channels, causal: 256 workgroups of either kind
        // (16 × 4 heads × 4 blocks of 64 rows; the per-row kernels' 16,384 rows, 64 a workgroup)
        let (h, params) = (DeviceFacts::H100, [16, 256, 512, 4, 1, 0, 4, 0]);
        let estimate = |kernel| {
            let s = shape(kernel);
            let launch = launch(256, s.threads(), s.workgroup_size[0]);
            let w = work(kernel, &params, Constants::default(), launch, &s, &h);
            (w.registers, roofline(&h, "attention", launch, s.shared_bytes, &w).us)
        };
        for (lanes, per_row) in [
            (AttentionForwardLanes, AttentionForward),
            (AttentionBackwardQueryLanes, AttentionBackwardQuery),
            (AttentionBackwardKvLanes, AttentionBackwardKey),
        ] {
            let ((registers, us), (_, per_row_us)) = (estimate(lanes), estimate(per_row));
            assert!(registers <= 255, "{lanes:?}: {registers} registers");
            assert!(us < per_row_us / 2.0, "{lanes:?}: {us} µs, per row {per_row_us} µs");
        }
    }
}
