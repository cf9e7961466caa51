"""The way out: a checkpoint trained by the playground's engine continues training in PyTorch
(python/continue_training.py), on the CPU in one process and with DDP over two processes, and
the loss keeps falling from where the engine left it.

scripts/test.sh first writes build/continue/model.safetensors (trained by `train_model`, the
engine the browser runs, with its final validation loss in the metadata) and data.txt (its
generated training text).
"""

import json
import os
import subprocess
import sys
import unittest

from safetensors import safe_open

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
BUNDLE = os.environ.get("CONTINUE_BUNDLE", os.path.join(ROOT, "build", "continue"))
SCRIPT = os.path.join(ROOT, "python", "continue_training.py")


def run(cmd):
    out = subprocess.run(cmd, capture_output=True, text=True, timeout=600)
    if out.returncode != 0:
        raise AssertionError(f"{' '.join(cmd)} failed:\n{out.stdout}\n{out.stderr}")
    return [json.loads(line) for line in out.stdout.splitlines() if line.startswith("{")]


class ContinueTrainingTest(unittest.TestCase):
    def setUp(self):
        self.model = os.path.join(BUNDLE, "model.safetensors")
        self.data = os.path.join(BUNDLE, "data.txt")
        self.assertTrue(os.path.exists(self.model), f"{self.model} missing: run train_model first")
        with safe_open(self.model, framework="pt") as f:
            self.engine_val = float(f.metadata()["val_loss"])
        self.args = [self.model, "--data", self.data, "--batch-size", "16", "--lr", "1e-3", "--min-lr", "1e-4",
                     "--eval-interval", "20", "--eval-batches", "8", "--device", "cpu"]

    def check_falls(self, log, what):
        first, last = log[0]["val_loss"], log[-1]["val_loss"]
        print(f"\n{what}: engine's val loss {self.engine_val:.4f}; PyTorch starts at {first:.4f}, ends at {last:.4f} after {log[-1]['step']} steps")
        # the same model on the same kind of text: PyTorch's first estimate is the engine's last
        self.assertAlmostEqual(first, self.engine_val, delta=0.1)
        self.assertLess(last, first - 0.02, f"{what}: the loss did not keep falling: {log}")

    def test_one_process_on_cpu_continues_and_writes_a_checkpoint_the_engine_loads(self):
        out = os.path.join(BUNDLE, "continued.safetensors")
        log = run([sys.executable, SCRIPT, *self.args, "--steps", "100", "--out", out])
        self.check_falls(log, "one process")
        with safe_open(out, framework="pt") as f:
            meta = f.metadata()
        self.assertEqual(meta["trained_with"], "pytorch")
        # and the engine's own loader accepts what PyTorch wrote (the way back into the browser)
        check = subprocess.run(["cargo", "run", "-q", "--profile", "test", "-p", "playground-tools", "--bin", "inspect_checkpoint", "--", out],
                               capture_output=True, text=True, cwd=ROOT, timeout=600)
        self.assertEqual(check.returncode, 0, check.stderr)
        self.assertIn("trained_with = pytorch", check.stdout)

    def test_ddp_over_two_processes_continues(self):
        torchrun = os.path.join(os.path.dirname(sys.executable), "torchrun")
        log = run([torchrun, "--standalone", "--nproc_per_node=2", SCRIPT, *self.args, "--steps", "60"])
        self.check_falls(log, "DDP, 2 processes (gloo)")


if __name__ == "__main__":
    unittest.main()
