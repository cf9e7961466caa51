// `make serve` sends COOP/COEP, so the playground is cross-origin isolated, and the engine
// worker loads the threaded wasm (rayon's pool of Web Workers): the page must load and draw with
// those headers, WebGPU must still work in the threaded build, and without the headers the
// worker must take the single-threaded build and say why.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CROSS_ORIGIN_ISOLATION } from '../../scripts/static-server.mjs';
import { setup } from './harness.mjs';

/** Both engines of one worker on a small model: backends, threads and the logits of one text. */
function twoEngines() {
  return async () => {
    const { startWorker, createEngine } = await import('/engine/client.js');
    const worker = startWorker();
    const options = { config: { block_size: 32, n_layer: 2, n_head: 4, n_embd: 32 }, seed: 5, vocab: 'abcdefghijklmnopqrstuvwxyz .' };
    const gpu = await createEngine(worker, { ...options, backend: 'webgpu' });
    const cpu = await createEngine(worker, { ...options, backend: 'cpu' });
    const { ids } = await cpu.encode('threads for the cpu engine.');
    const [a, b] = [await gpu.forward(ids, ['logits']), await cpu.forward(ids, ['logits'])];
    const diff = Math.max(...a.logits.data.map((x, i) => Math.abs(x - b.logits.data[i])));
    return { backends: [gpu.backend, cpu.backend], threads: cpu.threads, reason: cpu.threadsReason, cores: navigator.hardwareConcurrency,
      isolated: globalThis.crossOriginIsolated, diff };
  };
}

test('cpu: served as make serve serves it, the page is cross-origin isolated and draws its views', async () => {
  const env = await setup({ webgpu: false, headers: CROSS_ORIGIN_ISOLATION });
  try {
    const page = await env.newPage();
    await page.goto(env.url + 'index.html');
    await page.waitForFunction(() => window.playgroundDebug?.timings.firstHeatmapMs > 0, null, { timeout: 60_000 });
    const state = await page.evaluate(() => ({ isolated: globalThis.crossOriginIsolated, shared: typeof SharedArrayBuffer }));
    assert.deepEqual(state, { isolated: true, shared: 'function' });
    assert.deepEqual(page.errors, []);
  } finally {
    await env.close();
  }
});

test('isolated: the threaded wasm runs a pool of every core, and WebGPU and the CPU engine still agree', async () => {
  const env = await setup({ webgpu: true, headers: CROSS_ORIGIN_ISOLATION });
  try {
    const page = await env.newPage();
    await page.goto(env.url + 'tests/blank.html');
    const r = await page.evaluate(twoEngines());
    console.log(`isolated: ${r.threads} threads of ${r.cores} cores, max |logits diff| WebGPU vs CPU = ${r.diff.toExponential(2)}`);
    assert.equal(r.isolated, true);
    assert.deepEqual(r.backends, ['webgpu', 'cpu']);
    assert.equal(r.threads, r.cores);
    assert.equal(r.reason, null);
    assert.ok(r.diff < 1e-4, `logits differ by ${r.diff}`);
    assert.deepEqual(page.errors, []);
  } finally {
    await env.close();
  }
});

test('not isolated: the worker takes the single-threaded wasm and says why', async () => {
  const env = await setup({ webgpu: true });
  try {
    const page = await env.newPage();
    await page.goto(env.url + 'tests/blank.html');
    const r = await page.evaluate(twoEngines());
    assert.equal(r.isolated, false);
    assert.deepEqual(r.backends, ['webgpu', 'cpu']);
    assert.equal(r.threads, 1);
    assert.match(r.reason, /not cross-origin isolated/);
    assert.ok(r.diff < 1e-4, `logits differ by ${r.diff}`);
    assert.deepEqual(page.errors, []);
  } finally {
    await env.close();
  }
});
