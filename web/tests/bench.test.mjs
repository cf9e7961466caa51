// Smoke test of the in-browser benchmark's page (tools/bench/browser, driven by `make bench`):
// the TensorFlow.js GPT loads on TF.js's WebGPU backend (SwiftShader here) and one training
// step gives the loss of an untrained model, ln(vocabulary size). The timing is not checked.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { setup, ROOT } from './harness.mjs';
import { benchMounts } from '../../tools/bench/mounts.mjs';

test('the TF.js peer of the benchmark takes a training step on WebGPU', { timeout: 180_000 }, async () => {
  const h = await setup({ mounts: benchMounts(ROOT) });
  try {
    const page = await h.newPage();
    await page.goto(h.url + 'bench/');
    await page.waitForFunction(() => window.bench !== undefined);
    const result = await page.evaluate(async () => {
      const text = window.bench.makeText(4000);
      const config = { block_size: 8, n_layer: 1, n_head: 2, n_embd: 16 };
      return window.bench.tfjs({ config, batch: 2, warmup: 0, steps: 1, text });
    });
    assert.equal(result.backend, 'webgpu');
    assert.equal(result.vocab, 65);
    // weights of std 0.02: the first loss is close to ln(65) = 4.17
    assert.ok(Math.abs(result.loss - Math.log(65)) < 0.1, `first loss ${result.loss}`);
    assert.ok(result.ms > 0);
    assert.deepEqual(page.errors, []);
  } finally {
    await h.close();
  }
});
