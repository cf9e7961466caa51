//! `make bench`'s CPU part runs: `cpu_bench` times every fast op of the tiny config against the
//! reference, on one thread and on every core, and writes JSON with the measured peak;
//! `cpu_step` times the whole training step on both ops.

use serde_json::Value;
use std::path::Path;
use std::process::Command;

#[test]
fn cpu_bench_writes_every_measurement() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).parent().expect("workspace root");
    let out = std::env::temp_dir().join(format!("cpu-bench-smoke-{}.json", std::process::id()));
    let run = Command::new(env!("CARGO_BIN_EXE_cpu_bench"))
        .current_dir(root)
        .args(["--only", "tiny", "--budget", "0.001", "--out"])
        .arg(&out)
        .output()
        .expect("run the cpu_bench binary");
    let log = format!("{}{}", String::from_utf8_lossy(&run.stdout), String::from_utf8_lossy(&run.stderr));
    assert!(run.status.success(), "cpu_bench failed ({}):\n{log}", run.status);
    let result: Value = serde_json::from_str(&std::fs::read_to_string(&out).expect("results file")).expect("valid JSON");
    std::fs::remove_file(&out).ok();

    let rows = result["rows"].as_array().expect("rows");
    // five linear layers forward and backward, the fused fc + GELU, attention (2), LayerNorm,
    // GELU, softmax-cross-entropy, AdamW
    assert_eq!(rows.len(), 5 * 2 + 1 + 6, "{log}");
    let cores = result["machine"]["cores"].as_u64().expect("cores");
    for row in rows {
        assert!(row["reference_ms"].as_f64().is_some_and(|ms| ms > 0.0), "{row}");
        let fast = row["fast_ms"].as_array().expect("fast_ms");
        let threads: Vec<u64> = fast.iter().map(|f| f["threads"].as_u64().expect("threads")).collect();
        assert_eq!(threads, [1, cores], "{row}");
        assert!(fast.iter().all(|f| f["ms"].as_f64().is_some_and(|ms| ms > 0.0)), "{row}");
    }
    if cfg!(target_arch = "x86_64") && std::is_x86_feature_detected!("avx2") {
        assert!(result["peak_gflops_per_thread"].as_f64().is_some_and(|p| p > 1.0), "{log}");
    }
}

/// `cpu_step` on tiny at B = 2 with `extra` arguments: the engines it timed, after checking the
/// file's shape and that every engine has a positive time and rate.
fn cpu_step_engines(extra: &[&str]) -> Vec<String> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).parent().expect("workspace root");
    let out = std::env::temp_dir().join(format!("cpu-step-smoke-{}-{}.json", std::process::id(), extra.len()));
    let run = Command::new(env!("CARGO_BIN_EXE_cpu_step"))
        .current_dir(root)
        .args(["--config", "tiny", "--batch", "2", "--rounds", "1"])
        .args(extra)
        .arg("--out")
        .arg(&out)
        .output()
        .expect("run the cpu_step binary");
    let log = format!("{}{}", String::from_utf8_lossy(&run.stdout), String::from_utf8_lossy(&run.stderr));
    assert!(run.status.success(), "cpu_step failed ({}):\n{log}", run.status);
    let result: Value = serde_json::from_str(&std::fs::read_to_string(&out).expect("results file")).expect("valid JSON");
    std::fs::remove_file(&out).ok();
    assert_eq!(
        (result["config"].as_str(), result["batch"].as_u64(), result["block_size"].as_u64()),
        (Some("tiny"), Some(2), Some(64)),
        "{log}"
    );
    for e in result["engines"].as_array().expect("engines") {
        assert!(e["median_ms"].as_f64().is_some_and(|ms| ms > 0.0) && e["tokens_per_s"].as_f64().is_some_and(|t| t > 0.0), "{e}");
    }
    result["engines"].as_array().unwrap().iter().map(|e| e["engine"].as_str().expect("engine").to_string()).collect()
}

#[test]
fn cpu_step_times_the_reference_and_the_fast_engine() {
    assert_eq!(cpu_step_engines(&[]), ["reference", "fast"]);
}

#[test]
fn cpu_step_times_the_fast_engine_alone_when_asked() {
    assert_eq!(cpu_step_engines(&["--engines", "fast"]), ["fast"]);
}
