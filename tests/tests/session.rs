//! The session the page drives: training on generated data, rolling back a broken step
//! (weights, optimizer and batch stream), checkpoints that resume.

use playground_core::checkpoint::Checkpoint;
use playground_core::data::{Dataset, Task};
use playground_core::train::TrainConfig;
use playground_core::{CoreError, CpuModel, ModelConfig};
use playground_gpu::{GpuError, Session};
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
