// The wasm engine in a real browser: the same model on WebGPU (SwiftShader) and on the CPU,
// created in one page through the engine worker, gives the same logits and attention, and
// generates (with its KV cache) the tokens that recomputing the whole context gives.
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
      kernelsFor: [await gpu.kernelsFor(), await cpu.kernelsFor()],
      t: ids.length,
      shape: a.logits.shape,
      logits: [Array.from(a.logits.data), Array.from(b.logits.data)],
      att: [Array.from(a['block1.head3.att'].data), Array.from(b['block1.head3.att'].data)],
    };
  });
  assert.deepEqual(result.backends, ['webgpu', 'cpu']);
  // the name wgpu leaves empty comes from GPUAdapterInfo's vendor and architecture, and a
  // software fallback's kernels keep their emulator shapes
  assert.equal(result.adapter, 'google swiftshader');
  assert.deepEqual(result.kernelsFor, ['a CPU emulating a GPU, the adapter is a software fallback', null]);
  assert.deepEqual(result.shape, [result.t, 28]);
  const dLogits = maxAbsDiff(result.logits[0], result.logits[1]);
  const dAtt = maxAbsDiff(result.att[0], result.att[1]);
  console.log(`adapter ${result.adapter}: max |logits diff| = ${dLogits.toExponential(2)}, max |att diff| = ${dAtt.toExponential(2)}`);
  assert.ok(dLogits < 1e-4, `logits differ by ${dLogits}`);
  assert.ok(dAtt < 1e-5, `attention differs by ${dAtt}`);
  assert.ok(result.logits[0].some((x) => x !== 0), 'logits are not all zero');
  assert.deepEqual(page.errors, []);
});

test('generation with the KV cache draws the tokens of recomputing the context, past the window, on WebGPU and the CPU engine', async () => {
  const page = await env.newPage();
  await page.goto(env.url + 'tests/blank.html');
  const result = await page.evaluate(async () => {
    const { startWorker, createEngine } = await import('/engine/client.js');
    const worker = startWorker();
    const block = 12;
    const options = { config: { block_size: block, n_layer: 2, n_head: 2, n_embd: 16, positions: 'rotary' }, seed: 9, vocab: 'abcdefghij' };
    const out = {};
    for (const backend of ['webgpu', 'cpu']) {
      const engine = await createEngine(worker, { ...options, backend });
      const prompt = [1, 4, 1, 5, 9];
      // 5 + 20 tokens, past the 12-token window, sampled at temperature 1 from a seeded generator
      await engine.setSeed(3);
      const cached = Array.from(await engine.generate(prompt, 20, 1, 0, 1));
      await engine.setSeed(3);
      const ids = [...prompt];
      for (let i = 0; i < 20; i++) { // recomputing the last block tokens for each one
        const logits = (await engine.forward(ids.slice(-block), ['logits'])).logits.data;
        ids.push(await engine.sample(logits.subarray(logits.length - 10), 1, 0, 1));
      }
      out[backend] = { cached, recomputed: ids.slice(prompt.length) };
    }
    return out;
  });
  for (const [backend, r] of Object.entries(result)) {
    console.log(`${backend}: sampled with the cache ${r.cached.join(',')}`);
    assert.equal(r.cached.length, 20);
    assert.ok(new Set(r.cached).size >= 4, 'a varied sample');
    assert.deepEqual(r.cached, r.recomputed, `${backend}: the same tokens with and without the cache`);
  }
  assert.deepEqual(result.webgpu.cached, result.cpu.cached, 'the same tokens on both engines');
  assert.deepEqual(page.errors, []);
});
