//! The encoder-decoder's session as the Train page drives it: a checkpoint and its optimizer
//! state round-trip exactly and resume the same run (same next losses) on the CPU and the GPU;
//! corrupt, foreign and mismatched files are refused with typed errors.

use playground_core::checkpoint::{optimizer_from_bytes, optimizer_to_bytes, Checkpoint};
use playground_core::data::seq2seq;
use playground_core::train::TrainConfig;
use playground_core::{CharTokenizer, CoreError, CpuModel, Family, ModelConfig, ParamLayout};
use playground_gpu::{GpuError, Session, SharedGpu};
use playground_tests::*;
use pollster::block_on;

fn config() -> ModelConfig {
    ModelConfig { block_size: 8, n_layer: 1, n_head: 2, n_embd: 12, ..ModelConfig::default() }
}

fn train() -> TrainConfig {
    TrainConfig { batch_size: 4, warmup_steps: 2, max_steps: 50, learning_rate: 1e-2, seed: 7, ..TrainConfig::default() }
}

fn trained(gpu: Option<SharedGpu>, steps: usize) -> Session {
    let mut s = block_on(Session::fresh_reversal(gpu, config(), 3)).unwrap();
    block_on(s.start_training(train(), None)).unwrap();
    block_on(s.train_steps(steps)).unwrap();
    s
}

#[test]
fn an_encdec_checkpoint_round_trips_weights_config_and_optimizer_and_resumes_the_same_run() {
    let Some(gpu) = gpu_or_skip() else { return };
    let mut cpu_eval = None;
    for backend in [None, Some(gpu)] {
        let name = if backend.is_some() { "gpu" } else { "cpu" };
        let mut a = trained(backend.clone(), 3);
        let ck = block_on(a.checkpoint()).unwrap();
        let opt = block_on(a.optimizer()).unwrap();
        assert_eq!(ck.config.family, Family::EncoderDecoder);
        assert_eq!((opt.step, a.step()), (3, 3), "{name}");
        assert_eq!(ck.metadata["step"], "3");
        assert_eq!(ck.metadata["data"], "task: reversal");

        let (bytes, opt_bytes) = (ck.to_bytes().unwrap(), optimizer_to_bytes(&opt));
        let back = Checkpoint::from_bytes(&bytes).unwrap();
        assert_eq!(back, ck, "{name}: weights, config, vocabulary and metadata");
        let back_opt = optimizer_from_bytes(&opt_bytes, ParamLayout::new(&ck.config).padded_len()).unwrap();
        assert_eq!(back_opt, opt, "{name}: AdamW's moments and step");

        let mut b = block_on(Session::new(backend.clone(), back)).unwrap();
        block_on(b.start_training(train(), Some(&back_opt))).unwrap();
        assert_eq!(b.step(), 3);
        assert_eq!(block_on(b.params()).unwrap(), ck.params, "{name}: the same weights on the engine");
        assert_eq!(block_on(b.optimizer()).unwrap(), opt, "{name}: the same optimizer state on the engine");
        // the batch stream resumes from the checkpoint too: the next steps are the same steps
        let (next_a, next_b) = (block_on(a.train_steps(2)).unwrap(), block_on(b.train_steps(2)).unwrap());
        assert_eq!(next_a, next_b, "{name}: the resumed run takes the same steps");
        assert_eq!(next_b[0].step, 3);

        let (train_loss, val_loss) = block_on(b.evaluate(2)).unwrap();
        assert!(train_loss.is_finite() && val_loss.is_finite() && (1.0..3.0).contains(&val_loss), "{name}: {train_loss} {val_loss}");
        match cpu_eval {
            None => cpu_eval = Some((train_loss, val_loss, block_on(b.params()).unwrap())),
            Some((t, v, ref params)) => {
                // the GPU run took the CPU run's steps: its weights and evaluation agree with the CPU's
                assert_close("gpu params after 5 steps", &block_on(b.params()).unwrap(), params, 1e-4, 1e-3);
                assert!((train_loss - t).abs() < 1e-3 && (val_loss - v).abs() < 1e-3, "gpu ({train_loss}, {val_loss}) vs cpu ({t}, {v})");
            }
        }
    }
}

