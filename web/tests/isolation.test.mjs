// `make serve` sends COOP/COEP, so the playground is cross-origin isolated (what wasm threads
// need): the page must still load, draw and show no error with those headers.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CROSS_ORIGIN_ISOLATION } from '../../scripts/static-server.mjs';
import { setup } from './harness.mjs';

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
