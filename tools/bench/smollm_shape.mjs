// A SmolLM2-135M-shaped model (random weights, tools/bench/smollm_shape.py) downloaded from the
// stand-in hub (web/tests/hub-server.mjs) mounted on the page's own origin at /hub/, in headless
// Chromium, on the CPU engine and on WebGPU (SwiftShader where there is no GPU). The page is
// served as `make serve` serves it (cross-origin isolated: the CPU engine's threads), in a
// browser profile on disk: an incognito context's in-memory Cache Storage refuses a 269 MB
// entry ("Unexpected internal error"), and the download fails with it. Two ways in:
//   engine: web/engine/client.js's openHubModel in a blank page, as hub.test.mjs opens models;
//     times the download (Cache Storage emptied first), the load, the first trace with the keys
//     Explore's views ask for (its first heatmaps' data), and greedy generation of NEW_T tokens
//     (the engine's KV cache) after the prompt, cold and then again warm; then the memory the
//     engine worker's counters report (wasm memory, live GPU buffers) and the page's JS heap.
//   explore: Explore opening the model from its address (#model=<base URL>), Cache Storage
//     emptied: navigation → the model's first attention heatmaps drawn (the default model is
//     drawn first, then the hub model downloaded); the same at 390 px wide, from the cache.
//     Full-page screenshots at 1280 and 390 px, with the logit lens, ablation and cost drawn.
//   node tools/bench/smollm_shape.mjs [--dir build/smollm-shape] [--out bench-results/smollm_shape.json]
//     [--backends cpu,webgpu] [--explore 0|1] [--shots DIR]
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join, dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { startServer, CROSS_ORIGIN_ISOLATION } from '../../scripts/static-server.mjs';
import { QUIET, WEBGPU, NO_WEBGPU } from '../../web/tests/browser-flags.mjs';
import { createHubHandler } from '../../web/tests/hub-server.mjs';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const args = process.argv.slice(2);
const arg = (name, fallback) => (args.includes(name) ? args[args.indexOf(name) + 1] : fallback);
const DIR = resolve(arg('--dir', join(ROOT, 'build/smollm-shape')));
const OUT = arg('--out', join(ROOT, 'bench-results/smollm_shape.json'));
const SHOTS = arg('--shots', join(ROOT, 'bench-results'));
const BACKENDS = arg('--backends', 'cpu,webgpu').split(',');
const EXPLORE = arg('--explore', '1') === '1';
const REPO = 'bench/SmolLM2-135M-shape';
const NEW_T = 32;
const TEXT = 'The capital of France is'; // Explore's example for a hub model
const WAIT = 600_000;

if (!existsSync(join(DIR, REPO, 'model.safetensors'))) {
  console.error(`no ${join(DIR, REPO, 'model.safetensors')}: run build/venv/bin/python tools/bench/smollm_shape.py first`);
  process.exit(1);
}

/** In a blank page: opens the model on `backend` and times it (see the header). */
async function engineRun({ base, backend, text, newT }) {
  const { startWorker, openHubModel } = await import('/engine/client.js');
  const { traceKeys } = await import('/trace-data.js');
  const { CACHE_NAME } = await import('/engine/hub.js');
  await caches.delete(CACHE_NAME); // a first visit: everything is downloaded
  const worker = startWorker();
  const totals = new Map();
  let downloaded = 0;
  const t0 = performance.now();
  const engine = await openHubModel(worker, base, {
    backend,
    onProgress: (p) => { totals.set(p.file, p.total ?? p.loaded); downloaded = performance.now(); },
  });
  const loaded = performance.now();
  const keys = traceKeys(engine, 0, 0);
  const answer = await engine.trace(text, { keys, lastRowOf: [engine.steps.logits, engine.steps.probs] });
  const traced = performance.now();
  const prompt = Array.from(answer.ids);
  const time = async (fn) => { const s = performance.now(); const r = await fn(); return [performance.now() - s, r]; };
  const [coldMs, cold] = await time(() => engine.generate(prompt, newT, 0, 0, 1));
  const [warmMs, warm] = await time(() => engine.generate(prompt, newT, 0, 0, 1));
  const counters = await worker.call('counters');
  const result = {
    backend: engine.backend, adapter: engine.adapter ?? null, threads: engine.threads,
    download_bytes: [...totals.values()].reduce((a, b) => a + b, 0),
    download_ms: downloaded - t0, load_ms: loaded - downloaded, first_trace_ms: traced - loaded, to_first_trace_ms: traced - t0,
    trace_keys: keys.length, prompt_tokens: prompt.length,
    generate_cold: { tokens: cold.length, ms: coldMs, tokens_per_s: (1000 * cold.length) / coldMs },
    generate_warm: { tokens: warm.length, ms: warmMs, tokens_per_s: (1000 * warm.length) / warmMs },
    memory: { wasm_bytes: counters.wasmBytes, gpu_live_bytes: counters.gpuBuffers?.live_bytes ?? 0, gpu_live_buffers: counters.gpuBuffers?.live ?? 0,
      page_js_heap_bytes: performance.memory?.usedJSHeapSize ?? null },
  };
  await engine.dispose();
  worker.terminate();
  return result;
}

