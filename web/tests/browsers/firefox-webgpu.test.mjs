// Firefox ESR's own WebGPU (wgpu on Vulkan; Mesa's lavapipe here), which Firefox on Linux keeps
// switched off: with its two preferences set (FIREFOX_WEBGPU), Explore draws first on the CPU
// engine, hands over to WebGPU, and the trace of typed text has attention rows that sum to 1
// under the causal mask; no console errors. Readers' Firefox on Linux runs the CPU engine
// (suite.mjs); this is the path it takes once Firefox turns WebGPU on.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { ARTIFACTS } from '../harness.mjs';
import { attentionRowProblems } from '../attention-rows.mjs';
import { FIREFOX_WEBGPU } from './drivers.mjs';
import { openExplore, pageErrors, typeText, useBrowser } from './page-steps.mjs';

const env = useBrowser('firefox', { prefs: FIREFOX_WEBGPU });

test('firefox with WebGPU switched on: Explore hands over from the CPU engine to WebGPU and traces typed text', async () => {
  const page = await openExplore(env);
  const info = await page.evaluate(() => ({
    backend: window.playgroundDebug.backend,
    firstBackend: window.playgroundDebug.firstBackend,
    engine: document.querySelector('#engine').textContent,
    settled: window.playgroundDebug.timings.engineSettledMs,
  }));
  console.log(`firefox + WebGPU: ${info.engine} (WebGPU drew at ${info.settled.toFixed(0)} ms)`);
  assert.equal(info.firstBackend, 'cpu', 'the CPU engine draws first');
  assert.equal(info.backend, 'webgpu');
  assert.match(info.engine, /WebGPU/);
  await typeText(page, 'the cat sees the dogs .');
  const rows = await page.evaluate(attentionRowProblems);
  assert.equal(rows.maps, 8, '2 layers × 4 heads');
  assert.deepEqual(rows.out, []);
  await page.evaluate(() => document.querySelector('#attention').scrollIntoView());
  await page.screenshot(join(ARTIFACTS, 'firefox-webgpu-attention.png'));
  assert.deepEqual(await pageErrors(page), []);
  await page.close();
});
