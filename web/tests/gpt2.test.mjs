// Real GPT-2 files in the page (headless Chromium, WebGPU on SwiftShader): Hugging Face files
// chosen with the "Open GPT-2 files" input (a GPT-2 with GPT-2's 50,257-token vocabulary and
// tiny sizes, made by gpt2-files.mjs) replace the model; the tokens of a varied text are
// exactly tiktoken's GPT-2 ids; every view draws; every traced value equals the CPU engine's
// on the same files; and files that are not a GPT-2 are refused with the reason on the page.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { Tiktoken } from 'js-tiktoken/lite';
import gpt2 from 'js-tiktoken/ranks/gpt2';
import { setup, waitForViews } from './harness.mjs';
import { tinyGpt2Files } from './gpt2-files.mjs';

const TIMEOUT = 120_000;
// whitespace runs, digits, contractions, accents, CJK, an emoji with a joiner, a newline
const VARIED = "Hello  world's 12345 café\tnaïve 東京 👩‍💻 ok!\n  end";
const ATOL = 2e-4; // WebGPU on SwiftShader vs the CPU engine, as in the page suite

let env;
let page;

before(async () => {
  env = await setup({ webgpu: true });
  page = await env.newPage({ viewport: { width: 1280, height: 900 } });
});
after(async () => { await env?.close(); });

/** Waits until the page has rendered `text` with the current model. */
async function show(text) {
  await page.fill('#text', text);
  await waitForViews(page, { text, timeout: TIMEOUT });
}

test('GPT-2 files open in the page: tiktoken ids, every view, values equal to the CPU engine', async () => {
  await page.goto(env.url);
  await page.waitForFunction(() => window.playgroundDebug?.timings.engineSettledMs > 0, null, { timeout: TIMEOUT });
  const files = tinyGpt2Files();
  await page.setInputFiles('#gpt2-files', files);
  await waitForViews(page, { tokenizer: 'gpt2', timeout: TIMEOUT }); // GPT-2's own draw (the toy model's came before)
  assert.match(await page.locator('#model-notices').textContent(), /GPT-2 weights from model\.safetensors/);
  await show(VARIED);

  const dbg = await page.evaluate(() => ({
    ids: Array.from(window.playgroundDebug.input.ids),
    config: window.playgroundDebug.config,
    backend: window.playgroundDebug.backend,
    tokens: [...document.querySelectorAll('#view-tokens .chips:not(.chips-small) .chip-char')].map((e) => e.textContent),
  }));
  const want = new Tiktoken(gpt2).encode(VARIED);
  assert.deepEqual(dbg.ids, want, 'the page encodes as tiktoken does for GPT-2');
  assert.equal(dbg.config.vocab_size, 50257);
  assert.equal(dbg.backend, 'webgpu');
  assert.ok(dbg.tokens.some((t) => t.startsWith('␣')) && !dbg.tokens.some((t) => t.includes('Ġ')), `a space shows as ␣, not Ġ: ${dbg.tokens.slice(0, 6)}`);
  const intro = await page.locator('#view-tokens .view-intro').textContent();
  assert.match(intro, /byte-level BPE/, 'the Tokens view explains BPE, not characters');
  assert.match(intro, /V = 50,257 tokens/);

  // every view drew: the heatmaps of each section are on the page
  const drawn = await page.evaluate(() => ['tokens', 'embeddings', 'layernorm', 'head', 'attention', 'ffn', 'residual', 'output']
    .map((v) => [v, document.querySelector(`#view-${v}`)?.querySelectorAll('canvas, .chip, svg').length ?? 0]));
  for (const [v, n] of drawn) assert.ok(n > 0, `view ${v} drew nothing`);

  const payload = files.map((f) => ({ name: f.name, bytes: Array.from(f.buffer) }));
  const diffs = await page.evaluate(async (payload) => {
    const { startWorker, loadGpt2Engine } = await import('/engine/client.js');
    const file = (n) => payload.find((f) => f.name === n).bytes;
    const text = (n) => new TextDecoder().decode(new Uint8Array(file(n)));
    const worker = startWorker();
    const ref = await loadGpt2Engine(worker, {
      weights: new Uint8Array(file('model.safetensors')), config: text('config.json'), vocab: text('vocab.json'), merges: text('merges.txt'), backend: 'cpu',
    });
    const dbg = window.playgroundDebug;
    const out = await ref.forward(dbg.input.ids, dbg.keys);
    worker.terminate();
    return Object.fromEntries(dbg.keys.map((k) => {
      const a = dbg.trace[k].data;
      const b = out[k].data;
      let m = a.length === b.length ? 0 : Infinity;
      for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
      return [k, m];
    }));
  }, payload);
  const worst = Object.entries(diffs).sort((a, b) => b[1] - a[1]);
  console.log(`GPT-2 in the page: ${worst.length} keys vs the CPU engine, largest |diff| ${worst[0][0]} ${worst[0][1].toExponential(2)}`);
  for (const [k, d] of worst) assert.ok(d <= ATOL, `${k} differs from the CPU engine by ${d}`);
  assert.ok('logits' in diffs || Object.keys(diffs).some((k) => k.startsWith('probs')), 'the output was compared');
  await page.screenshot({ path: 'test-results/gpt2-page.png' });
  assert.deepEqual(page.errors, []);
});

test('files that are not a GPT-2 are refused with the reason in the page', async () => {
  const [weights, config, vocab, merges] = tinyGpt2Files();
  await page.setInputFiles('#gpt2-files', [weights, vocab]);
  await page.waitForFunction(() => /choose its merges\.txt too/.test(document.querySelector('#model-notices').textContent), null, { timeout: TIMEOUT });
  const llama = { ...config, buffer: Buffer.from(JSON.stringify({ ...JSON.parse(config.buffer), model_type: 'llama' })) };
  await page.setInputFiles('#gpt2-files', [weights, llama, vocab, merges]);
  await page.waitForFunction(() => /model_type "llama", not "gpt2"/.test(document.querySelector('#model-notices').textContent), null, { timeout: TIMEOUT });
});
