//! `make bench`'s native benchmark runs: `bench --smoke` times every kernel and a training
//! step of the tiny config on the GPU (lavapipe here) and writes JSON the report can read.
//! Fails, not skips, without a GPU adapter (the binary exits with an error).

use serde_json::Value;
use std::path::Path;
use std::process::Command;

#[test]
fn bench_smoke_writes_every_measurement() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).parent().expect("workspace root");
    let out = std::env::temp_dir().join(format!("bench-smoke-{}.json", std::process::id()));
    let run = Command::new(env!("CARGO_BIN_EXE_bench"))
        .current_dir(root)
        .args(["--smoke", "--out"])
        .arg(&out)
        .output()
        .expect("run the bench binary");
    let log = format!("{}{}", String::from_utf8_lossy(&run.stdout), String::from_utf8_lossy(&run.stderr));
    assert!(run.status.success(), "bench --smoke failed ({}):\n{log}", run.status);
    let result: Value = serde_json::from_str(&std::fs::read_to_string(&out).expect("results file")).expect("valid JSON");
    std::fs::remove_file(&out).ok();

    let kernels = result["kernels"].as_array().expect("kernels");
    let ops: Vec<&str> = kernels.iter().map(|k| k["op"].as_str().expect("op")).collect();
    // five linear layers, three matmuls each, the fc layer's fused and two-pass matmul + GELU,
    // then attention (2), layernorm, GELU, AdamW
    assert_eq!(kernels.len(), 5 * 3 + 2 + 5, "{ops:?}");
    for op in [
        "matmul_forward",
        "matmul_forward_gelu",
        "matmul_forward+gelu_forward",
        "matmul_backward_input",
        "matmul_backward_weight",
        "attention_forward",
        "attention_backward",
        "layernorm_forward",
        "gelu_forward",
        "adamw_update",
    ] {
        assert!(ops.contains(&op), "{op} missing from {ops:?}");
    }
    for k in kernels {
        let (ms, rate) = (k["ms"].as_f64().expect("ms"), k["rate"].as_f64().expect("rate"));
        assert!(ms > 0.0 && rate > 0.0 && rate.is_finite(), "{k}");
        assert!(k["config"] == "tiny", "{k}");
    }
    let steps = result["steps"].as_array().expect("steps");
    assert_eq!(steps.len(), 1);
    assert_eq!(steps[0]["config"], "tiny");
    assert_eq!(steps[0]["batch_size"], 16);
    assert!(steps[0]["ms"].as_f64().expect("ms") > 0.0);
    assert_eq!(result["memory"]["steps"], 20);
    assert!(result["adapter"]["name"].as_str().is_some_and(|n| !n.is_empty()));
}
