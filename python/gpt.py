"""A nanoGPT-shaped GPT in PyTorch that loads and saves Transformer Playground checkpoints.

The module and parameter names are nanoGPT's (transformer.wte, transformer.h.{l}.attn.c_attn,
..., lm_head), so a checkpoint exported from the browser loads with load_state_dict(strict=True)
here or into nanoGPT's own GPT. The architecture matches the playground's engine: pre-LayerNorm
blocks, learned positions, causal multi-head attention, exact-erf GELU (or GPT-2's tanh GELU) MLP of width 4C, biases,
a final LayerNorm and an output head tied to the token embedding.
"""

import json
import math
from dataclasses import dataclass

import torch
import torch.nn as nn
import torch.nn.functional as F
from safetensors import safe_open
from safetensors.torch import save_file

FORMAT = "transformer-playground"
FORMAT_VERSION = "1"


@dataclass
class GPTConfig:
    vocab_size: int
    block_size: int
    n_layer: int
    n_head: int
    n_embd: int
    ffn: str = "gelu"  # "gelu" (exact erf) or "gelu_tanh" (GPT-2's tanh approximation)


class CausalSelfAttention(nn.Module):
    def __init__(self, cfg: GPTConfig):
        super().__init__()
        self.n_head = cfg.n_head
        self.c_attn = nn.Linear(cfg.n_embd, 3 * cfg.n_embd)  # Q, K, V side by side
        self.c_proj = nn.Linear(cfg.n_embd, cfg.n_embd)

    def forward(self, x):
        B, T, C = x.shape
        q, k, v = self.c_attn(x).split(C, dim=2)
        # (B, T, C) -> (B, NH, T, HS)
        q, k, v = (z.view(B, T, self.n_head, C // self.n_head).transpose(1, 2) for z in (q, k, v))
        att = (q @ k.transpose(-2, -1)) / math.sqrt(k.size(-1))
        mask = torch.ones(T, T, dtype=torch.bool, device=x.device).tril()
        att = att.masked_fill(~mask, float("-inf")).softmax(dim=-1)
        y = (att @ v).transpose(1, 2).contiguous().view(B, T, C)
        return self.c_proj(y)


class MLP(nn.Module):
    def __init__(self, cfg: GPTConfig):
        super().__init__()
        self.c_fc = nn.Linear(cfg.n_embd, 4 * cfg.n_embd)
        # exact erf form by default; GPT-2's tanh approximation when the config says gelu_tanh
        self.gelu = nn.GELU(approximate="tanh" if cfg.ffn == "gelu_tanh" else "none")
        self.c_proj = nn.Linear(4 * cfg.n_embd, cfg.n_embd)

    def forward(self, x):
        return self.c_proj(self.gelu(self.c_fc(x)))


class Block(nn.Module):
    def __init__(self, cfg: GPTConfig):
        super().__init__()
        self.ln_1 = nn.LayerNorm(cfg.n_embd)
        self.attn = CausalSelfAttention(cfg)
        self.ln_2 = nn.LayerNorm(cfg.n_embd)
        self.mlp = MLP(cfg)

    def forward(self, x):
        x = x + self.attn(self.ln_1(x))
        return x + self.mlp(self.ln_2(x))


class GPT(nn.Module):
    def __init__(self, cfg: GPTConfig):
        super().__init__()
        self.config = cfg
        self.transformer = nn.ModuleDict(dict(
            wte=nn.Embedding(cfg.vocab_size, cfg.n_embd),
            wpe=nn.Embedding(cfg.block_size, cfg.n_embd),
            h=nn.ModuleList(Block(cfg) for _ in range(cfg.n_layer)),
            ln_f=nn.LayerNorm(cfg.n_embd),
        ))
        self.lm_head = nn.Linear(cfg.n_embd, cfg.vocab_size, bias=False)
        self.transformer.wte.weight = self.lm_head.weight  # tied, as in nanoGPT

    def forward(self, idx, targets=None):
        """Logits (B, T, V) and, with targets, the mean cross-entropy."""
        B, T = idx.shape
        pos = torch.arange(T, device=idx.device)
        x = self.transformer.wte(idx) + self.transformer.wpe(pos)
        for block in self.transformer.h:
            x = block(x)
        logits = self.lm_head(self.transformer.ln_f(x))
        loss = None if targets is None else F.cross_entropy(logits.view(-1, logits.size(-1)), targets.view(-1))
        return logits, loss

    def configure_optimizer(self, lr, weight_decay, betas, eps):
        """AdamW with weight decay on matrices and embeddings only (nanoGPT's rule: dim >= 2)."""
        params = [p for p in self.parameters() if p.requires_grad]
        decay = [p for p in params if p.dim() >= 2]
        no_decay = [p for p in params if p.dim() < 2]
        groups = [{"params": decay, "weight_decay": weight_decay}, {"params": no_decay, "weight_decay": 0.0}]
        return torch.optim.AdamW(groups, lr=lr, betas=betas, eps=eps)


def load_checkpoint(path, device="cpu"):
    """Returns (model, vocab, metadata) from a playground safetensors file."""
    with safe_open(path, framework="pt", device=device) as f:
        meta = dict(f.metadata() or {})
        state = {name: f.get_tensor(name) for name in f.keys()}
    if meta.get("format") != FORMAT:
        raise ValueError(f"{path} is not a Transformer Playground checkpoint (format={meta.get('format')!r})")
    if meta.get("format_version") != FORMAT_VERSION:
        raise ValueError(f"{path} has format version {meta.get('format_version')}, this script reads {FORMAT_VERSION}")
    cfg = GPTConfig(**json.loads(meta["config"]))
    vocab = json.loads(meta["vocab"])
    model = GPT(cfg).to(device)
    model.load_state_dict(state, strict=True)
    return model, vocab, meta


def save_checkpoint(model, vocab, path, metadata=None):
    """Writes a file the browser can load again (the tied head is stored twice, as a copy)."""
    cfg = model.config
    meta = {k: str(v) for k, v in (metadata or {}).items()}
    meta.update(format=FORMAT, format_version=FORMAT_VERSION, vocab=json.dumps(vocab, ensure_ascii=False),
                config=json.dumps(dict(vocab_size=cfg.vocab_size, block_size=cfg.block_size, n_layer=cfg.n_layer,
                                       n_head=cfg.n_head, n_embd=cfg.n_embd,
                                       **({} if cfg.ffn == "gelu" else dict(ffn=cfg.ffn)))))
    tensors = {k: v.detach().to("cpu", torch.float32).contiguous().clone() for k, v in model.state_dict().items()}
    save_file(tensors, path, metadata=meta)
