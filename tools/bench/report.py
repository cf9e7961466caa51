#!/usr/bin/env python3
"""The table of `make bench`: our numbers next to their peers' from the same run, with ratios.

Reads bench-results/native.json (tools/src/bin/bench.rs), torch.json (torch_bench.py),
browser.json (browser_bench.mjs), gpt2_browser.json (gpt2_browser.mjs) and gpt2_torch.json
(gpt2_small.py); a missing file leaves its columns out, with a note. Prints
Markdown tables (docs/PERFORMANCE.md holds a copy) and writes bench-results/summary.json.

    python3 tools/bench/report.py [--dir bench-results]

Every ratio is ours / peer in speed (rate over rate, or the peer's time over ours): above 1
we are faster.
"""
import argparse
import json
import os


def load(path):
    try:
        with open(path) as f:
            return json.load(f)
    except FileNotFoundError:
        return None


def fmt(x, digits=2):
    return "–" if x is None else f"{x:,.{digits}f}"


def ratio(ours, peer):
    return None if not ours or not peer else ours / peer


def table(head, rows):
    lines = ["| " + " | ".join(head) + " |", "|" + "|".join("---" for _ in head) + "|"]
    lines += ["| " + " | ".join(str(c) for c in row) + " |" for row in rows]
    return "\n".join(lines)


def shape(s):
    if "m" in s:
        return f"{s['m']}×{s['k']}·{s['k']}×{s['n']}"
    if "nh" in s:
        return f"B{s['b']} T{s['t']} C{s['c']} NH{s['nh']}"
    if "rows" in s:
        return f"{s['rows']}×{s['c']}"
    return f"n {s['n']}"


def kernels_table(native, torch, out):
    peers = {(r["config"], r["op"], r["layer"]): r for r in (torch or {}).get("kernels", [])}
    rows = []
    for r in native["kernels"]:
        peer = peers.get((r["config"], r["op"], r["layer"]))
        if peer and (peer["shape"], peer["flop"], peer["bytes"]) != (r["shape"], r["flop"], r["bytes"]):
            raise SystemExit(f"torch.json and native.json disagree on {r['config']} {r['op']} {r['layer']}: "
                             f"{peer['shape']} vs {r['shape']} (run both on the same configs.json)")
        x = ratio(r["rate"], peer and peer["rate"])
        out.append({"config": r["config"], "op": r["op"], "layer": r["layer"], "unit": r["unit"], "ours": r["rate"],
                    "torch": peer and peer["rate"], "ratio": x})
        rows.append([r["config"], r["op"], r["layer"], shape(r["shape"]), f"{fmt(r['rate'])} {r['unit']}",
                     fmt(peer and peer["rate"]), fmt(x)])
    return table(["config", "op", "layer", "shape", "ours", "PyTorch eager", "ours/PyTorch"], rows)


def steps_table(native, torch, out):
    peers = {r["config"]: r for r in (torch or {}).get("steps", [])}
    rows = []
    for r in native["steps"]:
        m = r["model"]
        peer = peers.get(r["config"], {})
        compiled = peer.get("compiled", {})
        eager_x = ratio(peer.get("ms"), r["ms"])
        compiled_x = ratio(compiled.get("ms"), r["ms"])
        out.append({"config": r["config"], "batch_size": r["batch_size"], "ours_ms": r["ms"], "torch_ms": peer.get("ms"),
                    "torch_compile_ms": compiled.get("ms"), "ratio_eager": eager_x, "ratio_compile": compiled_x})
        compiled_cell = fmt(compiled.get("ms"), 1) if "ms" in compiled else \
            "failed" if "error" in compiled else "skipped" if "skipped" in compiled else "–"
        rows.append([r["config"], f"L{m['n_layer']} NH{m['n_head']} C{m['n_embd']} T{m['block_size']} B{r['batch_size']}",
                     f"{fmt(r['ms'], 1)} ({r['steps']})", f"{fmt(peer.get('ms'), 1)} ({peer.get('steps', '–')})", fmt(eager_x),
                     compiled_cell, fmt(compiled_x)])
    return table(["config", "model", "ours ms (steps)", "PyTorch eager ms (steps)", "ours/eager", "torch.compile ms",
                  "ours/compile"], rows)


