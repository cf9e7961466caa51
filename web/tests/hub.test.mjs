// Hugging Face models downloaded in the browser (headless Chromium, WebGPU on SwiftShader) from
// a stand-in hub on 127.0.0.1 (hub-server.mjs) serving the checkpoints transformers wrote
// (build/hf-fixtures, made by tests/python/hf_fixtures.py when the Rust tests run): each model
// gives transformers' logits on WebGPU and on the CPU engine; progress is reported; a second
// open comes from Cache Storage without a download; a cancel, a cut-short download and a
// missing repo end in errors that say what happened.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { setup, ROOT, maxAbsDiff } from './harness.mjs';
import { MODELS, startFixtureHub, routeHub } from './hub-fixtures.mjs';

const TIMEOUT = 180_000;

let env;
let hub;
let page;

before(async () => {
  hub = await startFixtureHub({ trickleBytesPerSecond: 20_000 });
  env = await setup({ webgpu: true });
  page = await env.newPage();
  await page.goto(env.url + 'tests/blank.html');
});
after(async () => {
  await env?.close();
  await hub?.close();
});

/** Opens `repo` from the stand-in hub in the page and runs the reference ids through it. */
function openAndRun(repo, { backend, ids, cancelAfterMs = null }) {
  return page.evaluate(async ({ base, backend, ids, cancelAfterMs }) => {
    const { startWorker, openHubModel } = await import('/engine/client.js');
    window.hubWorker ??= startWorker(); // one worker: its GPU device compiles each kernel once
    const worker = window.hubWorker;
    const progress = [];
    const abort = new AbortController();
    if (cancelAfterMs !== null) setTimeout(() => abort.abort(), cancelAfterMs);
    try {
      const engine = await openHubModel(worker, base, { backend, context: 64, signal: abort.signal, onProgress: (p) => progress.push(p) });
      const out = await engine.forward(ids, ['logits']);
      await engine.dispose();
      return { backend: engine.backend, tokenizer: engine.tokenizer, config: engine.config, logits: Array.from(out.logits.data), progress };
    } catch (err) {
      return { error: String(err.message), name: err.name, progress };
    }
  }, { base: hub.url + repo, backend, ids, cancelAfterMs });
}

const reference = (name) => JSON.parse(readFileSync(join(MODELS, name, 'reference.json'), 'utf8'));

test('GPT-2, Llama (BF16, grouped-query), Qwen2 (F16, q/k/v biases) and a sharded Llama give transformers\' logits', { timeout: TIMEOUT }, async () => {
  for (const name of ['gpt2_f32', 'llama_bf16', 'qwen2_f16', 'llama_sharded']) {
    const { ids, logits: rows } = reference(name);
    const want = rows.flat();
    const scale = Math.max(...want.map(Math.abs));
    for (const backend of ['webgpu', 'cpu']) {
      const got = await openAndRun(name, { backend, ids });
      assert.equal(got.error, undefined, `${name} ${backend}: ${got.error}`);
      assert.equal(got.backend, backend);
      assert.equal(got.tokenizer, 'hub');
      const diff = maxAbsDiff(got.logits, want);
      console.log(`${name} ${backend}: max |logit diff| ${diff.toExponential(2)} (logits up to ${scale.toFixed(1)})`);
      assert.ok(diff <= 1e-4 * scale + 1e-4, `${name} ${backend}: max diff ${diff}`);
      // every file reported its progress up to its size
      const last = new Map(got.progress.map((p) => [p.file, p]));
      assert.ok(last.has('config.json') && [...last.keys()].some((f) => f.endsWith('.safetensors')), [...last.keys()].join());
      for (const p of last.values()) assert.equal(p.loaded, p.total, `${name}: ${p.file} ended at ${p.loaded} of ${p.total}`);
    }
  }
  // the optional files a model lacks (tokenizer_config.json, model.safetensors.index.json) answer 404, which the browser logs
  assert.deepEqual(page.errors.filter((e) => !/status of 404/.test(e)), []);
});

