//! ModelConfig validation: every limit named with the number that broke it.

use playground_core::{CoreError, DeviceLimits, ModelConfig};

fn base() -> ModelConfig {
    ModelConfig { vocab_size: 65, block_size: 64, n_layer: 2, n_head: 4, n_embd: 64, ..ModelConfig::default() }
}

#[test]
fn zero_sizes_name_the_field() {
    for (field, cfg) in [
        ("vocab_size", ModelConfig { vocab_size: 0, ..base() }),
        ("block_size", ModelConfig { block_size: 0, ..base() }),
        ("n_layer", ModelConfig { n_layer: 0, ..base() }),
        ("n_head", ModelConfig { n_head: 0, ..base() }),
        ("n_embd", ModelConfig { n_embd: 0, ..base() }),
    ] {
        let err = cfg.validate().unwrap_err();
        assert!(matches!(err, CoreError::Config { field: f, value: 0, .. } if f == field), "{err}");
    }
}

#[test]
fn n_embd_must_divide_by_n_head() {
    let err = ModelConfig { n_embd: 66, n_head: 4, ..base() }.validate().unwrap_err();
    assert_eq!(err.to_string(), "config: n_embd = 66 is not allowed: must be divisible by n_head = 4 so every head gets the same width");
    assert!(ModelConfig { n_embd: 63, n_head: 7, ..base() }.validate().is_ok());
}

#[test]
fn sizes_beyond_the_playground_limits_are_refused() {
    let err = ModelConfig { n_layer: 1000, ..base() }.validate().unwrap_err();
    assert!(err.to_string().contains("n_layer = 1000"), "{err}");
    // each field within bounds, but the product is far too many parameters
    let err = ModelConfig { vocab_size: 200_000, n_embd: 8192, n_head: 64, n_layer: 64, block_size: 4096, ..ModelConfig::default() }
        .validate()
        .unwrap_err();
    assert!(err.to_string().contains("parameters"), "{err}");
}

#[test]
fn configs_beyond_the_device_limits_name_the_limit() {
    let small = DeviceLimits { max_storage_buffer_binding_size: 1 << 20, ..DeviceLimits::WEBGPU_DEFAULT };
    // logits (B·T·V) = 64·64·65 floats ≈ 1.06 MB > 1 MiB
    let err = base().check_device(64, &small, false).unwrap_err();
    match err {
        CoreError::DeviceLimit { limit, needed, allowed, .. } => {
            assert_eq!(limit, "maxStorageBufferBindingSize");
            assert_eq!(allowed, 1 << 20);
            assert!(needed > allowed);
        }
        other => panic!("expected a device limit error, got {other}"),
    }
    assert!(base().check_device(8, &DeviceLimits::WEBGPU_DEFAULT, false).is_ok());
    assert!(base().check_device(0, &DeviceLimits::WEBGPU_DEFAULT, false).is_err());
    // 4,096 rows of 4,096 tokens with every tensor within a 4 GiB binding: the matmuls' grids
    // would need 262,144 tiles of 64 rows along y
    let (huge, tiny) = (
        DeviceLimits { max_buffer_size: u64::MAX, max_storage_buffer_binding_size: u64::MAX, ..DeviceLimits::WEBGPU_DEFAULT },
        ModelConfig { vocab_size: 2, block_size: 4096, n_layer: 1, n_head: 1, n_embd: 8, ..ModelConfig::default() },
    );
    match tiny.check_device(4096, &huge, false).unwrap_err() {
        CoreError::DeviceLimit { limit, needed, allowed, .. } => {
            assert_eq!((limit, needed, allowed), ("maxComputeWorkgroupsPerDimension", 4096 * 4096, 65535 * 64));
        }
        other => panic!("expected a device limit error, got {other}"),
    }
    assert!(tiny.check_device(1024, &huge, false).is_err(), "4,194,304 rows: 65,536 tiles, one too many");
    assert!(tiny.check_device(1023, &huge, false).is_ok(), "4,190,208 rows: 65,472 tiles");
}

/// A split model cuts wte into vocabulary chunks, but an untied lm_head is bound whole by the
/// head's matmul: one larger than a binding is refused by name, not by a wgpu validation error.
#[test]
fn an_untied_head_past_one_binding_is_refused_by_name() {
    let small = DeviceLimits { max_storage_buffer_binding_size: 1 << 20, ..DeviceLimits::WEBGPU_DEFAULT };
    // 10,000 × 64 floats = 2.56 MB each for wte and lm_head
    let tied = ModelConfig { vocab_size: 10_000, block_size: 8, n_layer: 1, n_head: 2, n_embd: 64, ..ModelConfig::default() };
    assert!(tied.check_device(1, &small, true).is_ok(), "wte alone is cut into chunks");
    let err = ModelConfig { tie_head: false, ..tied }.check_device(1, &small, true).unwrap_err();
    assert!(err.to_string().contains("lm_head") && err.to_string().contains("maxStorageBufferBindingSize"), "{err}");
}

#[test]
fn architecture_fields_default_to_gpt2_and_are_written_only_when_they_differ() {
    let json = r#"{"vocab_size":65,"block_size":64,"n_layer":2,"n_head":4,"n_embd":64}"#;
    let cfg: ModelConfig = serde_json::from_str(json).unwrap();
    assert_eq!(cfg, base());
    assert_eq!(serde_json::to_string(&cfg).unwrap(), json);
    let untied = ModelConfig { tie_head: false, ..base() };
    assert!(serde_json::to_string(&untied).unwrap().contains(r#""tie_head":false"#));
}

#[test]
fn a_class_count_outside_the_encoder_family_is_refused() {
    let err = ModelConfig { n_classes: 3, ..base() }.validate().unwrap_err();
    assert!(err.to_string().contains("n_classes = 3"), "{err}");
}
