#!/usr/bin/env python3
"""PyTorch's training step (eager, fp32, on the CPU) on one config of tools/bench/configs.json
with a chosen batch: the peer of tools/src/bin/cpu_step.rs (nanoGPT's GPT from torch_bench.py).

    build/venv/bin/python tools/bench/torch_step.py [--config baby] [--batch 4] [--rounds 2]

One warm-up step, then `rounds` timed steps; prints the median and the fastest ms per step and
tokens/s.
"""
import argparse
import json
import os
import statistics
import sys
import time

import torch

sys.path.insert(0, os.path.dirname(__file__))
from torch_bench import GPT, make_optimizer, train_step_fn  # noqa: E402


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--config", default="baby")
    ap.add_argument("--batch", type=int)
    ap.add_argument("--rounds", type=int, default=2)
    args = ap.parse_args()
    with open("tools/bench/configs.json") as f:
        configs = json.load(f)
    m = dict(next(c for c in configs["configs"] if c["name"] == args.config), vocab_size=configs["vocab_size"])
    b, t = args.batch or m["batch_size"], m["block_size"]
    torch.manual_seed(1)
    model = GPT(m)
    step = train_step_fn(model, make_optimizer(model), torch.randint(0, m["vocab_size"], (b, t)), torch.randint(0, m["vocab_size"], (b, t)))
    step()
    ms = []
    for _ in range(args.rounds):
        t0 = time.perf_counter()
        step()
        ms.append((time.perf_counter() - t0) * 1e3)
    med, fastest = statistics.median(ms), min(ms)
    print(f"{args.config} B{b} T{t}, PyTorch {torch.__version__} eager ({torch.get_num_threads()} threads): "
          f"median {med:.1f} ms a step, {b * t / med * 1e3:.0f} tokens/s; fastest {fastest:.1f} ms, {b * t / fastest * 1e3:.0f} tokens/s "
          f"(steps: {', '.join(f'{x:.1f}' for x in ms)} ms)")


if __name__ == "__main__":
    main()