test('a second open comes from Cache Storage: nothing is downloaded again', { timeout: TIMEOUT }, async () => {
  const { ids } = reference('qwen2_f16');
  await openAndRun('qwen2_f16', { backend: 'cpu', ids }); // cached by the first test, or now
  const before = hub.requests.length;
  const again = await openAndRun('qwen2_f16', { backend: 'cpu', ids });
  assert.equal(again.error, undefined, again.error);
  assert.ok(again.progress.every((p) => p.cached), 'every file came from the cache');
  assert.equal(hub.requests.length, before, `downloaded again: ${JSON.stringify(hub.requests.slice(before))}`);
  const listed = await page.evaluate(async () => (await import('/engine/hub.js')).cachedHubModels());
  assert.ok(listed.includes(hub.url + 'qwen2_f16'), `cached models: ${listed}`);
});

test('a cancelled, a cut-short and a missing download end in errors that say so', { timeout: TIMEOUT }, async () => {
  const { ids } = reference('llama_sharded');
  const cancelled = await openAndRun('slow/llama_sharded', { backend: 'cpu', ids, cancelAfterMs: 300 });
  assert.equal(cancelled.name, 'AbortError', JSON.stringify(cancelled));
  const cut = await openAndRun('truncated/gpt2_f32', { backend: 'cpu', ids });
  assert.match(cut.error, /config\.json: (only \d+ of its \d+ bytes arrived|the download broke off)/, cut.error);
  const missing = await openAndRun('no-such-model', { backend: 'cpu', ids });
  assert.match(missing.error, /config\.json: the server answered 404/, missing.error);
  // nothing broken was cached
  const listed = await page.evaluate(async () => (await import('/engine/hub.js')).cachedHubModels());
  assert.ok(!listed.some((url) => /truncated|no-such-model/.test(url)), `cached: ${listed}`);
});

test('the page opens the hub model its address names, draws every view and keeps the name in the address', { timeout: TIMEOUT }, async () => {
  for (const [width, height] of [[1280, 900], [390, 844]]) {
    const p = await env.newPage({ viewport: { width, height } });
    await routeHub(p, hub); // the page asks huggingface.co, as it would in use
    await p.goto(env.url + '#model=llama_bf16&layer=1');
    await p.waitForFunction(() => window.playgroundDebug?.tokenizer === 'hub' && window.playgroundDebug.state.text === 'The capital of France is',
      null, { timeout: TIMEOUT });
    // drawn with the hub model: logits over its vocabulary, not the default model's 96 characters
    await p.waitForFunction(() => window.playgroundDebug.trace?.logits?.shape[1] === window.playgroundDebug.config.vocab_size, null, { timeout: TIMEOUT });
    assert.match(await p.evaluate(() => location.hash), /model=llama_bf16/);
    const dbg = await p.evaluate(() => ({ config: window.playgroundDebug.config, ids: Array.from(window.playgroundDebug.input.ids) }));
    assert.equal(dbg.config.n_kv_head, 2);
    assert.equal(dbg.ids[0], 1, 'the Llama tokenizer puts <s> (id 1) first');
    assert.match(await p.locator('#model-notices, #model').allTextContents().then((t) => t.join(' ')), /llama_bf16 from the Hugging Face hub/);
    const drawn = await p.evaluate(() => ['tokens', 'embeddings', 'layernorm', 'head', 'attention', 'ffn', 'residual', 'output']
      .map((v) => [v, document.querySelector(`#view-${v}`)?.querySelectorAll('canvas, .chip, svg').length ?? 0]));
    for (const [v, n] of drawn) assert.ok(n > 0, `view ${v} drew nothing`);
    await p.screenshot({ path: join(ROOT, `test-results/hub-page-${width}.png`) });
    await p.locator('#hub-form').screenshot({ path: join(ROOT, `test-results/hub-form-${width}.png`) });
    assert.deepEqual(p.errors.filter((e) => !/status of 404/.test(e)), []);
    await p.context().close();
  }
});
