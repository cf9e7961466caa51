// GPT-2 small's size in the browser: inference tokens/s of the playground engine on a
// 124M-parameter GPT-2 with random weights made by `transformers` (tools/bench/gpt2_small.py
// writes the files to build/gpt2-small), loaded as the page loads dropped GPT-2 files, in
// headless Chromium on WebGPU (SwiftShader where there is no GPU) and on the wasm CPU engine.
// Measures: loading (parse, import, upload), one forward pass over PREFILL_T tokens (prefill),
// and greedy generation of NEW_T tokens after a PROMPT_T-token prompt (with the engine's KV
// cache: the prompt runs once, then each new token once).
//   node tools/bench/gpt2_browser.mjs [--dir build/gpt2-small] [--out bench-results/gpt2_browser.json] [--backends webgpu,cpu]
import { mkdir, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { join, dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { setup } from '../../web/tests/harness.mjs';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const args = process.argv.slice(2);
const arg = (name, fallback) => (args.includes(name) ? args[args.indexOf(name) + 1] : fallback);
const DIR = resolve(arg('--dir', join(ROOT, 'build/gpt2-small')));
const OUT = arg('--out', join(ROOT, 'bench-results/gpt2_browser.json'));
const BACKENDS = arg('--backends', 'webgpu,cpu').split(',');
const PREFILL_T = 128;
const PROMPT_T = 16;
const NEW_T = { webgpu: 16, cpu: 16 };

if (!existsSync(join(DIR, 'model.safetensors'))) {
  console.error(`no ${join(DIR, 'model.safetensors')}: run tools/bench/gpt2_small.py first`);
  process.exit(1);
}

/** In the page: loads the files into an engine on `backend`, then times prefill and generation. */
async function measure({ backend, prefillT, promptT, newT }) {
  const { startWorker, loadGpt2Engine } = await import('/engine/client.js');
  const get = async (name) => (await fetch(`/gpt2-small/${name}`)).arrayBuffer();
  const text = async (name) => new TextDecoder().decode(await get(name));
  const t0 = performance.now();
  const weights = new Uint8Array(await get('model.safetensors'));
  const files = { config: await text('config.json'), vocab: await text('vocab.json'), merges: await text('merges.txt') };
  const fetched = performance.now();
  const worker = startWorker();
  const engine = await loadGpt2Engine(worker, { weights, ...files, backend, seed: 1 });
  const loaded = performance.now();
  const story = 'Once upon a time, in a small town by the sea, there lived a girl who loved to read. Every morning she walked to the library, ';
  let ids = await engine.encode(story.repeat(8));
  ids = Array.from(ids.ids ?? ids).slice(0, prefillT);
  const time = async (fn) => { const s = performance.now(); await fn(); return performance.now() - s; };
  await engine.forward(ids.slice(0, promptT), ['logits']); // first use: pipelines, buffers
  const prefill = [];
  for (let i = 0; i < 2; i++) prefill.push(await time(() => engine.forward(ids, ['logits'])));
  let generated = [];
  const generateMs = await time(async () => { generated = await engine.generate(ids.slice(0, promptT), newT, 0, 0, 1); });
  const info = { backend: engine.backend, adapter: engine.adapter ?? null };
  worker.terminate();
  return { ...info, fetch_ms: fetched - t0, load_ms: loaded - fetched, prefill_tokens: ids.length, prefill_ms: Math.min(...prefill),
    prompt_tokens: promptT, new_tokens: generated.length, generate_ms: generateMs };
}

// the browser tests' Chromium (WebGPU on SwiftShader where there is no GPU), serving the files too
const env = await setup({ webgpu: true, mounts: { '/gpt2-small/': DIR } });
const result = { kind: 'gpt2_browser', date: new Date().toISOString().replace(/\.\d+Z$/, 'Z'), browser: `Chromium ${env.browser.version()}`,
  model: 'GPT2Config() defaults: 12 layers, 12 heads, width 768, 50,257 tokens; random weights (transformers, seed 0)', runs: [] };
try {
  for (const backend of BACKENDS) {
    const page = await env.newPage();
    await page.goto(env.url + 'tests/blank.html');
    const run = await page.evaluate(measure, { backend, prefillT: PREFILL_T, promptT: PROMPT_T, newT: NEW_T[backend] });
    run.prefill_tokens_per_s = run.prefill_tokens / run.prefill_ms * 1e3;
    run.generate_tokens_per_s = run.new_tokens / run.generate_ms * 1e3;
    result.runs.push(run);
    console.log(`  ${backend.padEnd(6)} (${run.adapter ?? 'wasm'}): load ${(run.load_ms / 1e3).toFixed(1)} s; prefill ${run.prefill_tokens} tokens in ${run.prefill_ms.toFixed(0)} ms = ${run.prefill_tokens_per_s.toFixed(1)} tokens/s; generate ${run.new_tokens} tokens in ${(run.generate_ms / 1e3).toFixed(1)} s = ${run.generate_tokens_per_s.toFixed(2)} tokens/s`);
    await page.context().close();
  }
} finally {
  await env.close();
}
await mkdir(dirname(OUT), { recursive: true });
await writeFile(OUT, JSON.stringify(result, null, 2));
console.log(`wrote ${OUT}`);
