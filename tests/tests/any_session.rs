//! `Session`, the one session type the wasm facade holds for every family: each family's own
//! calls refuse the other family with a typed error naming the call, and the training calls
//! answer every family alike (the same steps from the same checkpoint).

use playground_core::checkpoint::Checkpoint;
use playground_core::data::{Dataset, Task};
use playground_core::train::TrainConfig;
use playground_core::{CoreError, CpuModel, Family, ModelConfig, TraceRequest};
use playground_gpu::{GpuError, Session};
use pollster::block_on;

fn config() -> ModelConfig {
    ModelConfig { block_size: 8, n_layer: 1, n_head: 2, n_embd: 8, ..ModelConfig::default() }
}

fn train() -> TrainConfig {
    TrainConfig { batch_size: 4, warmup_steps: 0, max_steps: 50, seed: 5, ..TrainConfig::default() }
}

fn decoder() -> Session {
    let data = Dataset::from_task(Task::Addition, 1, None).unwrap();
    let config = ModelConfig { vocab_size: data.tokenizer.vocab_size(), ..config() };
    let params = CpuModel::new(config, 2).unwrap().params;
    let checkpoint = Checkpoint { config, tokenizer: data.tokenizer.clone(), params, metadata: Default::default() };
    let mut s = block_on(Session::new(None, checkpoint)).unwrap();
    s.set_data(data, "task: addition".into()).unwrap();
    s
}

fn encdec() -> Session {
    block_on(Session::fresh_reversal(None, ModelConfig { family: Family::EncoderDecoder, ..config() }, 3)).unwrap()
}

/// The refusal's reason, which must be a typed `Architecture` error about the family.
fn refusal(err: GpuError) -> String {
    match err {
        GpuError::Core(CoreError::Architecture { field: "family", reason, .. }) => reason,
        other => panic!("expected a family refusal, got {other}"),
    }
}

#[test]
fn each_family_refuses_the_other_familys_calls_by_name() {
    let mut dec = decoder();
    assert!(dec.check_stream("forward").is_ok());
    let reason = refusal(block_on(dec.decode("abc")).err().expect("a decoder cannot translate"));
    assert!(reason.contains("translate") && reason.contains("encoder-decoder"), "{reason}");

    let mut ed = encdec();
    assert!(ed.check_encdec("translate").is_ok());
    let reason =
        refusal(block_on(ed.forward(&[1, 2], &TraceRequest::none())).expect_err("an encoder-decoder has no single-stream forward"));
    assert!(reason.contains("forward") && reason.contains("encoder-decoder"), "{reason}");
    assert_eq!(ed.config().family, Family::EncoderDecoder);
    assert_eq!(ed.tokenizer, playground_core::data::seq2seq::tokenizer());
}

#[test]
fn the_training_calls_answer_every_family_alike() {
    let (mut direct, mut any) = (encdec(), encdec());
    block_on(direct.start_training(train(), None)).unwrap();
    block_on(any.start_training(train(), None)).unwrap();
    assert_eq!(block_on(any.train_steps(2)).unwrap(), block_on(direct.train_steps(2)).unwrap(), "the same steps");
    assert_eq!(any.step(), 2);
    assert_eq!(block_on(any.evaluate(1)).unwrap(), block_on(direct.evaluate(1)).unwrap());
    assert_eq!(block_on(any.optimizer()).unwrap(), block_on(direct.optimizer()).unwrap());
    let ck = block_on(any.checkpoint()).unwrap();
    assert_eq!(ck, block_on(direct.checkpoint()).unwrap());
    assert_eq!(ck.metadata["data"], "task: reversal");
    assert_eq!(any.backend(), "cpu");

    let mut dec = decoder();
    assert!(block_on(dec.train_steps(1)).is_err(), "training has not been started");
    block_on(dec.start_training(train(), None)).unwrap();
    let stats = block_on(dec.train_steps(2)).unwrap();
    assert_eq!((stats.len(), stats[1].step, dec.step()), (2, 1, 2));
    assert!(stats.iter().all(|s| s.loss.is_finite() && s.loss > 0.0), "{stats:?}");
    assert_eq!(block_on(dec.checkpoint()).unwrap().metadata["data"], "task: addition");
}
