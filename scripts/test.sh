#!/usr/bin/env bash
# Every check of `make test`, in order of speed: format, lint (native and wasm), Rust tests
# with the GPU required (lavapipe), the wasm build, browser tests (Chromium, Firefox,
# WebKit), PyTorch parity.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/wasm-toolchain.sh
step() { echo; echo "==> $*"; }

step "rustfmt"
cargo fmt --all --check

step "clippy (native)"
cargo clippy --workspace --all-targets --quiet -- -D warnings

step "clippy (wasm32, $WASM_TOOLCHAIN)"
wasm_cargo clippy -p playground-web --quiet -- -D warnings

step "Rust tests (GPU tests required: Mesa lavapipe when there is no GPU; GPT-2 files from node_modules and the Hugging Face fixtures from build/venv required)"
PLAYGROUND_REQUIRE_GPU=1 PLAYGROUND_REQUIRE_NODE_FIXTURES=1 PLAYGROUND_REQUIRE_PYTHON_FIXTURES=1 cargo test --workspace --quiet

step "wasm build"
scripts/build-web.sh

# one browser at a time: on 2 cores, WebKit beside another browser lost pages to its hang detector
step "browser tests (headless Chromium: WebGPU on SwiftShader, and WebGPU off; Firefox ESR and WebKitGTK on their CPU engine)"
node --test --test-concurrency=1 web/tests/

step "PyTorch parity and the way out (torch on the CPU)"
tool() { local bin=$1; shift; cargo run --profile test -q -p playground-tools --bin "$bin" -- "$@"; }
PLAYGROUND_REQUIRE_GPU=1 tool parity_bundle build/parity
mkdir -p build/continue
tool train_model --task grammar --layers 2 --heads 2 --embd 32 --context 32 --batch 16 --steps 150 --lr 3e-3 \
    --seed 2 --vocab task --engine cpu --out build/continue/model.safetensors --text-out build/continue/data.txt
build/venv/bin/python -m unittest discover -s tests/python -v

echo; echo "==> all checks passed"
