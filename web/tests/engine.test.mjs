// The wasm engine in a real browser: the same model on WebGPU (SwiftShader) and on the CPU,
// created in one page through the engine worker, gives the same logits and attention.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { setup, maxAbsDiff } from './harness.mjs';

let env;
before(async () => { env = await setup({ webgpu: true }); });
after(async () => { await env?.close(); });

test('WebGPU and CPU engines agree on logits and attention', async () => {
  const page = await env.newPage();
  await page.goto(env.url + 'tests/blank.html');
  const result = await page.evaluate(async () => {
    const { startWorker, createEngine } = await import('/engine/client.js');
    const worker = startWorker();
    const options = { config: { block_size: 32, n_layer: 2, n_head: 4, n_embd: 32 }, seed: 5, vocab: 'abcdefghijklmnopqrstuvwxyz .' };
    const gpu = await createEngine(worker, { ...options, backend: 'webgpu' });
    const cpu = await createEngine(worker, { ...options, backend: 'cpu' });
    const { ids } = await gpu.encode('attention is all you need.');
    const keys = ['logits', 'block1.head3.att'];
    const a = await gpu.forward(ids, keys);
    const b = await cpu.forward(ids, keys);
    return {
      backends: [gpu.backend, cpu.backend],
      adapter: gpu.adapter,
      t: ids.length,
      shape: a.logits.shape,
      logits: [Array.from(a.logits.data), Array.from(b.logits.data)],
      att: [Array.from(a['block1.head3.att'].data), Array.from(b['block1.head3.att'].data)],
    };
  });
  assert.deepEqual(result.backends, ['webgpu', 'cpu']);
  assert.match(result.adapter, /BrowserWebGpu/);
  assert.deepEqual(result.shape, [result.t, 28]);
  const dLogits = maxAbsDiff(result.logits[0], result.logits[1]);
  const dAtt = maxAbsDiff(result.att[0], result.att[1]);
  console.log(`adapter ${result.adapter}: max |logits diff| = ${dLogits.toExponential(2)}, max |att diff| = ${dAtt.toExponential(2)}`);
  assert.ok(dLogits < 1e-4, `logits differ by ${dLogits}`);
  assert.ok(dAtt < 1e-5, `attention differs by ${dAtt}`);
  assert.ok(result.logits[0].some((x) => x !== 0), 'logits are not all zero');
  assert.deepEqual(page.errors, []);
});
