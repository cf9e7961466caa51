//! The fuzz targets (fuzz/targets.rs) in `make test`: every committed corpus file, then seeded
//! random mutations of each (bit flips, truncations, insertions, length fields set to extreme
//! values). Coverage-guided runs of the same targets are `make fuzz` (cargo-fuzz / libFuzzer).
//! A panicking input is saved under test-results/ so it can be replayed.

#[path = "../../fuzz/targets.rs"]
mod targets;

use playground_core::Rng;
use std::path::{Path, PathBuf};

/// Mutations per corpus file.
const MUTATIONS: usize = 60;

fn corpus(target: &str) -> Vec<(PathBuf, Vec<u8>)> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../fuzz/corpus").join(target);
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("the corpus {} must exist: {e}", dir.display()))
        .map(|e| e.expect("readable entry").path())
        .collect();
    files.sort();
    assert!(!files.is_empty(), "the corpus {} is empty", dir.display());
    files.into_iter().map(|p| (p.clone(), std::fs::read(&p).expect("readable corpus file"))).collect()
}

/// One random edit of `data`.
fn mutate(data: &[u8], rng: &mut Rng) -> Vec<u8> {
    let mut out = data.to_vec();
    match rng.below(5) {
        0 if !out.is_empty() => {
            let i = rng.below(out.len());
            out[i] ^= 1 << rng.below(8);
        }
        1 => out.truncate(rng.below(out.len() + 1)),
        2 => {
            let at = rng.below(out.len() + 1);
            let extra: Vec<u8> = (0..1 + rng.below(16)).map(|_| rng.next_u32() as u8).collect();
            out.splice(at..at, extra);
        }
        3 if out.len() >= 8 => {
            // a length or offset field gone extreme
            let at = rng.below(out.len() - 7);
            let v = [0u64, 1, u32::MAX as u64, u64::MAX, 1 << 40][rng.below(5)];
            out[at..at + 8].copy_from_slice(&v.to_le_bytes());
        }
        _ => {
            // a digit of a number in a JSON header, made huge
            if let Some(at) = out.iter().position(|b| b.is_ascii_digit()) {
                out.splice(at..at, b"99999999999999999999".iter().copied());
            }
        }
    }
    out
}

fn replay(target: &str, seed: u64) {
    let mut rng = Rng::new(seed);
    let mut runs = 0;
    for (path, data) in corpus(target) {
        let inputs = std::iter::once(data.clone()).chain((0..MUTATIONS).map(|_| mutate(&data, &mut rng))).collect::<Vec<_>>();
        for input in inputs {
            runs += 1;
            if std::panic::catch_unwind(|| targets::run(target, &input)).is_err() {
                let out = Path::new(env!("CARGO_MANIFEST_DIR")).join("../test-results");
                std::fs::create_dir_all(&out).unwrap();
                let file = out.join(format!("fuzz-{target}-crash-{runs}.bin"));
                std::fs::write(&file, &input).unwrap();
                panic!("{target}: input derived from {} panicked; saved to {}", path.display(), file.display());
            }
        }
    }
    println!("{target}: {runs} inputs, no panic");
}

#[test]
fn every_fuzz_target_survives_its_corpus_and_seeded_mutations() {
    for (i, target) in targets::TARGETS.iter().enumerate() {
        replay(target, 1000 + i as u64);
    }
}