/** Explore on the model from its address, first visit then from the cache; times and screenshots. */
async function exploreRun(browser, url, backend) {
  const result = { backend_asked: backend, screenshots: [] };
  for (const [width, height] of [[1280, 900], [390, 844]]) {
    const page = await newPage(browser, { width, height });
    if (width === 1280) {
      await page.goto(url + 'tests/blank.html');
      await page.evaluate(async () => caches.delete((await import('/engine/hub.js')).CACHE_NAME));
    }
    await page.goto(url + '#' + new URLSearchParams({ model: `${url}hub/${REPO}`, view: 'attention' }));
    await page.waitForFunction(() => window.playgroundDebug?.config?.vocab_size === 49152
      && Object.keys(window.playgroundDebug.trace ?? {}).some((k) => k.endsWith('.att')), null, { timeout: WAIT, polling: 'raf' });
    const drawn = await page.evaluate(() => new Promise((done) => requestAnimationFrame(() => setTimeout(() => done(performance.now())))));
    const counters = await page.evaluate(() => window.playgroundDebug.counters());
    const info = await page.evaluate(() => ({ backend: window.playgroundDebug.backend, heap: performance.memory?.usedJSHeapSize ?? null }));
    result[width === 1280 ? 'first_visit' : 'from_cache'] = { width, backend: info.backend, navigation_to_first_heatmap_ms: drawn,
      memory: { wasm_bytes: counters?.wasmBytes ?? null, gpu_live_bytes: counters?.gpuBuffers?.live_bytes ?? 0, page_js_heap_bytes: info.heap } };
    assertNoErrors(page);
    await page.evaluate(() => window.playgroundDebug.inspected); // logit lens, ablation and cost draw only once asked
    const path = join(SHOTS, `smollm-shape-explore-${backend}-${width}.png`);
    await page.screenshot({ path, fullPage: true });
    result.screenshots.push(path);
    // what went wrong in those views is recorded (the page shows it where it happened), not fatal to the timings
    result[`errors_${width}`] = page.errors.filter((e) => !/status of 404/.test(e));
    await page.close();
  }
  return result;
}

/** A page of `browser` that records console errors and uncaught exceptions in `page.errors` (as harness.mjs's). */
async function newPage(browser, viewport = { width: 1280, height: 900 }) {
  const page = await browser.newPage();
  await page.setViewportSize(viewport);
  page.errors = [];
  page.on('console', (msg) => { if (msg.type() === 'error') page.errors.push(msg.text()); });
  page.on('pageerror', (err) => page.errors.push(String(err)));
  return page;
}

/** Fails the run on a console error other than the 404s of optional files a model lacks. */
function assertNoErrors(page) {
  const errors = page.errors.filter((e) => !/status of 404/.test(e));
  if (errors.length) throw new Error(`page errors: ${errors.join(' | ')}`);
}

await mkdir(SHOTS, { recursive: true });
const handle = createHubHandler({ root: DIR });
const server = await startServer({ root: join(ROOT, 'web'), headers: CROSS_ORIGIN_ISOLATION,
  mounts: { '/hub/': (req, res, path) => handle('hub', req, res, path) } });
const result = { kind: 'smollm_shape', date: new Date().toISOString().replace(/\.\d+Z$/, 'Z'), load_average_before: loadavg(),
  model: 'SmolLM2-135M shape (LlamaForCausalLM 576/1536, 30 layers, 9 heads, 3 kv heads, 49,152 tokens, tied, BF16), random weights',
  engine: [], explore: [] };
for (const backend of BACKENDS) {
  // WebGPU switched off for the CPU engine, as web/tests/page.cpu does; SwiftShader for WebGPU
  const profile = await mkdtemp(join(tmpdir(), 'smollm-shape-'));
  const browser = await chromium.launchPersistentContext(profile, {
    executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium', args: [...QUIET, ...(backend === 'webgpu' ? WEBGPU : NO_WEBGPU)],
  });
  result.browser ??= `Chromium ${browser.browser()?.version() ?? ''}`.trim();
  try {
    const page = await newPage(browser);
    await page.goto(server.url + 'tests/blank.html');
    const run = await page.evaluate(engineRun, { base: `${server.url}hub/${REPO}`, backend, text: TEXT, newT: NEW_T });
    assertNoErrors(page);
    console.log(`engine ${backend}: ${JSON.stringify(run)}`);
    result.engine.push(run);
    await page.close();
    if (EXPLORE) {
      const explore = await exploreRun(browser, server.url, backend);
      console.log(`explore ${backend}: ${JSON.stringify(explore)}`);
      result.explore.push(explore);
    }
  } finally {
    await browser.close();
    await rm(profile, { recursive: true, force: true });
  }
}
await server.close();
result.load_average_after = loadavg();
await mkdir(dirname(OUT), { recursive: true });
await writeFile(OUT, JSON.stringify(result, null, 2));
console.log(`wrote ${OUT}; load average ${result.load_average_before.map((x) => x.toFixed(2)).join(' ')} before, ${result.load_average_after.map((x) => x.toFixed(2)).join(' ')} after`);
