#!/usr/bin/env bash
# Builds the wasm engine in release mode and writes the ES module + .wasm into web/pkg/, the
# threaded engine into web/pkg-threads/, then the embeddable widget into web/dist/
# (scripts/build-widget.sh).
# Uses rustup's wasm32 target where it is installed; otherwise Debian's rustc-web with its
# std sources, building std for wasm with -Zbuild-std (see scripts/setup.sh).
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/wasm-toolchain.sh

echo "==> building playground-web for wasm32 ($WASM_TOOLCHAIN)"
wasm_cargo build -p playground-web --release
wasm="$WASM_TARGET_DIR/wasm32-unknown-unknown/release/playground_web.wasm"

echo "==> wasm-bindgen"
rm -rf web/pkg
# no name section (function names for stack traces): about a fifth of the file otherwise
wasm-bindgen --target web --no-typescript --remove-name-section --remove-producers-section --out-dir web/pkg "$wasm"
raw=$(stat -c %s web/pkg/playground_web_bg.wasm)
gz=$(gzip -9 -c web/pkg/playground_web_bg.wasm | wc -c)
echo "    web/pkg/playground_web_bg.wasm: $raw bytes, $gz gzipped"

# The threaded engine (rayon's pool of Web Workers), which the engine worker loads where the
# page is cross-origin isolated: the same crate with its `threads` feature, built with atomics.
rm -rf web/pkg-threads
if declare -F wasm_cargo_threads >/dev/null; then
    echo "==> building the threaded playground-web (atomics, bulk memory)"
    wasm_cargo_threads build -p playground-web --release --features threads
    wasm-bindgen --target web --no-typescript --remove-name-section --remove-producers-section --out-dir web/pkg-threads \
        "$WASM_THREADS_TARGET_DIR/wasm32-unknown-unknown/release/playground_web.wasm"
    raw=$(stat -c %s web/pkg-threads/playground_web_bg.wasm)
    gz=$(gzip -9 -c web/pkg-threads/playground_web_bg.wasm | wc -c)
    echo "    web/pkg-threads/playground_web_bg.wasm: $raw bytes, $gz gzipped"
else
    echo "==> no threaded engine: rustup's toolchain has no rust-src to rebuild std with atomics (rustup component add rust-src); pages run single-threaded"
fi

scripts/build-widget.sh
