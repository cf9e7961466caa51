#!/usr/bin/env bash
# Long training runs in headless Chromium (the CPU engine, then WebGPU on SwiftShader) with the
# engine's GPU buffers, wasm memory and the JS heap sampled over time; fails if one grows.
# Report: test-results/soak.json and soak-<engine>.csv (scripts/soak.mjs says what flat means).
#   make soak    or   SOAK_CPU_STEPS=100000 SOAK_WEBGPU_STEPS=5000 SOAK_EVERY_S=10 scripts/soak.sh
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/build-web.sh
node scripts/soak.mjs
