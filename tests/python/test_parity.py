"""PyTorch parity: a checkpoint exported by the playground, loaded into the nanoGPT-shaped GPT of
python/gpt.py, gives the same logits, loss, gradients, gradient norm and AdamW step as the
playground's engines on the same batch, for GPT-2's architecture and every variant.

The bundles are written by `cargo run -p playground-tools --bin parity_bundle -- DIR` (scripts/test.sh
does it before this test), one per variant in DIR/<variant>/ (DIR/encoder: a BERT-style encoder trained by masked-LM,
DIR/classifier: an encoder with a [CLS] classifier, DIR/encdec: an encoder-decoder on string reversal, whose
bundle also holds the source `src`; its x is the decoder's input; DIR/encdec_gqa: one with grouped-query attention
and q/k/v biases only): model.safetensors (the checkpoint)
and, per engine, <engine>.safetensors with the batch (x, y), logits, loss, grad.<name>, grad_norm
and after.<name> (parameters after one clipped AdamW step), the hyper-parameters in its metadata.
"""

import json
import os
import sys
import unittest

import torch
from safetensors import safe_open

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "..", "python"))
from gpt import IGNORE, load_checkpoint  # noqa: E402

BUNDLE = os.environ.get("PARITY_BUNDLE", os.path.join(os.path.dirname(__file__), "..", "..", "build", "parity"))

# The variants parity_bundle writes (tools/src/bin/parity_bundle.rs): GPT-2's architecture, each
# choice on its own, all of them together, and a Llama shape (its own FFN width, RoPE base, epsilon).
VARIANTS = ["gpt2", "rmsnorm", "postnorm", "sinusoidal", "rotary", "gelu_tanh", "relu", "swiglu", "untied", "all",
            "gqa", "nobias", "qkvbias", "llama", "llama_shape", "encoder", "classifier", "encdec", "encdec_gqa"]

# float32 on both sides; the engines sum in other orders (tiled matmuls, tree reductions).
# The same tolerances hold for every variant.
TOL = {
    "logits": (2e-5, 1e-4),
    "loss": (1e-5, 1e-5),
    "grad": (2e-6, 1e-3),
    "after": (1e-6, 1e-6),
}


def read(path):
    with safe_open(path, framework="pt") as f:
        return {k: f.get_tensor(k) for k in f.keys()}, dict(f.metadata() or {})


class Report:
    """Collects the largest difference per quantity, printed at the end of each engine's test."""

    def __init__(self, engine):
        self.engine, self.rows = engine, []  # engine: "<variant> <engine>"

    def check(self, test, what, got, want, kind):
        atol, rtol = TOL[kind]
        diff = (got - want).abs()
        self.rows.append((what, diff.max().item()))
        bad = diff > atol + rtol * want.abs()
        test.assertFalse(bad.any().item(), f"{self.engine} {what}: {int(bad.sum())} values differ, max {diff.max().item():.3e}")

    def print(self):
        worst = {}
        for what, d in self.rows:
            key = what.split(".")[0]
            worst[key] = max(worst.get(key, 0.0), d)
        print(f"\n{self.engine} vs PyTorch, max |diff|: " + ", ".join(f"{k} {v:.2e}" for k, v in worst.items()))


class ParityTest(unittest.TestCase):
    def engine_matches_pytorch(self, variant, engine):
        path = os.path.join(BUNDLE, variant, f"{engine}.safetensors")
        self.assertTrue(os.path.exists(path), f"{path} missing: run the parity_bundle tool first")
        model, _, _ = load_checkpoint(os.path.join(BUNDLE, variant, "model.safetensors"))
        t, meta = read(path)
        hp = json.loads(meta["train_config"])
        x, y = t["x"].long(), t["y"].long()
        r = Report(f"{variant} {engine}")
        names = {name for name, _ in model.named_parameters()}
        self.assertEqual(names, {k[len("grad."):] for k in t if k.startswith("grad.")}, "same parameters")
        # masked-LM, the classifier and seq2seq padding leave targets out of the loss (IGNORE)
        self.assertEqual(bool((y == IGNORE).any()), variant in ("encoder", "classifier", "encdec", "encdec_gqa"))

        src = t["src"].long() if "src" in t else None
        logits, loss = model(x, y, src=src)
        r.check(self, "logits", logits.detach(), t["logits"], "logits")
        r.check(self, "loss", loss.detach().reshape(1), t["loss"], "loss")

        loss.backward()
        for name, p in model.named_parameters():
            r.check(self, f"grad.{name}", p.grad, t[f"grad.{name}"], "grad")
        # a tied head: nanoGPT's lm_head.weight is the same parameter as transformer.wte.weight

        # The optimizer step runs on the engine's own gradients. AdamW divides each gradient by
        # its own magnitude, so a gradient that is zero up to rounding (the key bias: softmax
        # ignores a shift shared by all keys) would move its weight by ±lr·g/(|g|+ε) with an
        # arbitrary sign on either side; the gradients themselves are compared above.
        for name, p in model.named_parameters():
            p.grad = t[f"grad.{name}"].clone()
        norm = torch.nn.utils.clip_grad_norm_(model.parameters(), hp["grad_clip"])
        r.check(self, "grad_norm", norm.reshape(1), t["grad_norm"], "loss")

        opt = model.configure_optimizer(float(meta["lr"]), hp["weight_decay"], (hp["beta1"], hp["beta2"]), hp["eps"])
        opt.step()
        for name, p in model.named_parameters():
            r.check(self, f"after.{name}", p.detach(), t[f"after.{name}"], "after")
        r.print()


for _variant in VARIANTS:
    for _engine in ["cpu", "gpu"]:
        setattr(ParityTest, f"test_{_variant}_{_engine}_engine_matches_pytorch",
                lambda self, v=_variant, e=_engine: self.engine_matches_pytorch(v, e))


if __name__ == "__main__":
    unittest.main()