#[test]
fn corrupt_foreign_and_mismatched_files_are_refused_with_typed_errors() {
    let mut s = trained(None, 1);
    let bytes = block_on(s.checkpoint()).unwrap().to_bytes().unwrap();
    for cut in [0, 8, 100, bytes.len() - 3] {
        assert!(matches!(Checkpoint::from_bytes(&bytes[..cut]), Err(CoreError::Checkpoint(_))), "cut at {cut}");
    }

    // a decoder's checkpoint opens as a decoder, which has no translation
    let tokenizer = CharTokenizer::from_text("abc\n").unwrap();
    let decoder = ModelConfig { vocab_size: 4, ..config() };
    let foreign =
        Checkpoint { config: decoder, tokenizer, params: CpuModel::new(decoder, 1).unwrap().params, metadata: Default::default() };
    let err = block_on(block_on(Session::new(None, foreign)).unwrap().decode("abc")).err().expect("refused");
    assert!(matches!(&err, GpuError::Core(CoreError::Architecture { reason, .. }) if reason.contains("for an encoder-decoder")), "{err}");

    // an encoder-decoder with another vocabulary than the reversal task's
    let other = CharTokenizer::from_text("\n^$abcdefgz").unwrap();
    let encdec = ModelConfig { vocab_size: other.vocab_size(), family: Family::EncoderDecoder, ..config() };
    let params = CpuModel::new(encdec, 1).unwrap().params;
    let err = block_on(Session::new(None, Checkpoint { config: encdec, tokenizer: other, params, metadata: Default::default() }))
        .err()
        .expect("refused");
    assert!(matches!(&err, GpuError::Core(CoreError::Checkpoint(m)) if m.contains("vocabulary")), "{err}");

    // optimizer state of another model's size
    let mut fresh = block_on(Session::fresh_reversal(None, config(), 1)).unwrap();
    let wrong = playground_core::train::OptimizerState::new(10);
    let err = block_on(fresh.start_training(train(), Some(&wrong))).unwrap_err();
    assert!(matches!(err, GpuError::Core(CoreError::Shape { .. })), "{err}");
    assert!(optimizer_from_bytes(&bytes, 10).is_err(), "a weights file is not an optimizer state");
    assert_eq!(seq2seq::tokenizer().vocab_size(), 11);
}

#[test]
fn gpu_and_cpu_decode_a_source_alike_with_every_attention_map() {
    let Some(gpu) = gpu_or_skip() else { return };
    let mut cpu = trained(None, 4);
    let ck = block_on(cpu.checkpoint()).unwrap();
    let mut on_gpu = block_on(Session::new(Some(gpu), ck)).unwrap();
    let (c, g) = (block_on(cpu.decode("cafe")).unwrap(), block_on(on_gpu.decode("cafe")).unwrap());
    assert_eq!((&c.forced, &c.outputs, &c.fed), (&g.forced, &g.outputs, &g.fed));
    let t = config().block_size;
    for (name, cpu_maps, gpu_maps) in
        [("cross", &c.cross, &g.cross), ("encoder", &c.enc_self, &g.enc_self), ("decoder", &c.dec_self, &g.dec_self)]
    {
        assert_eq!((cpu_maps.len(), gpu_maps.len(), gpu_maps[0].len()), (1, 1, 2), "{name}: one layer, two heads");
        for (h, (want, got)) in cpu_maps[0].iter().zip(&gpu_maps[0]).enumerate() {
            assert_close(&format!("{name} head {h}"), got, want, 1e-5, 1e-4);
            for (r, row) in got.chunks(t).enumerate() {
                assert!((row.iter().sum::<f32>() - 1.0).abs() < 1e-4, "{name} head {h} row {r} is a softmax");
                if name == "decoder" {
                    assert!(row[r + 1..].iter().all(|&w| w == 0.0), "decoder head {h} row {r}: causal, no weight on later positions");
                }
            }
        }
    }
}

#[test]
fn one_source_in_ten_is_held_out_for_validation_and_never_trained_on() {
    let tok = seq2seq::tokenizer();
    let [pad, ..] = seq2seq::specials(&tok).unwrap();
    let sources = |validation: bool, t: usize, seed: u64| -> Vec<String> {
        let rows = seq2seq::split_batch(200, t, &mut playground_core::Rng::new(seed), validation);
        rows.src.chunks(t).map(|r| tok.decode(&r.iter().copied().filter(|&id| id != pad).collect::<Vec<_>>()).unwrap()).collect()
    };
    for t in [seq2seq::MIN_SPLIT_BLOCK, 8] {
        assert!(sources(false, t, 1).iter().all(|s| !seq2seq::held_out(s)), "t = {t}: training batches hold no held-out source");
        assert!(sources(true, t, 2).iter().all(|s| seq2seq::held_out(s)), "t = {t}: validation batches hold only held-out ones");
    }
    let mut rng = playground_core::Rng::new(3);
    let share = (0..5000).filter(|_| seq2seq::held_out(&seq2seq::example(8, &mut rng))).count();
    assert!((350..650).contains(&share), "about one in ten held out: {share} of 5000");
    let err = block_on(Session::fresh_reversal(None, ModelConfig { block_size: 3, ..config() }, 1)).err().expect("too short");
    assert!(matches!(err, GpuError::Core(CoreError::Config { field: "block_size", .. })), "{err}");
}
