"""Continue training a checkpoint exported from Transformer Playground, in PyTorch.

One process, on the CPU or one GPU:
    python python/continue_training.py model.safetensors --data text.txt --steps 2000 --device cuda
Many GPUs on one machine (DistributedDataParallel; each process takes its own batches):
    torchrun --nproc_per_node=8 python/continue_training.py model.safetensors --data text.txt --steps 2000
The result is written as a checkpoint the browser loads again (--out). Every --eval-interval
steps one JSON line is printed: {"step", "train_loss", "val_loss", "lr"}.
"""

import argparse
import json
import math
import os

import torch
import torch.distributed as dist
from torch.nn.parallel import DistributedDataParallel

from gpt import load_checkpoint, save_checkpoint


def parse_args():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("checkpoint", help="safetensors file exported by the playground")
    p.add_argument("--data", required=True, help="UTF-8 text; every character must be in the checkpoint's vocabulary")
    p.add_argument("--steps", type=int, default=1000)
    p.add_argument("--batch-size", type=int, default=16, help="sequences per step and process")
    p.add_argument("--lr", type=float, default=1e-3)
    p.add_argument("--min-lr", type=float, default=1e-4)
    p.add_argument("--warmup", type=int, default=0, help="warmup steps (0: the checkpoint is already warm)")
    p.add_argument("--weight-decay", type=float, default=0.1)
    p.add_argument("--beta1", type=float, default=0.9)
    p.add_argument("--beta2", type=float, default=0.99)
    p.add_argument("--grad-clip", type=float, default=1.0)
    p.add_argument("--eval-interval", type=int, default=50)
    p.add_argument("--eval-batches", type=int, default=8)
    p.add_argument("--seed", type=int, default=1337)
    p.add_argument("--device", default="cuda" if torch.cuda.is_available() else "cpu")
    p.add_argument("--out", help="where to write the trained checkpoint")
    return p.parse_args()


def lr_at(step, args):
    """The playground's schedule (nanoGPT's get_lr): linear warmup, cosine decay to min_lr."""
    if step < args.warmup:
        return args.lr * (step + 1) / (args.warmup + 1)
    if step >= args.steps:
        return args.min_lr
    ratio = (step - args.warmup) / max(1, args.steps - args.warmup)
    return args.min_lr + 0.5 * (1 + math.cos(math.pi * ratio)) * (args.lr - args.min_lr)


def encode(text, vocab):
    index = {ch: i for i, ch in enumerate(vocab)}
    unknown = sorted({ch for ch in text if ch not in index})
    if unknown:
        raise SystemExit(f"the text has characters outside the checkpoint's vocabulary: {unknown[:10]}")
    return torch.tensor([index[ch] for ch in text], dtype=torch.long)


def get_batch(data, batch_size, block_size, generator, device):
    starts = torch.randint(len(data) - block_size, (batch_size,), generator=generator)
    x = torch.stack([data[s:s + block_size] for s in starts])
    y = torch.stack([data[s + 1:s + block_size + 1] for s in starts])
    return x.to(device), y.to(device)


def main():
    args = parse_args()
    distributed = int(os.environ.get("WORLD_SIZE", "1")) > 1
    rank = 0
    if distributed:
        dist.init_process_group(backend="nccl" if args.device.startswith("cuda") else "gloo")
        rank = dist.get_rank()
        if args.device.startswith("cuda"):
            args.device = f"cuda:{int(os.environ['LOCAL_RANK'])}"
            torch.cuda.set_device(args.device)
    model, vocab, meta = load_checkpoint(args.checkpoint, device=args.device)
    block = model.config.block_size
    with open(args.data, encoding="utf-8") as f:
        ids = encode(f.read(), vocab)
    split = len(ids) - len(ids) // 10  # the playground's split: last 10% validates
    train, val = ids[:split], ids[split:]
    if min(len(train), len(val)) <= block:
        raise SystemExit(f"the text is too short for a context of {block}")
    opt = model.configure_optimizer(args.lr, args.weight_decay, (args.beta1, args.beta2), 1e-8)
    net = DistributedDataParallel(model) if distributed else model
    gen = torch.Generator().manual_seed(args.seed + rank)
    eval_gen = torch.Generator().manual_seed(args.seed)

    @torch.no_grad()
    def estimate(data):
        model.eval()
        losses = [model(*get_batch(data, args.batch_size, block, eval_gen, args.device))[1].item() for _ in range(args.eval_batches)]
        model.train()
        return sum(losses) / len(losses)

    def report(step, train_loss):
        if rank == 0:
            print(json.dumps({"step": step, "train_loss": train_loss, "val_loss": estimate(val), "lr": lr_at(step, args)}), flush=True)

    report(0, estimate(train))
    for step in range(args.steps):
        for group in opt.param_groups:
            group["lr"] = lr_at(step, args)
        x, y = get_batch(train, args.batch_size, block, gen, args.device)
        _, loss = net(x, y)
        opt.zero_grad(set_to_none=True)
        loss.backward()
        if args.grad_clip > 0:
            torch.nn.utils.clip_grad_norm_(model.parameters(), args.grad_clip)
        opt.step()
        if (step + 1) % args.eval_interval == 0 or step + 1 == args.steps:
            report(step + 1, loss.item())
    if rank == 0 and args.out:
        steps_before = int(meta.get("step", "0"))
        save_checkpoint(model, vocab, args.out, {"step": steps_before + args.steps, "trained_with": "pytorch"})
    if distributed:
        dist.destroy_process_group()


if __name__ == "__main__":
    main()
