// The Train page's engine choice on a software fallback WebGPU adapter (SwiftShader, where a step
// takes several times as long as on the CPU engine): Auto trains on the CPU engine and the engine
// line says why, before anything starts; choosing WebGPU still trains on WebGPU; a size beyond
// this GPU's limits is refused before Start with the limit's name and number.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { setup, ARTIFACTS } from './harness.mjs';
import { openTrain, trainState, waitTrain } from './train-helpers.mjs';

const TINY = 'page=train&data=grammar&preset=custom&layers=1&heads=2&embd=16&ctx=16&batch=8&lr=0.01&steps=10&seed=1';

let env;
before(async () => { env = await setup({ webgpu: true }); });
after(async () => { await env?.close(); });

test('webgpu (fallback adapter): Auto trains on the CPU engine and says why; an explicit WebGPU stays WebGPU', async () => {
  const page = await env.newPage({ viewport: { width: 1280, height: 900 } });
  page.on('dialog', (d) => d.accept());
  await openTrain(page, env.url, `${TINY}&engine=auto`);
  assert.equal(await page.evaluate(() => navigator.gpu.requestAdapter().then((a) => a.info.isFallbackAdapter)), true, 'SwiftShader is a fallback adapter');
  assert.match(await page.textContent('#tr-engine-line'),
    /^Auto: the CPU engine \(WebAssembly\), because this browser’s WebGPU adapter \(google swiftshader\) is a software fallback, a CPU emulating a GPU, which trains slower\. Choose WebGPU to use it anyway\.$/);
  await page.click('#tr-start');
  await waitTrain(page, { status: 'done' });
  const auto = await trainState(page);
  assert.deepEqual([auto.backend, auto.stats.engine], ['cpu', 'CPU']);
  await page.locator('#tr-engine-line').scrollIntoViewIfNeeded();
  await page.screenshot({ path: join(ARTIFACTS, 'first-use-auto-fallback-1280.png') });

  await page.click('#tr-reset');
  await waitTrain(page, { status: 'idle' });
  await page.selectOption('#tr-engine', 'webgpu');
  assert.match(await page.textContent('#tr-engine-line'), /^WebGPU on google swiftshader, as chosen\. It is a software fallback adapter, which trains slower than the CPU engine\.$/);
  await page.click('#tr-start');
  await waitTrain(page, { status: 'done' });
  const chosen = await trainState(page);
  assert.deepEqual([chosen.backend, chosen.stats.engine], ['webgpu', 'WebGPU']);
  assert.deepEqual(page.errors, []);
  await page.context().close();
});

test('webgpu: a size beyond this GPU’s buffer limit is refused before Start, naming the limit and its number', async () => {
  const page = await env.newPage({ viewport: { width: 1280, height: 900 } });
  await openTrain(page, env.url, 'page=train&data=grammar&preset=custom&layers=12&heads=16&embd=1024&ctx=1024&batch=512&lr=0.001&steps=500&seed=1&engine=webgpu');
  const limit = await page.evaluate(() => navigator.gpu.requestAdapter().then((a) => a.limits.maxStorageBufferBindingSize));
  const shown = `${(limit / 1e9).toFixed(1)} GB`;
  const notices = await page.evaluate(() => [...document.querySelectorAll('#tr-size-notices .notice')].map((n) => n.textContent));
  assert.ok(notices.some((n) => n.startsWith(`Too big for one buffer of this GPU, which holds at most ${shown} (maxStorageBufferBindingSize): `) &&
    n.includes('one layer’s attention weights (B×NH×T×T) 34.4 GB')), notices.join('\n'));
  assert.ok(notices.some((n) => /^Training this model needs about 1,824\.4 GB of memory, more than the \d+ GB of memory this device reports/.test(n)), notices.join('\n'));
  assert.equal(await page.isDisabled('#tr-start'), true);
  await page.screenshot({ path: join(ARTIFACTS, 'first-use-refused-webgpu-1280.png') });
  assert.deepEqual(page.errors, []);
  await page.context().close();
});
