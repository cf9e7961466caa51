// Explore's hub form driven as a user would (headless Chromium, the CPU engine), against the
// stand-in hub (hub-server.mjs) mounted on the page's own origin at /hub/, which the page's CSP
// lets it reach: a base URL typed in opens the model with a moving progress bar and every view
// shows it, the line above the bar first saying what it will cost; a reload takes it from Cache
// Storage without a request; the cached list sizes it and removes it; a disallowed origin is
// refused before any request, and a model too large for the engine before its weights are asked for;
// the widget (embed.html) opens a base URL too; a cancelled download leaves the
// model shown working, and one the browser will not keep still opens; `#model=` changed in the address opens that model, and back returns.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, statSync, readdirSync, mkdtempSync, mkdirSync, writeFileSync, copyFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setup, typeText as typeInto, waitForViews, ROOT } from './harness.mjs';
import { MODELS, requireFixtures } from './hub-fixtures.mjs';
import { createHubHandler } from './hub-server.mjs';

const TIMEOUT = 60_000; // ms: one wait for the page (a model opened, a view drawn) on a loaded machine
/** `tokenizers`' case for `text` with llama_bf16's tokenizer (tests/python/hf_fixtures.py wrote them). */
const llamaCase = (text) => JSON.parse(readFileSync(join(ROOT, 'build/hf-fixtures/tokenizer_cases.json'), 'utf8')).llama.find((c) => c.text === text);
/** The bytes a model's files take (what Cache Storage holds of it; reference.json is never asked for). */
const modelBytes = (name) => readdirSync(join(MODELS, name)).filter((f) => f !== 'reference.json' && f !== 'generation_config.json')
  .reduce((sum, f) => sum + statSync(join(MODELS, name, f)).size, 0);

let env;
let page;
const requests = []; // every request the stand-in hub answered
const outside = []; // requests the page made to another origin
let base; // `<page origin>/hub/`: where the stand-in hub's models live
let bigRoot; // its folder, removed after
const bigRequests = []; // what the page asked of the stand-in hub at /big/, which holds one model too large to open

/**
 * A folder in the hub's layout holding `huge`: a Llama of 7.6 billion parameters (Qwen2-7B's sizes) by its config.json
 * (its weights never exist: the page must refuse it from the config), with llama_bf16's tokenizer.
 */
function hugeModelRoot() {
  const root = mkdtempSync(join(tmpdir(), 'hub-big-'));
  mkdirSync(join(root, 'huge'));
  const config = JSON.parse(readFileSync(join(MODELS, 'llama_bf16/config.json'), 'utf8'));
  Object.assign(config, { hidden_size: 3584, intermediate_size: 18944, num_hidden_layers: 28, num_attention_heads: 28,
    num_key_value_heads: 4, head_dim: 128, vocab_size: 152064 });
  writeFileSync(join(root, 'huge/config.json'), JSON.stringify(config));
  for (const f of ['tokenizer.json', 'tokenizer_config.json']) copyFileSync(join(MODELS, 'llama_bf16', f), join(root, 'huge', f));
  return root;
}

before(async () => {
  requireFixtures();
  const handle = createHubHandler({ root: MODELS, requests, trickleBytesPerSecond: 100_000 });
  bigRoot = hugeModelRoot();
  const big = createHubHandler({ root: bigRoot, requests: bigRequests });
  env = await setup({ webgpu: false, mounts: { '/hub/': (req, res, path) => handle('hub', req, res, path), '/big/': (req, res, path) => big('hub', req, res, path) } });
  base = `${env.url}hub/`;
  page = await env.newPage({ viewport: { width: 1280, height: 900 } });
  page.on('request', (r) => { if (!r.url().startsWith(env.url)) outside.push(r.url()); });
  await page.goto(env.url);
  await page.waitForFunction(() => window.playgroundDebug?.timings.engineSettledMs > 0, null, { timeout: TIMEOUT });
});
after(async () => {
  await env?.close();
  if (bigRoot) rmSync(bigRoot, { recursive: true, force: true });
});

/** Waits until Explore shows the model named `name` (its hub name in the address, its panel, and every view drawn by it). */
async function shows(name) {
  await page.waitForFunction((name) => new URLSearchParams(location.hash.slice(1)).get('model') === name
    && window.playgroundDebug?.tokenizer === 'hub' && document.querySelector('#model').textContent.length > 0, name, { timeout: TIMEOUT });
  await waitForViews(page, { tokenizer: 'hub', timeout: TIMEOUT });
}

