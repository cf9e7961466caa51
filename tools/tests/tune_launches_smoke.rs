//! The GPU check's launch tuning: `tune_launches` times the step as each plan a browser's
//! trainer times launches it, on the GPU (lavapipe here), and writes what it kept. Fails, not
//! skips, without a GPU adapter (the binary exits with an error).

use serde_json::Value;
use std::process::Command;

#[test]
fn tune_launches_times_every_candidate_and_keeps_the_fastest() {
    let out = std::env::temp_dir().join(format!("tune-launches-{}.json", std::process::id()));
    // one small layer: a second or two on lavapipe
    let run = Command::new(env!("CARGO_BIN_EXE_tune_launches"))
        .arg("--json")
        .arg(&out)
        .args(["1", "16", "1", "8", "4", "10"])
        .output()
        .expect("run tune_launches");
    let log = format!("{}{}", String::from_utf8_lossy(&run.stdout), String::from_utf8_lossy(&run.stderr));
    assert!(run.status.success(), "tune_launches failed ({}):\n{log}", run.status);
    let result: Value = serde_json::from_str(&std::fs::read_to_string(&out).expect("results file")).expect("valid JSON");
    std::fs::remove_file(&out).ok();
    let ms = result["ms_per_step"].as_object().expect("ms_per_step");
    let keys: Vec<&str> = ms.keys().map(String::as_str).collect();
    assert_eq!(keys, ["generic", "h100", "intel-igpu", "m1", "m2", "rtx3060"], "{log}");
    assert!(ms.values().all(|v| v.as_f64().is_some_and(|ms| ms > 0.0 && ms.is_finite())), "{log}");
    let kept = result["kept"].as_str().expect("kept");
    let fastest = ms.iter().min_by(|a, b| a.1.as_f64().unwrap().total_cmp(&b.1.as_f64().unwrap())).expect("six").0;
    // the fastest, or generic's where the fastest beats it by under 3%
    assert!(kept == fastest || kept == "generic", "kept {kept}, fastest {fastest}: {log}");
    let steps = result["steps"].as_u64().expect("steps");
    assert!((2..=16).contains(&steps), "{steps} steps: {log}");
}
