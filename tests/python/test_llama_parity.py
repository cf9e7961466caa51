"""A Llama-style model against `transformers`' LlamaForCausalLM: RMSNorm, rotary positions,
SwiGLU, grouped-query attention (6 heads over 2 key/value heads), no biases, an untied head.
A LlamaForCausalLM with random weights is mapped onto the playground's names (q_proj, k_proj and
v_proj stacked into c_attn; gate_proj and up_proj into c_fc), loaded into python/gpt.py's GPT
(strictly: every name and shape), saved as a playground checkpoint, and run by the playground's
CPU reference and GPU engines (the checkpoint_logits tool): all give transformers' logits.
"""

import json
import os
import subprocess
import sys
import tempfile
import unittest

import torch
from transformers import LlamaConfig, LlamaForCausalLM

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
sys.path.insert(0, os.path.join(ROOT, "python"))
from gpt import GPT, NORM_EPS, ROPE_BASE, GPTConfig, save_checkpoint  # noqa: E402

# float32 on both sides; different summation orders (tiled matmuls on the GPU)
ATOL, RTOL = 1e-4, 1e-4
IDS = [0, 17, 29, 42, 5, 3, 11, 48, 1, 20, 33, 7, 12, 44, 2, 39, 8]
V, C, NH, NKV, L, T = 50, 48, 6, 2, 2, 32


def playground_config():
    return GPTConfig(vocab_size=V, block_size=T, n_layer=L, n_head=NH, n_embd=C, norm="rms_norm", positions="rotary",
                     ffn="swi_glu", tie_head=False, n_kv_head=NKV, linear_bias="none")


def mapped(hf):
    """LlamaForCausalLM's weights under the playground's names and layouts."""
    s = hf.state_dict()
    out = {"transformer.wte.weight": s["model.embed_tokens.weight"], "transformer.ln_f.weight": s["model.norm.weight"],
           "lm_head.weight": s["lm_head.weight"]}
    for l in range(L):
        hf_l, ours = f"model.layers.{l}.", f"transformer.h.{l}."
        out[ours + "ln_1.weight"] = s[hf_l + "input_layernorm.weight"]
        out[ours + "attn.c_attn.weight"] = torch.cat([s[hf_l + f"self_attn.{p}_proj.weight"] for p in "qkv"])
        out[ours + "attn.c_proj.weight"] = s[hf_l + "self_attn.o_proj.weight"]
        out[ours + "ln_2.weight"] = s[hf_l + "post_attention_layernorm.weight"]
        out[ours + "mlp.c_fc.weight"] = torch.cat([s[hf_l + "mlp.gate_proj.weight"], s[hf_l + "mlp.up_proj.weight"]])
        out[ours + "mlp.c_proj.weight"] = s[hf_l + "mlp.down_proj.weight"]
    return out


class LlamaParityTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        torch.manual_seed(0)
        ours = playground_config()
        # the same model: RMSNorm's eps and rotary's base as the playground's, its SwiGLU width
        hf_config = LlamaConfig(vocab_size=V, hidden_size=C, intermediate_size=ours.ffn_width(), num_hidden_layers=L,
                                num_attention_heads=NH, num_key_value_heads=NKV, max_position_embeddings=T,
                                rms_norm_eps=NORM_EPS, rope_theta=ROPE_BASE, tie_word_embeddings=False, attention_bias=False,
                                mlp_bias=False, hidden_act="silu")
        cls.hf = LlamaForCausalLM(hf_config).eval()
        # weights far from the initialization, so every nonlinearity works in its curved range
        with torch.no_grad():
            for p in cls.hf.parameters():
                p.add_(torch.randn_like(p) * 0.3)
            cls.want = cls.hf(torch.tensor([IDS])).logits[0]
        cls.model = GPT(ours).eval()
        cls.model.load_state_dict(mapped(cls.hf), strict=True)
        cls.tmp = tempfile.TemporaryDirectory()
        cls.path = os.path.join(cls.tmp.name, "llama.safetensors")
        save_checkpoint(cls.model, [chr(0x100 + i) for i in range(V)], cls.path)

    @classmethod
    def tearDownClass(cls):
        cls.tmp.cleanup()

    def check(self, name, got):
        diff = (got - self.want).abs()
        print(f"\nLlama-style, {name} vs transformers' LlamaForCausalLM: max |logit diff| {diff.max().item():.2e} "
              f"(logits up to {self.want.abs().max().item():.1f})")
        self.assertTrue(torch.allclose(got, self.want, atol=ATOL, rtol=RTOL), f"{name}: max diff {diff.max().item()}")

    def test_the_pytorch_model_matches_transformers(self):
        with torch.no_grad():
            logits, _ = self.model(torch.tensor([IDS]))
        self.check("python/gpt.py", logits[0])

    def test_the_engines_match_transformers(self):
        cmd = ["cargo", "run", "--profile", "test", "-q", "-p", "playground-tools", "--bin", "checkpoint_logits", "--", self.path]
        out = subprocess.run(cmd + [str(i) for i in IDS], capture_output=True, text=True, timeout=900, cwd=ROOT,
                             env={**os.environ, "PLAYGROUND_REQUIRE_GPU": "1"})
        self.assertEqual(out.returncode, 0, out.stderr)
        got = json.loads([line for line in out.stdout.splitlines() if line.startswith("{")][-1])
        self.assertEqual((got["t"], got["vocab_size"]), (len(IDS), V))
        for engine in ("cpu", "gpu"):
            self.check(f"{engine} engine", torch.tensor(got[engine]).view(len(IDS), V))


if __name__ == "__main__":
    unittest.main()