/** Asks the hub form for `name` as a reader does: "Open another model" unfolded first (it is folded until asked for, or
 *  until a download opens it), the name typed, Open pressed. */
async function askHub(name) {
  if (!(await page.locator('#open-model').evaluate((d) => d.open))) await page.click('#open-model > summary');
  await page.fill('#hub-repo', name);
  await page.click('#hub-form button[type=submit]');
}

/** Types into Explore's text box and waits for the views to draw it. */
const typeText = (text) => typeInto(page, text, { timeout: TIMEOUT });

const chipIds = async () => (await page.locator('#view-tokens .chip[data-pos] .chip-id').allTextContents()).map(Number);
/** The cached list's rows: [name, size]. */
const cachedRows = () => page.locator('#hub-cached li').evaluateAll((lis) => lis.map((li) => [...li.querySelectorAll('span')].map((s) => s.textContent)));
const modelNotices = () => page.locator('#model-notices').textContent();
const hubRequests = (name) => requests.filter((r) => r.path.includes(`/${name}/`)).length;

test('a base URL typed in opens the model with a moving progress bar, and every view shows it', { timeout: 2 * TIMEOUT }, async () => {
  const name = `${base}slow/llama_bf16`;
  // the model card keeps its way to other models folded at first, so it is no taller than the text beside it
  assert.equal(await page.locator('#hub-repo').isVisible(), false, 'the hub field is folded away at first');
  await askHub(name);
  // the bar moves through model.safetensors, its line giving bytes, speed and time left
  const reading = () => page.evaluate(() => ({ value: document.querySelector('#hub-progress').value, max: document.querySelector('#hub-progress').max,
    text: document.querySelector('#hub-progress-text').textContent, label: document.querySelector('#hub-status').textContent }));
  await page.waitForFunction(() => /^model\.safetensors: [\d.]+ of 0\.4 MB · [\d.]+ MB\/s · \d+ s left$/.test(document.querySelector('#hub-progress-text').textContent),
    null, { timeout: TIMEOUT });
  const first = await reading();
  assert.equal(first.max, statSync(join(MODELS, 'llama_bf16/model.safetensors')).size);
  // before any weight was asked for, the line said what the model will cost (Playground.hubEstimate)
  assert.match(first.label, /^Opening .*slow\/llama_bf16: 0\.\d MB to download; the engine will hold about 0\.\d\d GB/);
  await page.waitForFunction((v) => document.querySelector('#hub-progress').value > v, first.value, { timeout: TIMEOUT });
  await page.screenshot({ path: join(ROOT, 'test-results/hub-page-downloading.png') });
  await shows(name);
  assert.equal(await page.locator('#hub-download').isHidden(), true, 'the bar goes once the model opened');
  // the model line names its layers and width; the tokens view has its tokenizer's ids
  const line = await page.locator('#model').textContent();
  assert.match(line, /2 layers .* 4 attention heads, C = 64 numbers per token, a vocabulary of V = 1,556 tokens of its own tokenizer/);
  assert.ok((await modelNotices()).includes(`${name}: 2 blocks of 4 heads sharing 2 key/value heads, width 64`), 'a base URL is not said to be the hub');
  const hello = llamaCase('Hello world');
  await typeText(hello.text);
  assert.deepEqual(await chipIds(), hello.ids_with_special);
  assert.ok(await page.locator('#view-attention canvas.hm-canvas').count() > 0, 'the attention heatmaps are drawn');
});

test('a reload opens it from Cache Storage without a request; the cached list sizes it, and Remove forgets it', { timeout: 2 * TIMEOUT }, async () => {
  const name = `${base}slow/llama_bf16`;
  const asked = hubRequests('llama_bf16');
  await page.reload();
  await shows(name);
  assert.equal(hubRequests('llama_bf16'), asked, 'nothing downloaded again');
  assert.equal(await page.locator('#open-model').evaluate((d) => d.open), true, 'a model opened from the address unfolds the form, its bar in sight');
  await page.waitForFunction(() => !document.querySelector('#hub-cached').hidden, null, { timeout: TIMEOUT });
  const rows = await cachedRows();
  assert.deepEqual(rows, [[name, `${(modelBytes('llama_bf16') / 1e6).toFixed(1)} MB`]]);
  await page.locator('#hub-cached-list').getByRole('button', { name: `Remove ${name} from this browser` }).click();
  await page.waitForFunction(() => document.querySelector('#hub-cached').hidden, null, { timeout: TIMEOUT });
  assert.equal(await page.evaluate(() => document.activeElement.id), 'hub-repo', 'the focus is not lost with the removed row');
  const kept = await page.evaluate(async () => (await (await caches.open('playground-hub-models')).keys()).map((r) => r.url));
  assert.deepEqual(kept, []);
});

