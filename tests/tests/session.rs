//! The session the page drives: training on generated data, rolling back a broken step
//! (weights, optimizer and batch stream), checkpoints that resume.

use playground_core::checkpoint::Checkpoint;
use playground_core::data::{Dataset, Task};
use playground_core::train::TrainConfig;
use playground_core::{CoreError, CpuModel, ModelConfig};
use playground_gpu::launch_tuning::SLOW_STEP_MS;
use playground_gpu::{DeviceFacts, Engine, GpuContext, GpuError, Session};
use playground_tests::*;

fn session_on(gpu: Option<playground_gpu::SharedGpu>, task: Task) -> Session {
    let data = Dataset::from_task(task, 1, None).unwrap();
    let config =
        ModelConfig { vocab_size: data.tokenizer.vocab_size(), block_size: 8, n_layer: 1, n_head: 2, n_embd: 8, ..ModelConfig::default() };
    let params = CpuModel::new(config, 2).unwrap().params;
    let checkpoint = Checkpoint { config, tokenizer: data.tokenizer.clone(), params, metadata: Default::default() };
    let mut s = pollster::block_on(Session::new(gpu, checkpoint)).unwrap();
    s.set_data(data, "task: test".into()).unwrap();
    s
}

fn train() -> TrainConfig {
    TrainConfig { batch_size: 4, warmup_steps: 0, max_steps: 50, ..TrainConfig::default() }
}

#[test]
fn a_broken_step_rolls_back_weights_optimizer_and_batches_on_gpu_and_cpu() {
    let Some(gpu) = gpu_or_skip() else { return };
    for backend in [Some(gpu), None] {
        let name = if backend.is_some() { "gpu" } else { "cpu" };
        let mut s = session_on(backend, Task::Addition);
        pollster::block_on(s.start_training(train(), None)).unwrap();
        pollster::block_on(s.train_steps(3)).unwrap();
        let good = pollster::block_on(s.checkpoint()).unwrap();
        let good_opt = pollster::block_on(s.optimizer()).unwrap();
        pollster::block_on(s.inject_fault("nan")).unwrap();
        let err = pollster::block_on(s.train_steps(2)).unwrap_err();
        assert!(matches!(err, GpuError::Core(CoreError::NonFinite { step: 3, .. })), "{name}: {err}");
        let back = pollster::block_on(s.checkpoint()).unwrap();
        assert_eq!(back, good, "{name}: the checkpoint after the refused step equals the one before");
        assert_eq!(pollster::block_on(s.optimizer()).unwrap(), good_opt, "{name}: optimizer state rolled back");
        let resumed = pollster::block_on(s.train_steps(1)).unwrap();
        assert_eq!(resumed[0].step, 3, "{name}");
        assert!(resumed[0].loss.is_finite());
    }
}

/// The launches a session's training step makes: each kernel and its grid.
fn launches(s: &mut Session) -> Vec<(&'static str, [u32; 3])> {
    let Engine::GpuTrainer(t) = s.engine() else { panic!("a GPU trainer") };
    t.step_ops().iter().map(|op| (op.kernel.source().name, op.workgroups)).collect()
}

/// A browser's trainer times the step as each candidate GPU would launch it (`tune_launches`),
/// keeps the fastest, and the run goes on as if untimed: the same steps, losses and weights (up
/// to the order of sums) as a run that was not timed. The clock here is the tuning's: a step
/// launched as on an H100 takes 1 ms, any other 10 ms; it counts its readings. A candidate that
/// launches as an earlier one takes its time unread. Its own context, whose facts it sets.
#[test]
fn timing_the_launch_plans_keeps_the_fastest_and_leaves_the_run_as_it_was() {
    let Some(shared) = gpu_or_skip() else { return };
    let own = std::sync::Arc::new(pollster::block_on(GpuContext::new()).unwrap());
    let (clock, readings) = (std::cell::Cell::new(0.0), std::cell::Cell::new(0));
    let now = || {
        readings.set(readings.get() + 1);
        clock.set(clock.get() + if own.facts().key == "h100" { 1.0 } else { 10.0 });
        clock.get()
    };
    let mut timed = session_on(Some(own.clone()), Task::Addition);
    let mut plain = session_on(Some(shared), Task::Addition);
    for s in [&mut timed, &mut plain] {
        pollster::block_on(s.start_training(train(), None)).unwrap();
    }
    let before = launches(&mut timed);
    let candidates = [DeviceFacts::EMULATED, DeviceFacts::H100, DeviceFacts::EMULATED];
    let tuned = pollster::block_on(timed.tune_launches(&candidates, SLOW_STEP_MS, &now)).unwrap().expect("a GPU trainer");
    // one step of the first candidate, 10 ms, sets 60 ms of steps for each; the third is the first
    assert_eq!((tuned.kept.key, tuned.steps, tuned.plans), ("h100", 6, 2));
    assert_eq!(tuned.ms_per_step, [10.0 / 6.0, 1.0 / 6.0, 10.0 / 6.0]);
    assert_eq!(readings.get(), 4 + 2, "the first read around its one step and its timed steps, the H100 around its timed steps");
    assert_eq!(own.facts().key, "h100", "the launchers size later plans for the kept facts");
    assert_ne!(launches(&mut timed), before, "the step is launched as on an H100 now");
    assert_eq!(timed.step(), 0, "the timed steps are undone");
    let (a, b) = (pollster::block_on(timed.train_steps(3)).unwrap(), pollster::block_on(plain.train_steps(3)).unwrap());
    assert_eq!(a.iter().map(|s| s.step).collect::<Vec<_>>(), [0, 1, 2]);
    for (x, y) in a.iter().zip(&b) {
        assert_close(&format!("loss at step {}", x.step), &[x.loss], &[y.loss], 1e-5, 1e-5);
    }
    let (a, b) = (pollster::block_on(timed.checkpoint()).unwrap(), pollster::block_on(plain.checkpoint()).unwrap());
    assert_close("weights after 3 steps", &a.params, &b.params, 1e-5, 1e-4);
    // a step over SLOW_STEP_MS (200 ms here) ends the timing at the first candidate, kept
    let slow = || {
        clock.set(clock.get() + 200.0);
        clock.get()
    };
    let tuned = pollster::block_on(timed.tune_launches(&candidates, SLOW_STEP_MS, &slow)).unwrap().expect("a GPU trainer");
    assert_eq!((tuned.kept.key, tuned.steps, tuned.plans, tuned.ms_per_step), ("emulated", 1, 1, vec![200.0]));
    assert_eq!((own.facts().key, timed.step()), ("emulated", 3));
    assert_eq!(launches(&mut timed), before, "launched as first recorded again");
    assert!(pollster::block_on(session_on(None, Task::Addition).tune_launches(&candidates, SLOW_STEP_MS, &now)).is_err(), "not training");
    let mut cpu = session_on(None, Task::Addition);
    pollster::block_on(cpu.start_training(train(), None)).unwrap();
    assert_eq!(pollster::block_on(cpu.tune_launches(&candidates, SLOW_STEP_MS, &now)).unwrap(), None, "the CPU engine has no launches");
}
