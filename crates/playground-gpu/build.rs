//! Writes every `shaders/**/*.wgsl`, minified (`src/wgsl_minify.rs`), to
//! `$OUT_DIR/shaders/`, where `src/shaders.rs` includes it: about a tenth of the wasm is WGSL
//! text, half of it comments and indentation.

#[path = "src/wgsl_minify.rs"]
mod wgsl_minify;

use std::path::Path;

fn main() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shaders");
    let out = Path::new(&std::env::var("OUT_DIR").expect("cargo sets OUT_DIR")).join("shaders");
    for sub in ["", "include"] {
        let (from, to) = (src.join(sub), out.join(sub));
        // the folder for files added or removed, each file for its edits
        println!("cargo:rerun-if-changed={}", from.display());
        std::fs::create_dir_all(&to).unwrap_or_else(|e| panic!("{}: {e}", to.display()));
        for entry in std::fs::read_dir(&from).unwrap_or_else(|e| panic!("{}: {e}", from.display())) {
            let path = entry.expect("readable entry").path();
            if path.extension().is_some_and(|x| x == "wgsl") {
                println!("cargo:rerun-if-changed={}", path.display());
                let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
                let dest = to.join(path.file_name().expect("a file name"));
                std::fs::write(&dest, wgsl_minify::minify(&text)).unwrap_or_else(|e| panic!("{}: {e}", dest.display()));
            }
        }
    }
}
