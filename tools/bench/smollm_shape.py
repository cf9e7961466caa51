#!/usr/bin/env python3
"""A model of SmolLM2-135M's exact shape with random weights, in the hub's layout, for the
browser measurements of tools/bench/smollm_shape.mjs (download to first heatmap, memory,
generation tokens/s). No network: the weights are `transformers`' random initialization
(seed 0) and the tokenizer is the test fixtures' SmolLM-style one.

SmolLM2-135M's config: LlamaForCausalLM, hidden 576, intermediate 1536, 30 layers, 9 heads
(64 wide), 3 key/value heads, vocabulary 49,152, RoPE base 100,000, RMSNorm eps 1e-5, tied
embeddings, 8,192 positions; saved as BF16 safetensors (269 MB), as the hub has it.

The tokenizer: build/hf-fixtures/smollm/tokenizer.json (byte-level BPE with SmolLM's digit
split, 1,000 tokens trained by `tokenizers` on generated text; written by
tests/python/hf_fixtures.py), padded to 49,152 tokens with vocabulary entries no merge
reaches (`<pad_1000>`, …), so that the page holds and lists a vocabulary of SmolLM2's size.

    build/venv/bin/python tools/bench/smollm_shape.py [--out build/smollm-shape]

writes <out>/bench/SmolLM2-135M-shape/{config.json, model.safetensors, tokenizer.json,
tokenizer_config.json}; serve <out> with web/tests/hub-server.mjs.
"""
import argparse
import json
import os
import shutil

import torch
from transformers import LlamaConfig, LlamaForCausalLM

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
REPO = "bench/SmolLM2-135M-shape"
VOCAB = 49152
FIXTURE = os.path.join(ROOT, "build", "hf-fixtures", "smollm")


def padded_tokenizer(path):
    """The fixture's tokenizer.json with unreachable entries up to VOCAB tokens."""
    with open(path, encoding="utf-8") as f:
        spec = json.load(f)
    vocab = spec["model"]["vocab"]
    ids = set(vocab.values()) | {t["id"] for t in spec["added_tokens"]}
    for i in range(VOCAB):
        if i not in ids:
            vocab[f"<pad_{i}>"] = i
    assert len(set(vocab.values()) | ids) == VOCAB
    return spec


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--out", default=os.path.join(ROOT, "build", "smollm-shape"))
    args = ap.parse_args()
    if not os.path.exists(os.path.join(FIXTURE, "tokenizer.json")):
        raise SystemExit(f"no {FIXTURE}: run `cargo test -p playground-tests --test all hf_` (tests/python/hf_fixtures.py)")
    folder = os.path.join(args.out, *REPO.split("/"))
    os.makedirs(folder, exist_ok=True)
    torch.manual_seed(0)
    config = LlamaConfig(hidden_size=576, intermediate_size=1536, num_hidden_layers=30, num_attention_heads=9,
                         num_key_value_heads=3, vocab_size=VOCAB, rope_theta=100000.0, rms_norm_eps=1e-5,
                         tie_word_embeddings=True, max_position_embeddings=8192, bos_token_id=0, eos_token_id=0)
    model = LlamaForCausalLM(config).to(torch.bfloat16)
    model.save_pretrained(folder)
    params = sum(p.numel() for p in model.parameters())
    with open(os.path.join(folder, "tokenizer.json"), "w", encoding="utf-8") as f:
        json.dump(padded_tokenizer(os.path.join(FIXTURE, "tokenizer.json")), f, ensure_ascii=False)
    shutil.copy(os.path.join(FIXTURE, "tokenizer_config.json"), os.path.join(folder, "tokenizer_config.json"))
    size = os.path.getsize(os.path.join(folder, "model.safetensors"))
    print(f"wrote {folder}: {params:,} parameters, model.safetensors {size:,} bytes")


if __name__ == "__main__":
    main()
