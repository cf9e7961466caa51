//! Checkpoints across versions: the page's default model, written before grouped-query
//! attention and optional biases existed, loads and gives the logits it gave then; a checkpoint
//! with key/value heads and without biases round-trips and refuses a header that claims another
//! architecture.

use playground_core::checkpoint::Checkpoint;
use playground_core::config::LinearBias;
use playground_core::{CharTokenizer, CoreError, CpuModel, ModelConfig, TraceRequest};
use playground_gpu::GpuModel;
use playground_tests::*;

/// FNV-1a over the bits of `values`.
fn fnv(values: &[f32]) -> u64 {
    let bytes = values.iter().flat_map(|x| x.to_bits().to_le_bytes());
    bytes.fold(0xcbf2_9ce4_8422_2325, |h, byte| (h ^ byte as u64).wrapping_mul(0x0100_0000_01b3))
}

#[test]
fn the_default_model_gives_the_logits_it_gave_before() {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../web/models/default.safetensors");
    let ck = Checkpoint::from_bytes(&std::fs::read(path).expect("the committed default model")).unwrap();
    assert_eq!((ck.config.n_kv_head, ck.config.kv_heads(), ck.config.linear_bias), (None, 4, LinearBias::All));
    let ids = ck.tokenizer.encode("The cat sat on the mat. ").unwrap();
    let request = TraceRequest::keys(&["logits"]).unwrap();
    let cpu = CpuModel::from_params(ck.config, ck.params.clone()).unwrap().forward(&ids, &request).unwrap().trace.remove(0).data;
    // every logit, bit for bit, as the engine of commit 3717db6 (before the architecture
    // description) computed them: (24, 96), summing to -10249.33496
    assert_eq!(fnv(&cpu), 0x8270_a235_c3c7_8904, "sum {}", cpu.iter().map(|&x| x as f64).sum::<f64>());
    let Some(gpu) = gpu_or_skip() else { return };
    let mut g = pollster::block_on(GpuModel::new(gpu, ck.config, &ck.params, 1)).unwrap();
    let got = pollster::block_on(g.forward(&ids, &request)).unwrap().trace.remove(0).data;
    assert_close("default model logits, GPU", &got, &cpu, 2e-5, 1e-4);
}

#[test]
fn a_grouped_query_bias_free_checkpoint_round_trips_and_refuses_another_architecture() {
    let tokenizer = CharTokenizer::from_text("abcdefg ").unwrap();
    let config = ModelConfig {
        vocab_size: tokenizer.vocab_size(),
        block_size: 6,
        n_layer: 2,
        n_head: 4,
        n_kv_head: Some(2),
        n_embd: 8,
        linear_bias: LinearBias::None,
        ..ModelConfig::default()
    };
    let ck = Checkpoint { config, tokenizer, params: CpuModel::new(config, 4).unwrap().params, metadata: Default::default() };
    let bytes = ck.to_bytes().unwrap();
    assert_eq!(Checkpoint::from_bytes(&bytes).unwrap(), ck);
    // the same tensors under a header that claims one key/value head per head, or biases
    let header_len = u64::from_le_bytes(bytes[..8].try_into().unwrap()) as usize;
    let header = String::from_utf8(bytes[8..8 + header_len].to_vec()).unwrap();
    let json = serde_json::to_string(&config).unwrap().replace('"', "\\\"");
    for (claim, refusal) in
        [(ModelConfig { n_kv_head: None, ..config }, "shape"), (ModelConfig { linear_bias: LinearBias::All, ..config }, "missing")]
    {
        let other = serde_json::to_string(&claim).unwrap().replace('"', "\\\"");
        assert!(header.contains(&json), "{header}");
        let mut swapped = header.replace(&json, &other);
        while !swapped.len().is_multiple_of(8) {
            swapped.push(' ');
        }
        let file = [(swapped.len() as u64).to_le_bytes().to_vec(), swapped.into_bytes(), bytes[8 + header_len..].to_vec()].concat();
        let err = Checkpoint::from_bytes(&file).unwrap_err();
        assert!(matches!(&err, CoreError::Checkpoint(m) if m.contains(refusal)), "{claim:?}: {err}");
    }
}