test('a base URL on an origin the page may not reach is refused by name, before any request', { timeout: TIMEOUT }, async () => {
  for (const [url, origin] of [['https://example.com/org/model', 'https://example.com'], ['http://127.0.0.1:9/llama', 'http://127.0.0.1:9']]) {
    await askHub(url);
    await page.waitForFunction((o) => document.querySelector('#model-notices').textContent.includes(`${o} is not allowed`), origin, { timeout: TIMEOUT });
  }
  assert.match(await modelNotices(), /this page downloads models only from its own origin \(http:\/\/127\.0\.0\.1:\d+\) and from the Hugging Face hub/);
  assert.deepEqual(outside, []);
  assert.equal(await page.evaluate(() => window.playgroundDebug.config.n_embd), 64, 'the model shown stays');
});

test('a model too large for the engine is refused from its config.json, before any weight is downloaded', { timeout: TIMEOUT }, async () => {
  const before = await page.evaluate(() => window.playgroundDebug.config.n_embd);
  const name = `${env.url}big/huge`;
  await askHub(name);
  await page.waitForFunction(() => /could not be opened/.test(document.querySelector('#model-notices').textContent), null, { timeout: TIMEOUT });
  assert.match(await modelNotices(), /could not be opened: .*wasm32 memory \(4 GiB\)/);
  const asked = bigRequests.map((r) => r.path.split('/').pop());
  assert.deepEqual(asked.filter((f) => f.endsWith('.safetensors')), [], `asked for ${asked.join(', ')}`);
  assert.ok(asked.includes('config.json'));
  assert.equal(await page.evaluate(() => window.playgroundDebug.config.n_embd), before, 'the model shown stays');
  // the page logs the refusal to the console, as every failed open; the last test expects no errors but known ones
  const refusals = page.errors.filter((e) => /wasm32 memory/.test(e));
  assert.equal(refusals.length, 1, page.errors.join('\n'));
  page.errors.splice(page.errors.indexOf(refusals[0]), 1);
});

test('the widget takes a hub model too: embed.html with model=<base URL> shows its tokens, and a hub name needs the hub\'s origin allowed', { timeout: 2 * TIMEOUT }, async () => {
  const text = 'Hello world';
  const widgetPage = await env.newPage({ viewport: { width: 800, height: 700 } });
  const model = `${base}llama_bf16`;
  await widgetPage.goto(`${env.url}embed.html#${new URLSearchParams({ view: 'tokens', model, text })}`);
  const widget = (js) => widgetPage.evaluate(js);
  await widgetPage.waitForFunction(() => ['ready', 'error'].includes(document.querySelector('transformer-playground')?.state), null, { timeout: TIMEOUT });
  const shown = await widget(() => {
    const root = document.querySelector('transformer-playground').shadowRoot;
    return { state: document.querySelector('transformer-playground').state, ids: [...root.querySelectorAll('.chip[data-pos] .chip-id')].map((c) => Number(c.textContent)),
      foot: root.querySelector('.tp-foot')?.textContent ?? '', errors: [...root.querySelectorAll('.tp-error')].map((p) => p.textContent) };
  });
  assert.equal(shown.state, 'ready', shown.errors.join('\n'));
  assert.deepEqual(shown.ids, llamaCase(text).ids_with_special);
  assert.match(shown.foot, /weights of .*llama_bf16, a Hugging Face model with its own tokenizer/);
  // a hub name is a model on https://huggingface.co, which this page does not allow the widget
  await widgetPage.goto(`${env.url}embed.html#${new URLSearchParams({ view: 'tokens', model: 'HuggingFaceTB/SmolLM2-135M', text })}`);
  await widgetPage.reload();
  await widgetPage.waitForFunction(() => document.querySelector('transformer-playground')?.state === 'error', null, { timeout: TIMEOUT });
  const refused = await widget(() => [...document.querySelector('transformer-playground').shadowRoot.querySelectorAll('.tp-error')].map((p) => p.textContent).join('\n'));
  assert.match(refused, /model="HuggingFaceTB\/SmolLM2-135M": https:\/\/huggingface\.co is not allowed/);
  assert.deepEqual(widgetPage.errors.filter((e) => !/status of 404/.test(e)), []); // the optional shard index is missing
  await widgetPage.close();
});