def gpt2_table(runs, peer, out):
    """GPT-2 small's size: our engines in Chromium next to `transformers` on this machine's CPU."""
    rows = []
    for r in runs["runs"]:
        prefill_x = ratio(r["prefill_tokens_per_s"], peer and peer["prefill"]["tokens_per_s"])
        generate_x = ratio(r["generate_tokens_per_s"], peer and peer["generate_no_cache"]["tokens_per_s"])
        out.append({"backend": r["backend"], "prefill_tokens_per_s": r["prefill_tokens_per_s"],
                    "generate_tokens_per_s": r["generate_tokens_per_s"], "ratio_prefill": prefill_x, "ratio_generate": generate_x})
        rows.append([f"{r['backend']} ({r['adapter'] or 'wasm'})", f"{fmt(r['load_ms'] / 1e3, 1)} s",
                     f"{fmt(r['prefill_tokens_per_s'])} ({r['prefill_tokens']} tokens)", fmt(prefill_x),
                     f"{fmt(r['generate_tokens_per_s'], 3)} ({r['new_tokens']} after {r['prompt_tokens']})", fmt(generate_x)])
    if peer:
        rows.append([f"transformers CPU ({peer['machine']['threads']} threads)", "–",
                     f"{fmt(peer['prefill']['tokens_per_s'])} ({peer['prefill']['tokens']} tokens)", "1",
                     f"{fmt(peer['generate_no_cache']['tokens_per_s'], 3)} no cache, "
                     f"{fmt(peer['generate_kv_cache']['tokens_per_s'], 3)} KV cache", "1"])
    return table(["engine", "load", "prefill tokens/s", "vs transformers", "generate tokens/s", "vs transformers (no cache)"], rows)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--dir", default="bench-results")
    args = ap.parse_args()
    native, torch, browser = (load(os.path.join(args.dir, f)) for f in ("native.json", "torch.json", "browser.json"))
    summary = {"kernels": [], "steps": []}
    if native is None:
        raise SystemExit(f"no {args.dir}/native.json: run the native benchmark first (scripts/bench.sh)")

    print(f"## Native: {native['adapter']['name']} ({native['adapter']['backend']}, {native['adapter']['device_type']}), "
          f"{native['machine']['cpu']}, {native['date']}")
    if torch:
        print(f"Peer: PyTorch {torch['machine']['torch']} on {torch['machine']['device_type']} "
              f"({torch['machine']['device']}), fp32, TF32 off, {torch['date']}")
    else:
        print(f"(no {args.dir}/torch.json: PyTorch columns empty)")
    print("\n### Kernels on the model's shapes\n")
    print(kernels_table(native, torch, summary["kernels"]))
    print("\n### Training step (forward, backward, clipping, AdamW)\n")
    print(steps_table(native, torch, summary["steps"]))
    compiled_errors = [f"{r['config']}: {r['compiled']['error']}" for r in (torch or {}).get("steps", []) if "error" in r.get("compiled", {})]
    if compiled_errors:
        print("\ntorch.compile did not run: " + "; ".join(compiled_errors))
    mem = native["memory"]
    summary["native_memory_growth_mb"] = mem["growth_mb"]
    print(f"\nNative memory over {mem['steps']} training steps: RSS grew {mem['growth_mb']:+.1f} MB "
          f"(from the first tenth to the end).")

    if browser:
        print(f"\n## Browser: {browser['machine']['browser']}, WebGPU adapter {json.dumps(browser['machine']['adapter'])}, {browser['date']}\n")
    if browser and "training" in browser:
        t = browser["training"]
        x = ratio(t["ours"]["tokens_per_s"], t["tfjs"]["tokens_per_s"])
        summary["browser"] = {"config": t["config"], "batch_size": t["batch_size"], "ours_tokens_per_s": t["ours"]["tokens_per_s"],
                              "tfjs_tokens_per_s": t["tfjs"]["tokens_per_s"], "ratio": x}
        m = t["model"]
        print(table(["config", "model", "ours tokens/s", "TF.js WebGPU tokens/s", "ours/TF.js"], [[
            t["config"], f"L{m['n_layer']} NH{m['n_head']} C{m['n_embd']} T{m['block_size']} B{t['batch_size']}",
            fmt(t["ours"]["tokens_per_s"], 0), fmt(t["tfjs"]["tokens_per_s"], 0), fmt(x)]]))
        print(f"\n(ms per step: ours {fmt(t['ours']['ms'], 1)}, TF.js {fmt(t['tfjs']['ms'], 1)}; "
              f"{t['steps']} steps timed after {t['warmup_steps']} warm-up steps)")
    if browser and browser.get("cpu_training", {}).get("configs"):
        ct = browser["cpu_training"]
        print(f"\n### Browser CPU training: our wasm engine against TF.js's wasm backend (issue 21)\n")
        rows = []
        summary["browser_cpu"] = []
        for c in ct["configs"]:
            if not all(k in c for k in ("ours_1", "tfjs_1", "ours_n", "tfjs_n")):
                continue  # a run of only some of the four (--cpu-runs)
            m, r = c["model"], c["ratios"]
            loads = [x[k] for x in c["rounds"] for k in ("load_before", "load_after")]
            rows.append([c["config"], f"L{m['n_layer']} NH{m['n_head']} C{m['n_embd']} T{m['block_size']} B{c['batch_size']}",
                         fmt(c["ours_1"]["tokens_per_s"], 0), fmt(c["tfjs_1"]["tokens_per_s"], 0), fmt(r["ours_1_vs_tfjs_1"]["median"]),
                         f"{fmt(c['ours_n']['tokens_per_s'], 0)} ({c['ours_n']['threads']})", fmt(r["ours_n_vs_ours_1"]["median"]),
                         f"{fmt(c['tfjs_n']['tokens_per_s'], 0)} ({c['tfjs_n']['threads']})", fmt(r["ours_n_vs_tfjs_n"]["median"]),
                         f"{min(loads):.1f}–{max(loads):.1f}"])
            summary["browser_cpu"].append({"config": c["config"], **{k: c[k]["tokens_per_s"] for k in ("ours_1", "tfjs_1", "ours_n", "tfjs_n")},
                                           **{k: v["median"] for k, v in r.items()}})
        print(table(["config", "model", "ours 1 thread tokens/s", "TF.js wasm 1 thread", "ours/TF.js (≥ 5)",
                     "ours threaded (threads)", "threaded/1 (≥ 1.7)", "TF.js wasm threaded (threads)", "ours/TF.js threaded",
                     "load average"], rows))
        print(f"\n(median step of {ct['steps']} timed steps after {ct['warmup_steps']} warm-up steps; {ct['order']})")
    if browser:
        rows = []
        if "page" in browser:
            rows.append(["first attention heatmap after navigation (median of 3)", f"{fmt(browser['page']['first_heatmap_median_ms'], 0)} ms", "≤ 1000 ms"])
            if "engine_settled_median_ms" in browser["page"]:
                rows.append(["the same, drawn by WebGPU after the hand-over (median of 3)", f"{fmt(browser['page']['engine_settled_median_ms'], 0)} ms", "–"])
        if "wasm" in browser:
            rows.append(["wasm engine, gzipped", f"{browser['wasm']['gzip_bytes'] / 1024:,.0f} KB", "≤ 300 KB"])
        if "memory" in browser:
            bm = browser["memory"]
            rows.append([f"wasm heap growth over {bm['steps']} steps", f"{bm['wasm_growth_mb']:+.1f} MB", "flat"])
            rows.append([f"GPU process RSS growth over {bm['steps']} steps", f"{bm['gpu_process_growth_mb']:+.1f} MB", "flat"])
        if rows:
            print()
            print(table(["page", "measured", "target"], rows))
        summary["page"] = {k: browser.get(k) for k in ("page", "wasm", "memory")}
    else:
        print(f"\n(no {args.dir}/browser.json: browser columns empty)")

    gpt2, gpt2_torch = (load(os.path.join(args.dir, f)) for f in ("gpt2_browser.json", "gpt2_torch.json"))
    if gpt2:
        print(f"\n## GPT-2 small's size (124M parameters, random weights): inference in {gpt2['browser']}, {gpt2['date']}\n")
        summary["gpt2"] = []
        print(gpt2_table(gpt2, gpt2_torch, summary["gpt2"]))

    with open(os.path.join(args.dir, "summary.json"), "w") as f:
        json.dump(summary, f, indent=2)
    print(f"\nwrote {args.dir}/summary.json")


if __name__ == "__main__":
    main()
