"""Real GPT-2 weights: a Hugging Face GPT2LMHeadModel (a small random-weight config made here,
saved with save_pretrained as safetensors) imported by the playground (playground_core's
gpt2_import, through the gpt2_logits tool) gives the same logits as `transformers` on the CPU
reference engine and on the GPU engine (lavapipe in tests). Also: the importer refuses a file
with a missing tensor, a wrong shape, or a config that is not GPT-2, naming the problem.
"""

import json
import os
import subprocess
import tempfile
import unittest

import torch
from safetensors.torch import load_file, save_file
from transformers import GPT2Config, GPT2LMHeadModel

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
# float32 on both sides; different summation orders (tiled matmuls on the GPU, erf/tanh libm)
ATOL, RTOL = 1e-4, 1e-4
IDS = [0, 17, 299, 42, 256, 5, 128, 64, 1, 200, 33, 250, 7, 99, 150, 3, 280, 12, 44, 63, 2]


def gpt2_logits(directory):
    """Runs the tool; returns (returncode, parsed JSON or None, stderr)."""
    cmd = ["cargo", "run", "--profile", "test", "-q", "-p", "playground-tools", "--bin", "gpt2_logits", "--", directory]
    out = subprocess.run(cmd + [str(i) for i in IDS], capture_output=True, text=True, timeout=900, cwd=ROOT,
                         env={**os.environ, "PLAYGROUND_REQUIRE_GPU": "1"})
    lines = [line for line in out.stdout.splitlines() if line.startswith("{")]
    return out.returncode, (json.loads(lines[-1]) if lines else None), out.stderr


class Gpt2ImportTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        torch.manual_seed(0)
        cls.config = GPT2Config(n_layer=2, n_head=2, n_embd=32, vocab_size=300, n_positions=64, bos_token_id=0, eos_token_id=0)
        model = GPT2LMHeadModel(cls.config).eval()
        # weights far from the initialization, so every nonlinearity works in its curved range
        with torch.no_grad():
            for p in model.parameters():
                p.add_(torch.randn_like(p) * 0.3)
        cls.tmp = tempfile.TemporaryDirectory()
        cls.dir = os.path.join(cls.tmp.name, "gpt2")
        model.save_pretrained(cls.dir, safe_serialization=True)
        with torch.no_grad():
            cls.want = model(torch.tensor([IDS])).logits[0]

    @classmethod
    def tearDownClass(cls):
        cls.tmp.cleanup()

    def variant(self, name, edit_tensors=None, edit_config=None):
        """A copy of the saved model with its tensors or config.json changed."""
        d = os.path.join(self.tmp.name, name)
        os.makedirs(d, exist_ok=True)
        tensors = load_file(os.path.join(self.dir, "model.safetensors"))
        with open(os.path.join(self.dir, "config.json")) as f:
            cfg = json.load(f)
        if edit_tensors:
            edit_tensors(tensors)
        if edit_config:
            edit_config(cfg)
        save_file(tensors, os.path.join(d, "model.safetensors"), metadata={"format": "pt"})
        with open(os.path.join(d, "config.json"), "w") as f:
            json.dump(cfg, f)
        return d

    def test_logits_match_transformers_on_cpu_and_gpu(self):
        code, got, err = gpt2_logits(self.dir)
        self.assertEqual(code, 0, err)
        self.assertEqual((got["t"], got["vocab_size"]), (len(IDS), 300))
        for engine in ("cpu", "gpu"):
            logits = torch.tensor(got[engine]).view(len(IDS), 300)
            diff = (logits - self.want).abs()
            print(f"\nGPT-2 import, {engine} vs transformers: max |logit diff| {diff.max().item():.2e} "
                  f"(logits up to {self.want.abs().max().item():.1f})")
            self.assertTrue(torch.allclose(logits, self.want, atol=ATOL, rtol=RTOL), f"{engine}: max diff {diff.max().item()}")

    def test_without_transformer_prefix(self):
        # the hub's gpt2 files name the tensors h.0..., without "transformer."
        def strip(t):
            for k in list(t):
                if k.startswith("transformer."):
                    t[k[len("transformer."):]] = t.pop(k)
        code, got, err = gpt2_logits(self.variant("bare", edit_tensors=strip))
        self.assertEqual(code, 0, err)
        self.assertTrue(torch.allclose(torch.tensor(got["cpu"]).view(len(IDS), 300), self.want, atol=ATOL, rtol=RTOL))

    def test_refusals_name_the_problem(self):
        cases = [
            ("missing", lambda t: t.pop("transformer.h.1.mlp.c_fc.bias"), None, 'tensor "transformer.h.1.mlp.c_fc.bias" is missing'),
            ("shape", lambda t: t.update({"transformer.h.0.attn.c_proj.weight": torch.zeros(32, 31)}), None,
             'tensor "transformer.h.0.attn.c_proj.weight" has shape [32, 31], expected [32, 32]'),
            ("llama", None, lambda c: c.update(model_type="llama"), 'model_type "llama", not "gpt2"'),
            ("relu", None, lambda c: c.update(activation_function="relu"), 'activation_function "relu"'),
        ]
        for name, tensors, cfg, message in cases:
            code, _, err = gpt2_logits(self.variant(name, tensors, cfg))
            self.assertEqual(code, 2, f"{name}: {err}")
            self.assertIn(message, err, name)


if __name__ == "__main__":
    unittest.main()
