#!/usr/bin/env bash
# Coverage-guided fuzzing (cargo-fuzz / libFuzzer) of every parser of outside data, seeded with
# the committed corpus in fuzz/corpus/. New interesting inputs go to build/fuzz-corpus/, crashes
# to fuzz/artifacts/. FUZZ_SECONDS per target (default 120).
#   make fuzz          or   FUZZ_SECONDS=600 scripts/fuzz.sh checkpoint
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${FUZZ_SECONDS:-120}
targets=${*:-checkpoint gpt2_files config_json text}
if ! cargo fuzz --version >/dev/null 2>&1; then
    echo "==> installing cargo-fuzz 0.13.2 (once)"
    cargo install -q cargo-fuzz --version 0.13.2
fi
cd fuzz
for t in $targets; do
    mkdir -p "../build/fuzz-corpus/$t"
    echo "==> fuzzing $t for ${seconds}s"
    # libFuzzer needs the sanitizer flags of a nightly compiler; RUSTC_BOOTSTRAP allows them on stable
    RUSTC_BOOTSTRAP=1 cargo fuzz run "$t" "../build/fuzz-corpus/$t" "corpus/$t" -- \
        -max_total_time="$seconds" -seed=1 -max_len=1048576 -rss_limit_mb=2048 -print_final_stats=1 2>&1 |
        grep -E "^(#[0-9]+ *DONE|Done|stat::number_of_executed_units|stat::peak_rss_mb|==[0-9]+==|SUMMARY)" || true
    if compgen -G "artifacts/$t/crash-*" >/dev/null || compgen -G "artifacts/$t/oom-*" >/dev/null; then
        echo "$t: failing inputs in fuzz/artifacts/$t/" >&2
        exit 1
    fi
done
echo "==> fuzzing passed: no crash, no out-of-memory"
