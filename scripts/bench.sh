#!/usr/bin/env bash
# `make bench`: the benchmark suite, in one run on this machine (see docs/PERFORMANCE.md).
#   1. native: our WGSL kernels through wgpu on the first GPU adapter (Mesa lavapipe when there
#      is no GPU): matmuls, attention, LayerNorm, GELU, AdamW on the model's shapes, a training
#      step of each config of tools/bench/configs.json, memory over many steps;
#   1b. the fast CPU engine's ops against the CPU reference on the same shapes and a SmolLM2-
#      sized forward's, one thread and every core, with the cores' FMA peak (bench-results/cpu.json);
#   1c. the whole CPU training step, fast engine and reference alternating, then PyTorch eager's,
#      on the baby GPT's model at batch 1 (bench-results/cpu_step.json; minutes: the reference),
#      and a SmolLM2-135M-shaped forward over 64 tokens on both ops;
#   2. PyTorch (eager fp32, TF32 off, then torch.compile) on the same shapes and steps;
#   3. the browser: our training tokens/s against the same GPT in TensorFlow.js (WebGPU), the
#      page's first heatmap, the wasm size, memory over a long run, and CPU training tokens/s of
#      our wasm engine against TF.js's wasm backend on the tiny and small configs, one thread
#      and threaded (issue 21's ≥ 5× and ≥ 1.7× row);
#   4. GPT-2 small's size (124M parameters, random weights made by transformers): inference
#      tokens/s in the browser (WebGPU and the wasm CPU engine) and in transformers on the CPU;
#   4b. a SmolLM2-135M-shaped Llama (random weights, transformers) from a stand-in hub on the
#      page's origin: download to first heatmap, memory and generation tokens/s on the CPU engine
#      and WebGPU, Explore's screenshots (tools/bench/smollm_shape.py, .mjs);
#   5. the table with every ratio (tools/bench/report.py). JSON results in bench-results/.
# Environment: BENCH_QUICK=1 times what is slower than its budget once and skips warm-up steps
# (for the baby GPT on a CPU, where one step takes minutes); BENCH_ONLY=tiny,small limits the
# configs; BENCH_TORCH_COMPILE=0 skips torch.compile, BENCH_TORCH_COMPILE_ONLY=tiny,small
# compiles only those (compiling takes minutes per config on a CPU); BENCH_SKIP_BROWSER=1
# skips part 3, BENCH_SKIP_GPT2=1 part 4 (a quarter of an hour on a CPU-only machine),
# BENCH_SKIP_SMOLLM=1 part 4b.
# PyTorch's OpenMP threads wait passively unless OMP_WAIT_POLICY says otherwise:
# spinning threads measured up to 1.5× slower where the cores are shared with other work.
set -euo pipefail
cd "$(dirname "$0")/.."
mkdir -p bench-results
quick=(); [ "${BENCH_QUICK:-0}" = 1 ] && quick=(--quick)
only=(); [ -n "${BENCH_ONLY:-}" ] && only=(--only "$BENCH_ONLY")

echo "==> native benchmark (wgpu)"
cargo run --profile test -q -p playground-tools --bin bench -- "${quick[@]}" "${only[@]}"

echo; echo "==> the fast CPU engine against the CPU reference, op by op (one thread and every core)"
cargo run --profile test -q -p playground-tools --bin cpu_bench -- "${only[@]}"

echo; echo "==> the CPU training step: the fast engine, the reference and PyTorch eager (baby GPT, batch 1)"
cargo run --profile test -q -p playground-tools --bin cpu_step -- --config baby --batch 1
OMP_WAIT_POLICY=${OMP_WAIT_POLICY:-PASSIVE} build/venv/bin/python tools/bench/torch_step.py --config baby --batch 1
cargo run --profile test -q -p playground-tools --bin cpu_forward

echo; echo "==> PyTorch on the same shapes"
compile=(); [ -n "${BENCH_TORCH_COMPILE_ONLY:-}" ] && compile=(--compile-only "$BENCH_TORCH_COMPILE_ONLY")
OMP_WAIT_POLICY=${OMP_WAIT_POLICY:-PASSIVE} build/venv/bin/python tools/bench/torch_bench.py "${quick[@]}" "${only[@]}" "${compile[@]}"

if [ "${BENCH_SKIP_BROWSER:-0}" != 1 ]; then
    echo; echo "==> browser: ours vs TensorFlow.js (headless Chromium: WebGPU, then the CPU against TF.js wasm)"
    scripts/build-web.sh
    node tools/bench/browser_bench.mjs
else
    rm -f bench-results/browser.json
fi

if [ "${BENCH_SKIP_GPT2:-0}" != 1 ]; then
    echo; echo "==> GPT-2 small's size: inference in the browser and in transformers"
    build/venv/bin/python tools/bench/gpt2_small.py
    node tools/bench/gpt2_browser.mjs
else
    rm -f bench-results/gpt2_browser.json bench-results/gpt2_torch.json
fi

if [ "${BENCH_SKIP_SMOLLM:-0}" != 1 ]; then
    echo; echo "==> a SmolLM2-135M-shaped model from a stand-in hub: first heatmap, memory, generation"
    build/venv/bin/python tools/bench/smollm_shape.py
    node tools/bench/smollm_shape.mjs
else
    rm -f bench-results/smollm_shape.json
fi

echo
build/venv/bin/python tools/bench/report.py | tee bench-results/report.md
