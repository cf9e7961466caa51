#!/usr/bin/env bash
# The GPU check: our WGSL kernels on a real GPU over Vulkan, in under 4 minutes, JSON out.
# Built on a machine without a GPU, its binaries carried to the GPU machine (docs/PERFORMANCE.md
# "The GPU check"; shared/TOOLCHAIN.md §6 for how such a machine is set up).
#
#   tools/bench/gpu-check.sh build   # here: release binaries and the Vulkan loader into target/gpu-check/
#   tools/bench/gpu-check.sh         # there, from the repository root with target/gpu-check carried
#
# What the run does, for the baby GPT (6 layers, 6 heads, width 384, context 256, batch 64):
#   1. bench --only baby: every matmul of the model forward and backward, attention, LayerNorm,
#      GELU, AdamW (GPU timestamps), a training step (wall clock) -> native.json;
#   2. profile_step --cost h100 --measure (h200 on an H200): every dispatch of the step timed
#      alone next to the cost model's estimate for that GPU, and their ratio -> profile.json
#      (the model's error per dispatch; on another GPU, the H100's plan and estimate, timed on
#      that GPU);
#   3. tune_launches: the step as each plan a browser's trainer times launches it (generic's,
#      the Iris Xe's, the M1's, the M2's, the RTX 3060's, the H100's), for this config and the
#      page's small one
#      (4 128 4 128 16 65) -> tuning.json, tuning-small.json (does the model's pick hold?);
#   4. where python3 has torch with CUDA: tools/bench/torch_bench.py on the same shapes and step
#      (cuBLAS fp32, TF32 off; eager only) -> torch.json, and report.py's table of ratios.
# Output: $OUT when set (the device tool's folder), else bench-results/gpu-check/.
# GPU_CHECK_CONFIG=tiny|small|baby picks another config (tiny checks the script on lavapipe).
set -euo pipefail
cd "$(dirname "$0")/../.."
dest=target/gpu-check

if [ "${1:-run}" = build ]; then
    cargo build --release -p playground-tools --bin bench --bin profile_step --bin tune_launches
    mkdir -p "$dest/lib"
    cp target/release/bench target/release/profile_step target/release/tune_launches "$dest/"
    # the Vulkan loader: the GPU machine may have the driver's ICD but not libvulkan1
    loader=$(ldconfig -p | awk '/libvulkan\.so\.1 / { print $NF; exit }')
    [ -n "$loader" ] || { echo "gpu-check build: no libvulkan.so.1 here (apt-get install libvulkan1)" >&2; exit 1; }
    cp -L "$loader" "$dest/lib/libvulkan.so.1"
    du -sh "$dest"
    exit 0
fi

[ -x "$dest/bench" ] || { echo "gpu-check: no $dest/bench; run 'tools/bench/gpu-check.sh build' where it was built, and carry $dest" >&2; exit 1; }
out=${OUT:-bench-results/gpu-check}
mkdir -p "$out"
config=${GPU_CHECK_CONFIG:-baby}
sizes=$(python3 -c "import json; c = next(c for c in json.load(open('tools/bench/configs.json'))['configs'] if c['name'] == '$config'); \
print(c['n_layer'], c['n_embd'], c['n_head'], c['block_size'], c['batch_size'], json.load(open('tools/bench/configs.json'))['vocab_size'])")
# the NVIDIA driver's ICD where the machine has it (TOOLCHAIN.md §6), and the carried loader
# where the system has none
icd=/usr/local/nvidia/share/vulkan/icd.d/nvidia_icd.json
if [ -z "${VK_DRIVER_FILES:-}" ] && [ -f "$icd" ]; then export VK_DRIVER_FILES=$icd; fi
if ! ldconfig -p | grep -q 'libvulkan\.so\.1 '; then export LD_LIBRARY_PATH="$PWD/$dest/lib${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"; fi
log() { echo "==> $* ($(date -u +%H:%M:%S), load $(cut -d' ' -f1 /proc/loadavg))"; }
gpu=$(nvidia-smi --query-gpu=name,driver_version,clocks.max.sm --format=csv,noheader 2>/dev/null | head -1 || true)
# the cost model's facts for this GPU (crates/playground-gpu/src/device.rs), as bench's
# launchers pick them by the adapter's name
case "$gpu" in *H200*) preset=h200 ;; *) preset=h100 ;; esac
{
    echo "{\"date\": \"$(date -u +%FT%TZ)\", \"config\": \"$config\", \"sizes\": \"$sizes\", \"vk_driver_files\": \"${VK_DRIVER_FILES:-}\","
    echo " \"gpu\": \"$gpu\", \"cost_preset\": \"$preset\"}"
} > "$out/machine.json"

log "1. kernels and training step (bench --only $config)"
"$dest/bench" --only "$config" --memory-steps 20 --budget 0.2 --out "$out/native.json"

log "2. every dispatch of the step, timed and estimated (profile_step --cost $preset --measure)"
# shellcheck disable=SC2086 # six sizes
"$dest/profile_step" --cost "$preset" --measure --json "$out/profile.json" $sizes > "$out/profile.txt"
tail -n 3 "$out/profile.txt"

log "3. the plans a browser's trainer times (tune_launches), this config and the page's small one"
# shellcheck disable=SC2086 # six sizes
"$dest/tune_launches" --json "$out/tuning.json" $sizes | tee "$out/tuning.txt"
"$dest/tune_launches" --json "$out/tuning-small.json" 4 128 4 128 16 65 | tee "$out/tuning-small.txt"

if python3 -c "import torch, sys; sys.exit(0 if torch.cuda.is_available() else 1)" 2>/dev/null; then
    log "4. PyTorch (cuBLAS fp32, TF32 off, eager) on the same shapes and step"
    python3 tools/bench/torch_bench.py --only "$config" --no-compile --budget 0.2 --out "$out/torch.json"
    python3 tools/bench/report.py --dir "$out" | tee "$out/report.md"
else
    log "4. skipped: no python3 with CUDA torch here"
fi
log "done: $out"
