# The two commands a newcomer needs: `make serve` and `make test`. See README.md.
.PHONY: serve test build bench models fuzz soak clean

PORT ?= 8000

serve:
	@scripts/setup.sh serve
	@scripts/build-web.sh
	@node scripts/static-server.mjs $(PORT)

test:
	@scripts/setup.sh test
	@scripts/test.sh

build:
	@scripts/setup.sh serve
	@scripts/build-web.sh

# The benchmark suite (not part of `make test`): ours against PyTorch and TensorFlow.js on this
# machine, JSON in bench-results/ and a table. BENCH_QUICK=1 for slow (CPU-only) machines.
bench:
	@scripts/setup.sh test
	@scripts/bench.sh

clean:
	rm -rf target web/pkg web/dist test-results bench-results

# The page's default model: trained by the project's own engine (CPU, deterministic) on the
# generated toy-language task; about 4 minutes on 2 cores. Writes web/models/default.safetensors.
models:
	@scripts/setup.sh serve
	cargo run --profile test -q -p playground-tools --bin train_model -- --task grammar --layers 2 --heads 4 --embd 64 \
	    --context 64 --batch 16 --steps 2000 --lr 2e-3 --seed 1 --vocab ascii --engine cpu --out web/models/default.safetensors

# Coverage-guided fuzzing of the parsers (checkpoints, GPT-2 tokenizer files, config JSON, text),
# FUZZ_SECONDS per target (default 120). The fixed-seed replay of the same targets is in `make test`.
fuzz:
	@scripts/fuzz.sh

# Soak: thousands of training steps in headless Chromium (CPU engine, then WebGPU), sampling GPU
# buffers, wasm memory and JS heap; fails if one grows. About 15 minutes; report in test-results/.
# A short version is in `make test` (web/tests/soak.test.mjs).
soak:
	@scripts/setup.sh test
	@scripts/soak.sh