test('Cancel during a download leaves the model shown, and it still works', { timeout: 2 * TIMEOUT }, async () => {
  const before = await page.evaluate(() => ({ config: window.playgroundDebug.config, hash: location.hash }));
  await askHub(`${base}slow/llama_sharded`);
  await page.waitForFunction(() => /^model-00001-of-00005\.safetensors: [\d.]+ of/.test(document.querySelector('#hub-progress-text').textContent),
    null, { timeout: TIMEOUT });
  await page.click('#hub-cancel');
  await page.waitForFunction(() => /was cancelled/.test(document.querySelector('#model-notices').textContent), null, { timeout: TIMEOUT });
  assert.equal(await page.locator('#hub-download').isHidden(), true);
  assert.deepEqual(await page.evaluate(() => window.playgroundDebug.config), before.config);
  assert.equal(await page.evaluate(() => location.hash), before.hash);
  const other = llamaCase('tab\there');
  await typeText(other.text);
  assert.deepEqual(await chipIds(), other.ids_with_special, 'the shown model still tokenizes and draws');
  const kept = await page.evaluate(async () => (await (await caches.open('playground-hub-models')).keys()).map((r) => r.url));
  assert.ok(!kept.some((u) => u.includes('llama_sharded')), `nothing of the cancelled model is kept: ${kept}`);
});

test('a model the browser will not keep (its storage quota) still opens, and is not listed', { timeout: TIMEOUT }, async () => {
  await page.evaluate(() => {
    window.realPut = Cache.prototype.put;
    let puts = 0; // the first file goes in, the second is refused: what went in is taken out again
    Cache.prototype.put = function (...args) {
      return ++puts > 1 ? Promise.reject(new DOMException('over quota', 'QuotaExceededError')) : window.realPut.apply(this, args);
    };
  });
  const name = `${base}gpt2_f32`;
  await askHub(name);
  await shows(name);
  await page.evaluate(() => { Cache.prototype.put = window.realPut; });
  const kept = await page.evaluate(async () => (await (await caches.open('playground-hub-models')).keys()).map((r) => r.url));
  assert.ok(!kept.some((u) => u.includes('gpt2_f32')), `nothing of it is kept: ${kept}`);
  assert.equal(await page.locator('#hub-cached').isHidden(), true);
});

test('#model= changed in the address opens that model on the address\'s text; back returns to the address before, without one the default', { timeout: 3 * TIMEOUT }, async () => {
  await page.evaluate(() => { location.hash = 'text=abc'; });
  await page.waitForFunction(() => window.playgroundDebug.tokenizer === 'char' && !/model=/.test(location.hash), null, { timeout: TIMEOUT });
  assert.equal(await page.evaluate(() => window.playgroundDebug.state.text), 'abc');
  const qwen = `${base}qwen2_f16`;
  await page.evaluate((q) => { location.hash = new URLSearchParams({ model: q, text: 'Paris is' }).toString(); }, qwen);
  await shows(qwen);
  assert.deepEqual(await page.evaluate(() => [window.playgroundDebug.config.vocab_size, window.playgroundDebug.state.text]), [1104, 'Paris is']);
  await page.goBack();
  await page.waitForFunction(() => window.playgroundDebug.tokenizer === 'char' && window.playgroundDebug.trace?.logits?.shape[1] === 96
    && !/model=/.test(location.hash), null, { timeout: TIMEOUT });
  assert.equal(await page.evaluate(() => window.playgroundDebug.state.text), 'abc');
  await page.goForward();
  await shows(qwen);
  assert.equal(await page.evaluate(() => window.playgroundDebug.state.text), 'Paris is');
  // a model asked for while another downloads takes its place, without a word about the first
  const hash = (model) => page.evaluate((m) => { location.hash = new URLSearchParams({ model: m }).toString(); }, model);
  await hash(`${base}slow/llama_sharded`);
  await page.waitForFunction(() => /safetensors: /.test(document.querySelector('#hub-progress-text').textContent), null, { timeout: TIMEOUT });
  await hash(`${base}gpt2_f32`);
  await shows(`${base}gpt2_f32`);
  assert.doesNotMatch(await modelNotices(), /cancelled|could not be opened/);
  assert.deepEqual(page.errors.filter((e) => !/status of 404|is not an origin this page may download from/.test(e)), []);
});
