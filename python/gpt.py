"""A nanoGPT-shaped GPT in PyTorch that loads and saves Transformer Playground checkpoints.

The module and parameter names are nanoGPT's (transformer.wte, transformer.h.{l}.attn.c_attn,
..., lm_head), so a checkpoint exported from the browser loads with load_state_dict(strict=True)
here or into nanoGPT's own GPT. The architecture matches the playground's engine: by default
(GPT-2's choices) pre-LayerNorm blocks, learned positions, causal multi-head attention, exact-erf
GELU MLP of width 4C, biases, a final LayerNorm and an output head tied to the token embedding.

The checkpoint's config may choose variants, built here exactly as the engine computes them:
  norm: "rms_norm"           RMSNorm (weight only, eps 1e-5) in place of every LayerNorm
  norm_position: "post"      x = norm(x + f(x)) for both sublayers (ln_f kept)
  positions: "sinusoidal"    the fixed sin/cos table (no wpe), computed in float64, rounded once
  positions: "rotary"        RoPE on q and k of each head, rotate-half pairs (i, i + HS/2)
  ffn: "gelu_tanh"           GPT-2's tanh approximation of GELU, width 4C
  ffn: "relu"                ReLU MLP of width 4C
  ffn: "swi_glu"             c_fc (2H, C) holds gate rows then up rows, H = ceil(8C/3) rounded up
                             to a multiple of 8; out = c_proj(silu(gate) * up)
  tie_head: false            lm_head.weight is its own parameter
  n_kv_head: K               grouped-query attention: c_attn (C + 2·K·HS, C) holds Q (NH heads), then K
                             and V (K heads each); query head h reads key/value head h // (NH / K)
  linear_bias: "none"        no bias in the blocks' Linear layers (Llama); "qkv_only": only c_attn's
                             (and cross-attention's c_q, c_kv) (Qwen2)
  ffn_hidden: H              the MLP's hidden width, where not the default above
  rope_theta: θ              RoPE's base (default 10000)
  norm_eps: ε                every norm's epsilon (default 1e-5)

The encoder family (config "family": "encoder") is the same stack with bidirectional attention,
trained by masked-LM (targets IGNORE except at the masked positions); with "n_classes" it also has
BERT's `classifier` (a Linear on the final hidden state, without BERT's pooler) whose loss at the
[CLS] position replaces the masked-LM loss.

The encoder-decoder family ("family": "encoder_decoder", the original Transformer) has an
encoder of n_layer bidirectional blocks (transformer.h, then transformer.ln_e) over the source
and a decoder of n_layer blocks (transformer.dec) over the target: causal self-attention
(ln_1, attn), cross-attention (ln_x, cross: queries c_q from the decoder stream, keys and values
c_kv from the encoder's output, c_proj), then the MLP (ln_2, mlp), each sublayer pre- or
post-norm; transformer.ln_f and the head as above. The embedding (and its positions) is shared by
both streams; rotary positions turn q and k in self-attention only. forward(dec_in, targets, src).
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


ROPE_BASE = 10000.0
NORM_EPS = 1e-5


@dataclass
class GPTConfig:
    vocab_size: int
    block_size: int
    n_layer: int
    n_head: int
    n_embd: int
    family: str = "decoder"
    norm: str = "layer_norm"
    norm_position: str = "pre"
    positions: str = "learned"
    ffn: str = "gelu"
    tie_head: bool = True
    n_classes: int = 0
    n_kv_head: int = None
    linear_bias: str = "all"
    ffn_hidden: int = None  # H where it is not the default below
    rope_theta: float = ROPE_BASE
    norm_eps: float = NORM_EPS

    def kv_heads(self):
        """Key/value heads: n_kv_head, or one per head."""
        return self.n_kv_head or self.n_head

    def bias(self, qkv):
        """Whether a Linear layer of the blocks has a bias: the projections of queries, keys
        and values (`qkv`), or the others."""
        return self.linear_bias == "all" or (qkv and self.linear_bias == "qkv_only")

    def ffn_width(self):
        """H: the MLP's hidden width after its activation (see ModelConfig::ffn_width)."""
        if self.ffn_hidden is not None:
            return self.ffn_hidden
        if self.ffn == "swi_glu":
            h = -(-8 * self.n_embd // 3)
            return -(-h // 8) * 8
        return 4 * self.n_embd

    def to_json(self):
        """Only the fields that differ from GPT-2's defaults, as the engine writes them."""
        out = dict(vocab_size=self.vocab_size, block_size=self.block_size, n_layer=self.n_layer,
                   n_head=self.n_head, n_embd=self.n_embd)
        for name, default in [("family", "decoder"), ("norm", "layer_norm"), ("norm_position", "pre"),
                              ("positions", "learned"), ("ffn", "gelu"), ("tie_head", True), ("n_classes", 0),
                              ("n_kv_head", None), ("linear_bias", "all"),
                              ("ffn_hidden", None), ("rope_theta", ROPE_BASE), ("norm_eps", NORM_EPS)]:
            if getattr(self, name) != default:
                out[name] = getattr(self, name)
        return out


class RMSNorm(nn.Module):
    """x / sqrt(mean(x^2) + eps) * weight, no bias (the engine's cpu/rmsnorm.rs)."""

    def __init__(self, n, eps=NORM_EPS):
        super().__init__()
        self.weight = nn.Parameter(torch.ones(n))
        self.eps = eps

    def forward(self, x):
        return x * torch.rsqrt(x.pow(2).mean(-1, keepdim=True) + self.eps) * self.weight


def make_norm(cfg):
    return RMSNorm(cfg.n_embd, cfg.norm_eps) if cfg.norm == "rms_norm" else nn.LayerNorm(cfg.n_embd, eps=cfg.norm_eps)


def sinusoidal_table(t, c):
    """(T, C): PE[p, 2i] = sin(p / 10000^(2i/C)), PE[p, 2i+1] = cos(...), float64 rounded once."""
    pos = torch.arange(t, dtype=torch.float64)[:, None]
    i = (torch.arange(c) // 2).to(torch.float64)
    angle = pos / ROPE_BASE ** (2 * i / c)
    table = torch.where(torch.arange(c) % 2 == 0, angle.sin(), angle.cos())
    return table.to(torch.float32)


def rope_table(t, hs, theta=ROPE_BASE):
    """cos and sin (T, HS/2) of the angle p * theta^(-2i/HS), float64 rounded once."""
    pos = torch.arange(t, dtype=torch.float64)[:, None]
    i = torch.arange(hs // 2, dtype=torch.float64)
    angle = pos * theta ** (-2 * i / hs)
    return angle.cos().to(torch.float32), angle.sin().to(torch.float32)


def apply_rope(x, cos, sin):
    """x (B, NH, T, HS): each pair (i, i + HS/2) turned by the angle of its position."""
    half = x.size(-1) // 2
    x1, x2 = x[..., :half], x[..., half:]
    return torch.cat([x1 * cos - x2 * sin, x2 * cos + x1 * sin], dim=-1)


# The playground's IGNORE target (u32::MAX), as the int32 the parity bundle stores: outside the loss.
IGNORE = -1


def heads(z, n):
    """(B, T, n·HS) -> (B, n, T, HS)."""
    B, T, width = z.shape
    return z.view(B, T, n, width // n).transpose(1, 2)


def shared(kv, n_head):
    """Each of the key/value heads of kv (B, NKV, T, HS) repeated for the query heads that read it."""
    return kv.repeat_interleave(n_head // kv.size(1), dim=1)


class CausalSelfAttention(nn.Module):
    def __init__(self, cfg: GPTConfig, causal=None):
        super().__init__()
        self.n_head, self.n_kv_head = cfg.n_head, cfg.kv_heads()
        self.kvc = self.n_kv_head * (cfg.n_embd // cfg.n_head)
        self.rotary = cfg.positions == "rotary"
        self.rope_theta = cfg.rope_theta
        self.causal = cfg.family != "encoder" if causal is None else causal
        # Q, K, V side by side
        self.c_attn = nn.Linear(cfg.n_embd, cfg.n_embd + 2 * self.kvc, bias=cfg.bias(qkv=True))
        self.c_proj = nn.Linear(cfg.n_embd, cfg.n_embd, bias=cfg.bias(qkv=False))

    def forward(self, x):
        B, T, C = x.shape
        q, k, v = self.c_attn(x).split([C, self.kvc, self.kvc], dim=2)
        # (B, T, width) -> (B, heads, T, HS)
        q, k, v = heads(q, self.n_head), heads(k, self.n_kv_head), heads(v, self.n_kv_head)
        if self.rotary:
            cos, sin = (z.to(x.device) for z in rope_table(T, C // self.n_head, self.rope_theta))
            q, k = apply_rope(q, cos, sin), apply_rope(k, cos, sin)
        k, v = shared(k, self.n_head), shared(v, self.n_head)
        att = (q @ k.transpose(-2, -1)) / math.sqrt(k.size(-1))
        if self.causal:
            mask = torch.ones(T, T, dtype=torch.bool, device=x.device).tril()
            att = att.masked_fill(~mask, float("-inf"))
        att = att.softmax(dim=-1)
        y = (att @ v).transpose(1, 2).contiguous().view(B, T, C)
        return self.c_proj(y)


class CrossAttention(nn.Module):
    """Queries from the decoder stream x, keys and values from the encoder's output mem; every
    target position sees every source position (no mask, no rotation)."""

    def __init__(self, cfg: GPTConfig):
        super().__init__()
        self.n_head, self.n_kv_head = cfg.n_head, cfg.kv_heads()
        self.kvc = self.n_kv_head * (cfg.n_embd // cfg.n_head)
        self.c_q = nn.Linear(cfg.n_embd, cfg.n_embd, bias=cfg.bias(qkv=True))
        self.c_kv = nn.Linear(cfg.n_embd, 2 * self.kvc, bias=cfg.bias(qkv=True))  # K rows, then V rows
        self.c_proj = nn.Linear(cfg.n_embd, cfg.n_embd, bias=cfg.bias(qkv=False))

    def forward(self, x, mem):
        B, T, C = x.shape
        k, v = self.c_kv(mem).split(self.kvc, dim=2)
        q, k, v = heads(self.c_q(x), self.n_head), heads(k, self.n_kv_head), heads(v, self.n_kv_head)
        k, v = shared(k, self.n_head), shared(v, self.n_head)
        att = ((q @ k.transpose(-2, -1)) / math.sqrt(k.size(-1))).softmax(dim=-1)
        return self.c_proj((att @ v).transpose(1, 2).contiguous().view(B, T, C))


class MLP(nn.Module):
    def __init__(self, cfg: GPTConfig):
        super().__init__()
        h = cfg.ffn_width()
        self.swiglu = cfg.ffn == "swi_glu"
        # SwiGLU: gate rows, then up rows
        self.c_fc = nn.Linear(cfg.n_embd, 2 * h if self.swiglu else h, bias=cfg.bias(qkv=False))
        # exact erf GELU, as the engine computes it, or ReLU
        self.act = {"relu": nn.ReLU(), "gelu_tanh": nn.GELU(approximate="tanh")}.get(cfg.ffn, nn.GELU())
        self.c_proj = nn.Linear(h, cfg.n_embd, bias=cfg.bias(qkv=False))

    def forward(self, x):
        if self.swiglu:
            gate, up = self.c_fc(x).chunk(2, dim=-1)
            return self.c_proj(F.silu(gate) * up)
        return self.c_proj(self.act(self.c_fc(x)))


class Block(nn.Module):
    """Self-attention and MLP; with cross=True (the encoder-decoder's decoder) cross-attention
    to the encoder's output between them."""

    def __init__(self, cfg: GPTConfig, causal=None, cross=False):
        super().__init__()
        self.post = cfg.norm_position == "post"
        self.ln_1 = make_norm(cfg)
        self.attn = CausalSelfAttention(cfg, causal)
        if cross:
            self.ln_x = make_norm(cfg)
            self.cross = CrossAttention(cfg)
        self.ln_2 = make_norm(cfg)
        self.mlp = MLP(cfg)

    def sub(self, x, norm, f):
        """x + f(norm(x)) (pre-norm) or norm(x + f(x)) (post-norm)."""
        return norm(x + f(x)) if self.post else x + f(norm(x))

    def forward(self, x, mem=None):
        x = self.sub(x, self.ln_1, self.attn)
        if mem is not None:
            x = self.sub(x, self.ln_x, lambda y: self.cross(y, mem))
        return self.sub(x, self.ln_2, self.mlp)


class GPT(nn.Module):
    def __init__(self, cfg: GPTConfig):
        super().__init__()
        self.config = cfg
        encdec = cfg.family == "encoder_decoder"
        modules = dict(
            wte=nn.Embedding(cfg.vocab_size, cfg.n_embd),
            h=nn.ModuleList(Block(cfg, causal=False if encdec else None) for _ in range(cfg.n_layer)),
            ln_f=make_norm(cfg),
        )
        if encdec:
            modules["ln_e"] = make_norm(cfg)
            modules["dec"] = nn.ModuleList(Block(cfg, causal=True, cross=True) for _ in range(cfg.n_layer))
        if cfg.positions == "learned":
            modules["wpe"] = nn.Embedding(cfg.block_size, cfg.n_embd)
        self.transformer = nn.ModuleDict(modules)
        self.lm_head = nn.Linear(cfg.n_embd, cfg.vocab_size, bias=False)
        if cfg.tie_head:
            self.transformer.wte.weight = self.lm_head.weight  # tied, as in nanoGPT
        if cfg.n_classes:
            self.classifier = nn.Linear(cfg.n_embd, cfg.n_classes)

    def embed(self, idx):
        """Token embeddings plus learned or sinusoidal positions (B, T, C)."""
        T = idx.shape[1]
        x = self.transformer.wte(idx)
        if self.config.positions == "learned":
            x = x + self.transformer.wpe(torch.arange(T, device=idx.device))
        elif self.config.positions == "sinusoidal":
            x = x + sinusoidal_table(T, self.config.n_embd).to(idx.device)
        return x

    def forward(self, idx, targets=None, src=None):
        """Logits (B, T, V) and, with targets, the mean cross-entropy over the targets that are
        not IGNORE (masked-LM); with a [CLS] classifier, its cross-entropy instead (the label
        at position 0 of each row, IGNORE elsewhere). An encoder-decoder reads the source
        `src` (B, T) and the decoder input `idx` (BOS, the target shifted right)."""
        x = self.embed(src if src is not None else idx)
        for block in self.transformer.h:
            x = block(x)
        if src is not None:
            mem = self.transformer.ln_e(x)
            x = self.embed(idx)
            for block in self.transformer.dec:
                x = block(x, mem)
        h = self.transformer.ln_f(x)
        logits = self.lm_head(h)
        scored = self.classifier(h) if self.config.n_classes else logits
        loss = None if targets is None else F.cross_entropy(scored.view(-1, scored.size(-1)), targets.view(-1), ignore_index=IGNORE)
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
    if cfg.family not in ("decoder", "encoder", "encoder_decoder"):
        raise ValueError(f"{path}: unknown family {cfg.family!r}")
    vocab = json.loads(meta["vocab"])
    model = GPT(cfg).to(device)
    if cfg.tie_head and "lm_head.weight" not in state:
        state["lm_head.weight"] = state["transformer.wte.weight"]
    model.load_state_dict(state, strict=True)
    return model, vocab, meta


def save_checkpoint(model, vocab, path, metadata=None):
    """Writes a file the browser can load again (a tied head is stored twice, as a copy)."""
    cfg = model.config
    meta = {k: str(v) for k, v in (metadata or {}).items()}
    meta.update(format=FORMAT, format_version=FORMAT_VERSION, vocab=json.dumps(vocab, ensure_ascii=False),
                config=json.dumps(cfg.to_json()))
    tensors = {k: v.detach().to("cpu", torch.float32).contiguous().clone() for k, v in model.state_dict().items()}
    save_file(tensors, path, metadata=meta)
