//! Validates a checkpoint file with the engine's own loader and prints what it holds:
//! config, vocabulary size, parameter count and metadata. Exits non-zero with the loader's
//! message if the file is refused.
//!   inspect_checkpoint FILE

use playground_core::checkpoint::Checkpoint;

fn main() {
    let path = std::env::args().nth(1).expect("usage: inspect_checkpoint FILE");
    let bytes = std::fs::read(&path).unwrap_or_else(|e| panic!("cannot read {path}: {e}"));
    match Checkpoint::from_bytes(&bytes) {
        Ok(ck) => {
            println!("{path}: {:?}", ck.config);
            println!("vocabulary: {} characters; parameters: {}", ck.tokenizer.vocab_size(), ck.config.param_count());
            for (k, v) in &ck.metadata {
                println!("  {k} = {v}");
            }
        }
        Err(e) => {
            eprintln!("{path}: {e}");
            std::process::exit(1);
        }
    }
}
