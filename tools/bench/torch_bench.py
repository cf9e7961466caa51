#!/usr/bin/env python3
"""The PyTorch half of `make bench`: the peer of every native number, on the same machine.

Reads the model configs (tools/bench/configs.json, as the native benchmark does) and times the
operations the native side times, on the same shapes (`plan` lists them as bench.rs does), and
the same training step, in PyTorch eager fp32 with TF32 off (on a GPU that is cuBLAS and
PyTorch's own kernels), then the training step again under torch.compile where it runs.
Writes bench-results/torch.json; tools/bench/report.py puts it next to native.json (and
checks that the shapes agree).

    build/venv/bin/python tools/bench/torch_bench.py [--configs FILE] [--only tiny,small]
        [--out FILE] [--budget SECONDS] [--quick] [--no-compile]

Peers, op by op (ours: the WGSL kernel named in native.json):
  matmul_forward          F.linear(x, W, b)                (cuBLAS addmm / gemm)
  matmul_backward_input   torch.mm(dy, W, out=dx)          (gemm)
  matmul_backward_weight  torch.mm(dy.T, x, out=dW)        (gemm)
  attention_forward       F.scaled_dot_product_attention(is_causal=True) on views of qkv,
                          with the head split and merge (what nanoGPT runs)
  attention_backward      autograd of the above with respect to qkv
  layernorm_forward       F.layer_norm
  gelu_forward            F.gelu (exact erf form, as ours)
  adamw_update            torch.optim.AdamW.step() on one flat parameter (default implementation)
  training step           nanoGPT's GPT (same config, biases, tied head), cross-entropy,
                          backward, clip_grad_norm_(1.0), AdamW (decay on matrices), zero_grad
FLOPs and bytes are counted with the native side's formulas, so each ratio is a ratio of times.
"""
import argparse
import json
import math
import os
import platform
import sys
import time
from datetime import datetime, timezone

import torch
import torch.nn as nn
import torch.nn.functional as F

# TF32 off everywhere: the comparison is fp32 against fp32
torch.backends.cuda.matmul.allow_tf32 = False
torch.backends.cudnn.allow_tf32 = False
torch.set_float32_matmul_precision("highest")

DEV = torch.device("cuda" if torch.cuda.is_available() else "cpu")


def sync():
    if DEV.type == "cuda":
        torch.cuda.synchronize()


def run_ms(fn, reps):
    """Milliseconds per call of `fn` over `reps` back-to-back calls."""
    if DEV.type == "cuda":
        start, end = torch.cuda.Event(enable_timing=True), torch.cuda.Event(enable_timing=True)
        start.record()
        for _ in range(reps):
            fn()
        end.record()
        torch.cuda.synchronize()
        return start.elapsed_time(end) / reps
    t0 = time.perf_counter()
    for _ in range(reps):
        fn()
    return (time.perf_counter() - t0) * 1e3 / reps


def timeit(fn, budget, min_reps):
    """Warm-up, an estimate, then enough repetitions for about `budget` seconds (`min_reps`
    to 200; the estimate itself where that is one), as the native side does.
    Returns (ms per call, repetitions)."""
    fn()
    sync()
    one = max(run_ms(fn, 1), 1e-3)
    reps = max(min_reps, min(200, int(budget * 1e3 / one)))
    return (one, 1) if reps == 1 else (run_ms(fn, reps), reps)


# ---- nanoGPT's model (model.py), with dropout 0 and biases, as our GPT -------------------

class CausalSelfAttention(nn.Module):
    def __init__(self, c, nh):
        super().__init__()
        self.c_attn = nn.Linear(c, 3 * c)
        self.c_proj = nn.Linear(c, c)
        self.nh = nh

    def forward(self, x):
        return self.c_proj(attention(self.c_attn(x), self.nh))


