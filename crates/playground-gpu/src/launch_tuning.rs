//! Launch tuning: a browser hides its GPU's name, so the launchers cannot tell which of their
//! grid shapes suit it. By the cost model (PERFORMANCE.md) the generic plan costs an M2 10% and
//! an H100 17% of the page's small model's step, and a plan sized for a 10-unit GPU costs a
//! 38-unit one 27%, so no table of vendors picks well. A browser's trainer therefore times the
//! step recorded for each of `DeviceFacts::TUNING_CANDIDATES` on its first batch
//! (`Session::tune_launches`), keeps the fastest, and puts the weights back.

use crate::device::DeviceFacts;

/// The share by which a candidate must beat the first (`GENERIC`) to replace it, so that timing
/// noise does not trade plans that are as fast.
pub const MARGIN: f64 = 0.03;

/// About how long each candidate's timed steps take together, ms: the steps per candidate are
/// set from the first candidate's step (2 to 16 of them).
pub const TIMED_MS: f64 = 60.0;

/// A step of the first candidate slower than this, ms, ends the tuning there, keeping it: such
/// steps are big models on small GPUs, where by the model the plans differ by about 1% (the
/// baby GPT on an M2 or an Iris Xe), and timing six plans would hold Start for seconds.
pub const SLOW_STEP_MS: f64 = 100.0;

/// What a tuning timed and kept.
#[derive(Clone, Debug, PartialEq)]
pub struct Tuned {
    /// The facts whose plan the trainer runs from now on.
    pub kept: DeviceFacts,
    /// Each candidate's ms per step, in `TUNING_CANDIDATES`' order; the first's alone where one
    /// step of it took over `SLOW_STEP_MS`.
    pub ms_per_step: Vec<f64>,
    /// Steps timed per candidate, after one untimed step that compiles and warms its plan.
    pub steps: usize,
    /// The distinct plans run: every other candidate launches as one of them, and takes its time.
    pub plans: usize,
}

/// The index of the least time per step, unless it beats the first by less than `MARGIN`.
pub fn fastest(ms_per_step: &[f64]) -> usize {
    let best = (0..ms_per_step.len()).min_by(|&a, &b| ms_per_step[a].total_cmp(&ms_per_step[b])).unwrap_or(0);
    if ms_per_step[best] < ms_per_step[0] * (1.0 - MARGIN) {
        best
    } else {
        0
    }
}

/// Steps to time per candidate for about `TIMED_MS` of steps, from one step's `ms`.
pub fn timed_steps(ms: f64) -> usize {
    (TIMED_MS / ms.max(1e-3)).round().clamp(2.0, 16.0) as usize
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_fastest_plan_is_kept_where_it_is_clearly_faster() {
        assert_eq!(fastest(&[10.0, 12.0, 7.0, 9.0]), 2);
        assert_eq!(fastest(&[10.0, 12.0, 11.0, 5.0]), 3);
        assert_eq!(fastest(&[10.0, 9.6, 10.5, 11.0]), 1, "4% is not noise");
        assert_eq!(fastest(&[10.0, 9.8, 10.5, 11.0]), 0, "2% is");
        assert_eq!(fastest(&[10.0, 10.0, 10.0, 10.0]), 0);
    }

    #[test]
    fn a_candidate_takes_about_sixty_ms_of_steps() {
        assert_eq!(timed_steps(10.0), 6);
        assert_eq!(timed_steps(0.5), 16, "at most 16");
        assert_eq!(timed_steps(200.0), 2, "at least 2");
    }
}