def attention(qkv, nh):
    b, t, c3 = qkv.shape
    c = c3 // 3
    q, k, v = qkv.split(c, dim=2)
    q, k, v = (z.view(b, t, nh, c // nh).transpose(1, 2) for z in (q, k, v))
    y = F.scaled_dot_product_attention(q, k, v, is_causal=True)
    return y.transpose(1, 2).contiguous().view(b, t, c)


class Block(nn.Module):
    def __init__(self, c, nh):
        super().__init__()
        self.ln_1 = nn.LayerNorm(c)
        self.attn = CausalSelfAttention(c, nh)
        self.ln_2 = nn.LayerNorm(c)
        self.mlp = nn.Sequential(nn.Linear(c, 4 * c), nn.GELU(), nn.Linear(4 * c, c))

    def forward(self, x):
        x = x + self.attn(self.ln_1(x))
        return x + self.mlp(self.ln_2(x))


class GPT(nn.Module):
    def __init__(self, m):
        super().__init__()
        c = m["n_embd"]
        self.wte = nn.Embedding(m["vocab_size"], c)
        self.wpe = nn.Embedding(m["block_size"], c)
        self.h = nn.ModuleList([Block(c, m["n_head"]) for _ in range(m["n_layer"])])
        self.ln_f = nn.LayerNorm(c)
        self.lm_head = nn.Linear(c, m["vocab_size"], bias=False)
        self.lm_head.weight = self.wte.weight  # tied, as ours
        for p in self.parameters():
            if p.dim() >= 2:
                nn.init.normal_(p, std=0.02)

    def forward(self, idx, targets):
        t = idx.shape[1]
        x = self.wte(idx) + self.wpe(torch.arange(t, device=idx.device))
        for block in self.h:
            x = block(x)
        logits = self.lm_head(self.ln_f(x))
        return F.cross_entropy(logits.view(-1, logits.size(-1)), targets.view(-1))


def make_optimizer(model):
    # AdamW as ours: decay on matrices (embeddings included), none on vectors
    params = [p for p in model.parameters() if p.requires_grad]
    decay = [p for p in params if p.dim() >= 2]
    rest = [p for p in params if p.dim() < 2]
    groups = [{"params": decay, "weight_decay": 0.1}, {"params": rest, "weight_decay": 0.0}]
    return torch.optim.AdamW(groups, lr=1e-3, betas=(0.9, 0.99), eps=1e-8)


def train_step_fn(model, opt, x, y):
    params = [p for p in model.parameters()]

    def step():
        loss = model(x, y)
        opt.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(params, 1.0)
        opt.step()
        return loss

    return step


def time_steps(step, budget, warmup):
    """ms per step as the native side times it: one step after `warmup` warm-up steps, and if
    it took less than `budget` seconds, the mean over back-to-back steps (2 to 50)."""
    for _ in range(warmup):
        step()
    sync()
    t0 = time.perf_counter()
    loss = step()
    sync()
    one = time.perf_counter() - t0
    if one >= budget:
        ms, n = one * 1e3, 1
    else:
        n = max(2, min(50, int(budget / one)))
        t0 = time.perf_counter()
        for _ in range(n):
            loss = step()
        sync()
        ms = (time.perf_counter() - t0) * 1e3 / n
    assert math.isfinite(loss.item()), "the benchmark's training diverged"
    return ms, n


# ---- the kernels, shape by shape as bench.rs lists them ----------------------------------

ALIGN = 64  # floats: each tensor of the flat parameter buffer starts at 256 bytes (params.rs)


def padded_len(m):
    """Length of our flat parameter buffer (ParamLayout::padded_len): what AdamW updates."""
    v, t, c, f = m["vocab_size"], m["block_size"], m["n_embd"], 4 * m["n_embd"]
    align = lambda n: -(-n // ALIGN) * ALIGN
    matrices = [v * c, t * c] + [3 * c * c, c * c, f * c, c * f] * m["n_layer"]
    vectors = [c, c, 3 * c, c, c, c, f, c] * m["n_layer"] + [c, c]
    return sum(map(align, matrices)) + sum(map(align, vectors))


def plan(name, m, b):
    """The kernel rows of bench.rs's `kernels` for one config: op, layer, shape, FLOPs, bytes."""
    t, c, nh, v = m["block_size"], m["n_embd"], m["n_head"], m["vocab_size"]
    rows, rows_m = [], b * t
    row = lambda op, layer, shape, flop=None, nbytes=None: rows.append(
        {"config": name, "op": op, "layer": layer, "shape": shape, "flop": flop, "bytes": nbytes,
         "unit": "GFLOP/s" if flop is not None else "GB/s"})
    for layer, k, n, bias in [("qkv", c, 3 * c, True), ("attproj", c, c, True), ("fc", c, 4 * c, True),
                              ("fcproj", 4 * c, c, True), ("lm_head", c, v, False)]:
        for op in ("matmul_forward", "matmul_backward_input", "matmul_backward_weight"):
            row(op, layer, {"m": rows_m, "k": k, "n": n, "bias": bias}, flop=2.0 * rows_m * k * n)
    fwd = 2.0 * b * t * (t + 1) * c
    row("attention_forward", "attn", {"b": b, "t": t, "c": c, "nh": nh}, flop=fwd)
    row("attention_backward", "attn", {"b": b, "t": t, "c": c, "nh": nh}, flop=2 * fwd)
    row("layernorm_forward", "ln", {"rows": rows_m, "c": c}, nbytes=4.0 * (2.0 * rows_m * c + 2.0 * rows_m + 2.0 * c))
    row("gelu_forward", "fc", {"n": rows_m * 4 * c}, nbytes=8.0 * rows_m * 4 * c)
    n = padded_len(m)
    row("adamw_update", "all", {"n": n}, nbytes=28.0 * n)
    return rows


def kernel(row, budget, min_reps):
    op, s = row["op"], row["shape"]
    g = torch.Generator(device="cpu").manual_seed(1)
    rnd = lambda *shape, std=1.0: (torch.randn(*shape, generator=g) * std).to(DEV)
    if op.startswith("matmul"):
        m, k, n = s["m"], s["k"], s["n"]
        if op == "matmul_forward":
            x, w, b = rnd(m, k), rnd(n, k, std=0.02), rnd(n, std=0.02)
            bias = b if s["bias"] else None
            fn = lambda: F.linear(x, w, bias)
        elif op == "matmul_backward_input":
            dy, w, dx = rnd(m, n), rnd(n, k, std=0.02), torch.empty(m, k, device=DEV)
            fn = lambda: torch.mm(dy, w, out=dx)
        else:
            dy, x, dw = rnd(m, n), rnd(m, k), torch.empty(n, k, device=DEV)
            fn = lambda: torch.mm(dy.t(), x, out=dw)
    elif op == "attention_forward":
        qkv = rnd(s["b"], s["t"], 3 * s["c"])
        with torch.no_grad():
            fn = lambda: attention(qkv, s["nh"])
            return timeit(fn, budget, min_reps)
    elif op == "attention_backward":
        qkv = rnd(s["b"], s["t"], 3 * s["c"]).requires_grad_()
        dout = rnd(s["b"], s["t"], s["c"])
        y = attention(qkv, s["nh"])
        fn = lambda: torch.autograd.grad(y, qkv, dout, retain_graph=True)
    elif op == "layernorm_forward":
        x, w, b = rnd(s["rows"], s["c"]), rnd(s["c"]), rnd(s["c"])
        fn = lambda: F.layer_norm(x, (s["c"],), w, b)
    elif op == "gelu_forward":
        x = rnd(s["n"])
        fn = lambda: F.gelu(x)
    elif op == "adamw_update":
        p = nn.Parameter(rnd(s["n"], std=0.02))
        p.grad = rnd(s["n"], std=0.01)
        opt = torch.optim.AdamW([p], lr=1e-3, betas=(0.9, 0.99), eps=1e-8, weight_decay=0.1)
        fn = opt.step
    else:
        raise ValueError(f"no PyTorch peer for {op}")
    with torch.no_grad():
        return timeit(fn, budget, min_reps)


def device_name():
    if DEV.type == "cuda":
        return torch.cuda.get_device_name(0)
    cpu = "unknown CPU"
    try:
        with open("/proc/cpuinfo") as f:
            cpu = next(l.split(":", 1)[1].strip() for l in f if l.startswith("model name"))
    except (OSError, StopIteration):
        pass
    return f"{cpu}, {torch.get_num_threads()} threads"


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--configs", default="tools/bench/configs.json")
    ap.add_argument("--only", help="comma-separated config names")
    ap.add_argument("--out", default="bench-results/torch.json")
    ap.add_argument("--budget", type=float, default=0.3, help="seconds of measurement per kernel")
    ap.add_argument("--no-compile", action="store_true", help="skip torch.compile")
    ap.add_argument("--compile-only", help="comma-separated configs to compile (compiling takes minutes on a CPU)")
    ap.add_argument("--quick", action="store_true", help="as the native --quick: one repetition of what is slower than "
                    "its budget, no warm-up step")
    args = ap.parse_args()
    cfgs = json.load(open(args.configs))
    configs = [c for c in cfgs["configs"] if not args.only or c["name"] in args.only.split(",")]
    models = [({k: c[k] for k in ("n_layer", "n_head", "n_embd", "block_size")} | {"vocab_size": cfgs["vocab_size"]}, c)
              for c in configs]
    print(f"PyTorch {torch.__version__} on {DEV.type}: {device_name()}; TF32 off")

    kernels = []
    for row in [r for m, c in models for r in plan(c["name"], m, c["batch_size"])]:
        ms, reps = kernel(row, args.budget, 1 if args.quick else 3)
        work = row["flop"] if row["flop"] is not None else row["bytes"]
        rate = work / ms / 1e6
        print(f"  {row['config']:<6} {row['op']:<24} {row['layer']:<8} {ms:>10.3f} ms {rate:>9.2f} {row['unit']}  ({reps} reps)")
        kernels.append({**{k: row[k] for k in ("config", "op", "layer", "shape", "flop", "bytes", "unit")}, "ms": ms, "reps": reps, "rate": rate})

    steps = []
    compile_ok = not args.no_compile and os.environ.get("BENCH_TORCH_COMPILE", "1") != "0"
    for m, row in models:
        b = row["batch_size"]
        torch.manual_seed(1)
        model = GPT(m).to(DEV)
        g = torch.Generator(device="cpu").manual_seed(2)
        x = torch.randint(0, m["vocab_size"], (b, m["block_size"]), generator=g).to(DEV)
        y = torch.randint(0, m["vocab_size"], (b, m["block_size"]), generator=g).to(DEV)
        warmup = 0 if args.quick else 1
        ms, n = time_steps(train_step_fn(model, make_optimizer(model), x, y), 10 * args.budget, warmup)
        entry = {"config": row["name"], "model": m, "batch_size": b, "ms": ms, "steps": n, "warmup_steps": warmup,
                 "tokens_per_s": b * m["block_size"] / ms * 1e3}
        print(f"  {row['name']:<6} training step (eager) {ms:>10.2f} ms ({n} steps timed)")
        if compile_ok and args.compile_only and row["name"] not in args.compile_only.split(","):
            entry["compiled"] = {"skipped": f"not in --compile-only {args.compile_only}"}
        elif compile_ok:
            try:
                torch.manual_seed(1)
                model = GPT(m).to(DEV)
                compiled = torch.compile(model)
                step = train_step_fn(compiled, make_optimizer(model), x, y)
                t0 = time.perf_counter()
                step()  # compiles
                sync()
                compile_s = time.perf_counter() - t0
                cms, cn = time_steps(step, 10 * args.budget, 0)  # the compiling step warmed it up
                entry["compiled"] = {"ms": cms, "steps": cn, "compile_s": compile_s}
                print(f"  {row['name']:<6} training step (torch.compile) {cms:>10.2f} ms ({cn} steps timed; compiling took {compile_s:.0f} s)")
            except Exception as err:  # noqa: BLE001 - reported, not hidden
                entry["compiled"] = {"error": f"{type(err).__name__}: {str(err).splitlines()[0] if str(err) else ''}"}
                print(f"  {row['name']:<6} torch.compile failed: {entry['compiled']['error']}")
                compile_ok = False  # it will fail the same way for the next configs
        steps.append(entry)

    result = {
        "kind": "torch",
        "date": datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "command": " ".join([sys.executable] + sys.argv),
        "machine": {"device": device_name(), "device_type": DEV.type, "torch": torch.__version__,
                    "python": platform.python_version(), "threads": torch.get_num_threads(),
                    "omp_wait_policy": os.environ.get("OMP_WAIT_POLICY")},
        "tf32": False,
        "kernels": kernels,
        "steps": steps,
    }
    os.makedirs(os.path.dirname(args.out) or ".", exist_ok=True)
    with open(args.out, "w") as f:
        json.dump(result, f, indent=2)
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
