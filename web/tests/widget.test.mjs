// The embeddable widget in headless Chromium (WebGPU on SwiftShader): the example post under its
// strict Content-Security-Policy renders every widget with the numbers of a CPU reference engine,
// widgets start only when scrolled into view and share one engine, attributes update live, a bad
// attribute gives its message while the other widgets keep working, the iframe embed restores its
// state from the address, the playground's Share button hands out working snippets, and the CPU
// fallback works. Writes screenshots, the bundle's size and the time to the first widget to test-results/.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { setup, ARTIFACTS, ROOT } from './harness.mjs';
import { TASKS } from '../widget/attributes.js';
import { LOAD_TIMEOUT, openPage, settle, states, readCell, makeReference, referenceTrace, close } from './widget-helpers.mjs';

const POST = 'examples/attention.html';
const [TOKENS, STEPS, GRID, NEXT, TRAINER] = [0, 1, 2, 3, 4]; // the example post's widgets, in order
const metrics = {};
let env;
let post; // the example post, loaded once and used by the tests in order

before(async () => { env = await setup({ webgpu: true }); });
after(async () => {
  writeFileSync(join(ARTIFACTS, 'widget-metrics.json'), JSON.stringify(metrics, null, 2));
  await env?.close();
});

/** Scrolls through the page so that every widget starts, and waits for each. */
async function startAll(page) {
  const n = await page.evaluate(() => document.querySelectorAll('transformer-playground').length);
  for (let i = 0; i < n; i++) await settle(page, i, { scroll: true });
  await page.evaluate(() => window.scrollTo(0, 0));
}

/** The shadow root's text of widget `i` matching `selector`, for every match. */
function texts(page, i, selector) {
  return page.evaluate(({ i, selector }) =>
    [...document.querySelectorAll('transformer-playground')[i].shadowRoot.querySelectorAll(selector)].map((n) => n.textContent), { i, selector });
}

test('the example post: only widgets in view start, and they share one engine', async () => {
  post = await openPage(env, POST, { viewport: { width: 1280, height: 900 } });
  await post.waitForFunction(() => [...document.querySelectorAll('transformer-playground')].some((w) => w.state === 'ready'), null, {
    timeout: LOAD_TIMEOUT, polling: 'raf',
  });
  metrics.firstWidgetInteractiveMs = await post.evaluate(() => performance.now()); // since navigation start
  console.log(`first widget interactive ${metrics.firstWidgetInteractiveMs.toFixed(0)} ms after navigation start`);
  const early = await states(post);
  assert.equal(early.length, 5);
  assert.equal(early[TOKENS].state, 'ready');
  assert.equal(early[NEXT].state, 'waiting', 'a widget far below has not started');
  assert.equal(early[TRAINER].state, 'waiting');
  assert.ok(!(await started(post)).engines.some((e) => e.source.startsWith('trainer:')), 'no trainer engine before the trainer is in view');

  await startAll(post);
  const all = await states(post);
  assert.deepEqual(all.map((s) => s.state), ['ready', 'ready', 'ready', 'ready', 'ready'], JSON.stringify(all));
  const { workerStarted, engines } = await started(post);
  assert.ok(workerStarted);
  assert.deepEqual(engines.map((e) => e.source.startsWith('trainer:') ? e.source : 'shared'), ['shared', 'trainer:sort'], 'four widgets share one engine');
  assert.ok(engines.every((e) => e.backend === 'webgpu'));
});

function started(page) {
  return page.evaluate(() => customElements.get('transformer-playground').started);
}

test('the example post shows the reference engine\'s numbers', async () => {
  await makeReference(post);
  // tokens: the chips' ids
  const ref1 = await referenceTrace(post, 'Attention is all you need.', []);
  assert.deepEqual((await texts(post, TOKENS, '.chips[aria-label="tokens"] button.chip .chip-id')).map(Number), ref1.ids); // characters the model knows

  // one head step by step (layer 0, head 0): Q, the scores and the weights
  const text = 'the cat sat on the mat.';
  const T = [...text].length;
  const ref2 = await referenceTrace(post, text, ['block0.head0.q', 'block0.head0.scores', 'block0.head0.att', 'block1.head0.att', 'block0.head2.att']);
  const HS = ref2['block0.head0.q'].length / T;
  const checks = [ // the widget shows one step at a time: the map's step first
    [1, 'Q', 3, 1, ref2['block0.head0.q'][3 * HS + 1]],
    [2, 'S = Q·Kᵀ/√HS', T - 1, 0, ref2['block0.head0.scores'][(T - 1) * T]],
    [4, 'A = softmax(S′)', T - 1, 0, ref2['block0.head0.att'][(T - 1) * T]],
    [4, 'A = softmax(S′)', T - 1, T - 1, ref2['block0.head0.att'][T * T - 1]],
    [4, 'A = softmax(S′)', 5, 2, ref2['block0.head0.att'][5 * T + 2]],
  ];
  for (const [step, title, r, c, want] of checks) {
    await post.evaluate(({ i, step }) => document.querySelectorAll('transformer-playground')[i].shadowRoot.querySelector(`button[aria-label^="step ${step}:"]`).click(), { i: STEPS, step });
    const got = await readCell(post, STEPS, title, r, c);
    assert.ok(close(got.value, want), `${title}[${r}, ${c}]: shown "${got.text}", reference ${want}`);
  }

  // the head grid: the chosen map (layer 1, head 0), then the one the reader picks
  const grid1 = await readCell(post, GRID, 'A', T - 1, 3);
  assert.ok(close(grid1.value, ref2['block1.head0.att'][(T - 1) * T + 3]), grid1.text);
  const { n_layer: L, n_head: NH } = await post.evaluate(() => window.ref.engine.config);
  assert.equal((await texts(post, GRID, 'button.mini')).length, L * NH, 'a map per layer and head');
  await post.evaluate(() => document.querySelectorAll('transformer-playground')[2].shadowRoot.querySelector('button[aria-label="layer 0, head 2"]').click());
  const grid2 = await readCell(post, GRID, 'A', T - 1, 3);
  assert.ok(close(grid2.value, ref2['block0.head2.att'][(T - 1) * T + 3]), grid2.text);

  // next token at τ = 0.8: the bars against softmax(z / 0.8) of the reference's logits
  const prompt = 'the cat sat on the m';
  const want = await post.evaluate(async (prompt) => {
    const ids = Array.from((await window.ref.engine.encode(prompt)).ids);
    const { logits } = await window.ref.engine.forward(ids, ['logits']);
    const V = window.ref.engine.vocab.length;
    return Array.from(await window.ref.worker.call('samplingProbabilities', logits.data.slice((ids.length - 1) * V), 0.8, 0, 1));
  }, prompt);
  const bars = await post.evaluate(() => [...document.querySelectorAll('transformer-playground')[3].shadowRoot.querySelectorAll('.bar')]
    .map((b) => ({ id: Number(b.dataset.tokenId), p: Number(b.dataset.p), shown: b.querySelector('.bar-p').textContent })));
  assert.equal(bars.length, 10);
  for (const b of bars) {
    assert.ok(Math.abs(b.p - want[b.id]) < 1e-4, `token ${b.id}: p ${b.p} vs ${want[b.id]}`);
    // pct(): "<0.1%" below 0.1 %, one decimal below 10 %, whole percents above
    const p = want[b.id];
    if (b.shown === '<0.1%') assert.ok(p < 0.001, `token ${b.id}: shown ${b.shown} vs ${100 * p}%`);
    else assert.ok(Math.abs(parseFloat(b.shown) - 100 * p) <= (p < 0.1 ? 0.051 : 0.51), `token ${b.id}: shown ${b.shown} vs ${100 * p}%`);
  }
  const top = Math.max(...want);
  assert.equal(bars[0].id, want.indexOf(top), 'the most likely token first');

  // the trainer: the tasks it offers are the engine's next-token tasks (a classifier's task, which
  // has classes, is for the Train page's encoder; "reversal" for its encoder-decoder), and before training it shows the attention
  // of the task's example that a CPU trainer with the same seed computes
  const engineTasks = await post.evaluate(async () => (await window.ref.worker.call('tasks')).filter((t) => !(t.classes ?? []).length && t.name !== 'reversal').map((t) => t.name));
  assert.deepEqual(engineTasks, TASKS);
  const example = 'dbca>abcd';
  assert.match((await texts(post, TRAINER, '.tp-lesson'))[0], /dbca>abcd/);
  const trainerAtt = await post.evaluate(async (example) => {
    const engine = await window.ref.createEngine(window.ref.worker, { config: window.ref.TRAINER_MODEL, seed: 1, data: { task: 'sort' }, backend: 'cpu' });
    const ids = Array.from((await engine.encode(example)).ids);
    return Array.from((await engine.forward(ids, ['block0.head0.att']))['block0.head0.att'].data);
  }, example);
  const n = example.length;
  const shown = await readCell(post, TRAINER, 'A', n - 1, 4);
  assert.ok(close(shown.value, trainerAtt[(n - 1) * n + 4]), `trainer: ${shown.text} vs ${trainerAtt[(n - 1) * n + 4]}`);

  assert.deepEqual(post.errors, [], 'no console errors');
  assert.deepEqual(await post.evaluate(() => window.cspViolations), [], 'no CSP violations');
  const origin = new URL(env.url).origin;
  assert.deepEqual(post.requests.filter((u) => new URL(u).origin !== origin && !u.startsWith('data:')), [], 'no request leaves the site');
});

test('the reader moves the temperature slider, and trains the model; attribute changes redraw', async () => {
  await post.evaluate(() => {
    const slider = document.querySelectorAll('transformer-playground')[3].shadowRoot.querySelector('input[type="range"]');
    slider.value = '0';
    slider.dispatchEvent(new Event('input'));
  });
  await post.waitForFunction(() => document.querySelectorAll('transformer-playground')[3].shadowRoot.querySelector('.bar-p')?.textContent === '100%');

  // a shorter run through the attribute (SwiftShader takes seconds per step): the trainer starts over with 2 steps
  await post.evaluate(() => document.querySelectorAll('transformer-playground')[4].setAttribute('steps', '2'));
  await post.waitForFunction(() => document.querySelectorAll('transformer-playground')[4].shadowRoot.querySelector('.tp-train-status').textContent.startsWith('step 0 of 2'));
  const before = await readCell(post, TRAINER, 'A', 8, 4);
  const t0 = Date.now();
  await post.evaluate(() => [...document.querySelectorAll('transformer-playground')[4].shadowRoot.querySelectorAll('button')].find((b) => b.textContent === 'Train').click());
  await post.waitForFunction(() => document.querySelectorAll('transformer-playground')[4].shadowRoot.querySelector('.tp-train-status').textContent === 'step 2 of 2',
    null, { timeout: LOAD_TIMEOUT });
  metrics.trainerMsPerStepSwiftShader = (Date.now() - t0) / 2; // with a validation loss and the maps redrawn
  const readout = (await texts(post, TRAINER, '.loss .hm-readout'))[0];
  const m = readout.match(/step 2: training loss ([\d.]+) · validation loss ([\d.]+) \(at step 2\)/);
  assert.ok(m && Number(m[1]) > 0 && Number(m[1]) < 5 && Number(m[2]) > 0, readout);
  const afterTraining = await readCell(post, TRAINER, 'A', 8, 4);
  assert.notEqual(afterTraining.value, before.value, 'the attention map changed with training');
  assert.equal((await texts(post, TRAINER, 'button.primary'))[0], 'Trained');

  // changing the text of the tokens widget redraws it
  await post.evaluate(() => document.querySelectorAll('transformer-playground')[0].setAttribute('text', 'abc'));
  await post.waitForFunction(() => document.querySelectorAll('transformer-playground')[0].shadowRoot.querySelectorAll('.chips[aria-label="tokens"] .chip').length === 3);

  await post.screenshot({ path: join(ARTIFACTS, 'widget-post-desktop-light.png'), fullPage: true });
  await post.setViewportSize({ width: 390, height: 844 });
  await post.waitForTimeout(300); // the maps follow the new width (ResizeObserver)
  await post.screenshot({ path: join(ARTIFACTS, 'widget-post-phone-light.png'), fullPage: true });
  const overflow = await post.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  assert.ok(overflow <= 0, `the phone page scrolls sideways by ${overflow}px`);
  assert.deepEqual(post.errors, []);
  await post.context().close();
});

test('the example post in dark mode (screenshots, desktop and phone)', async () => {
  const page = await openPage(env, POST, { viewport: { width: 1280, height: 900 }, colorScheme: 'dark' });
  await startAll(page);
  const bg = await page.evaluate(() => getComputedStyle(document.querySelector('transformer-playground').shadowRoot.querySelector('.tp')).backgroundColor);
  assert.equal(bg, 'rgb(24, 27, 33)', 'the widget follows the reader\'s dark preference');
  await page.screenshot({ path: join(ARTIFACTS, 'widget-post-desktop-dark.png'), fullPage: true });
  await page.setViewportSize({ width: 390, height: 844 });
  await page.waitForTimeout(300);
  await page.screenshot({ path: join(ARTIFACTS, 'widget-post-phone-dark.png'), fullPage: true });
  assert.deepEqual(page.errors, []);
  assert.deepEqual(await page.evaluate(() => window.cspViolations), []);
  await page.context().close();
});

test('the README\'s two widgets; a bad attribute shows its message and the others keep working', async () => {
  const page = await openPage(env, 'examples/two-widgets.html', { viewport: { width: 900, height: 1200 } });
  await settle(page, 0);
  await settle(page, 1);
  assert.deepEqual((await states(page)).map((s) => s.state), ['ready', 'ready']);

  await page.evaluate(() => document.querySelectorAll('transformer-playground')[1].setAttribute('layer', '9'));
  await page.waitForFunction(() => document.querySelectorAll('transformer-playground')[1].state === 'error');
  const [, bad] = await states(page);
  assert.deepEqual(bad.errors, ['layer="9" is out of range: it must be from 0 to 1 (this model has 2 layers).']);
  assert.equal(bad.title, 'This widget could not be shown');

  // more bad values, and hostile ones, in a new widget; text is shown as text
  const hostile = '<img src=x onerror="window.pwned=1">';
  await page.evaluate((hostile) => {
    const w = document.createElement('transformer-playground');
    w.setAttribute('view', 'heatmap');
    w.setAttribute('model', 'https://models.example.net/m.safetensors');
    w.setAttribute('temperature', 'hot');
    document.body.append(w);
    const t = document.createElement('transformer-playground');
    t.setAttribute('view', 'tokens');
    t.setAttribute('text', hostile);
    document.body.append(t);
  }, hostile);
  await settle(page, 2, { scroll: true });
  await settle(page, 3, { scroll: true });
  const all = await states(page);
  assert.deepEqual(all[2].errors, [
    'view="heatmap" is not one of tokens, attention, attention-grid, cross-attention, head-steps, next-token, trainer.',
    'temperature="hot" is not a number from 0 to 2.',
    'model="https://models.example.net/m.safetensors": https://models.example.net is not allowed: a model must come from this site, or from an origin the page lists in <meta name="transformer-playground-models">.',
  ]);
  assert.equal(all[3].state, 'ready');
  const chars = await page.evaluate(() => [...document.querySelectorAll('transformer-playground')[3].shadowRoot.querySelectorAll('.chips[aria-label="tokens"] .chip-char')].map((c) => c.textContent).join(''));
  assert.equal(chars, hostile.replaceAll(' ', '␣'), 'the text is shown as characters');
  assert.equal(await page.evaluate(() => [...document.querySelectorAll('transformer-playground')].some((w) => w.shadowRoot.querySelector('img')) || window.pwned === 1), false);

  // the other widgets still work: the tokens widget follows a new text; the broken one recovers
  await page.evaluate(() => document.querySelectorAll('transformer-playground')[0].setAttribute('text', 'still here'));
  await page.waitForFunction(() => document.querySelectorAll('transformer-playground')[0].shadowRoot.querySelectorAll('.chips[aria-label="tokens"] .chip').length === 10);
  await page.evaluate(() => document.querySelectorAll('transformer-playground')[1].setAttribute('layer', '0'));
  await page.waitForFunction(() => document.querySelectorAll('transformer-playground')[1].state === 'ready');
  assert.equal((await states(page))[1].title, 'Attention: layer 0, head 2');
  await page.evaluate(() => document.querySelectorAll('transformer-playground')[2].scrollIntoView());
  await page.screenshot({ path: join(ARTIFACTS, 'widget-bad-attributes.png') });

  assert.ok(!page.requests.some((u) => u.includes('example.net')), 'a disallowed model is never requested');
  assert.deepEqual(page.errors, []);
  assert.deepEqual(await page.evaluate(() => window.cspViolations), []);
  await page.context().close();
});

test('a model attribute loads that checkpoint, and its limits apply', async () => {
  // web/tests/fixtures/tiny-copy.safetensors: 1 layer, 2 heads, C = 16, block 16, trained 50 CPU
  // steps on the copy task (seeds 5), written by the engine's exportCheckpoint
  const model = '../tests/fixtures/tiny-copy.safetensors';
  const page = await openPage(env, 'examples/two-widgets.html', { viewport: { width: 900, height: 1200 } });
  await page.evaluate((model) => {
    for (const layer of ['0', '1']) {
      const w = document.createElement('transformer-playground');
      for (const [k, v] of Object.entries({ view: 'attention', model, text: 'abcd>abcd', layer })) w.setAttribute(k, v);
      document.body.prepend(w);
    }
  }, model);
  await settle(page, 0);
  await settle(page, 1);
  const [bad, good] = await states(page);
  assert.equal(good.state, 'ready');
  assert.deepEqual(bad.errors, ['layer="1" is out of range: it must be from 0 to 0 (this model has 1 layer).']);
  const foot = await page.evaluate(() => document.querySelectorAll('transformer-playground')[1].shadowRoot.querySelector('.tp-foot').textContent);
  assert.match(foot, /weights from tiny-copy\.safetensors/);
  const want = await page.evaluate(async (model) => {
    const { startWorker, loadEngine } = await import('/engine/client.js');
    const bytes = new Uint8Array(await (await fetch(new URL(model, document.baseURI))).arrayBuffer());
    const ref = await loadEngine(startWorker(), bytes, { backend: 'cpu' });
    const ids = Array.from((await ref.encode('abcd>abcd')).ids);
    return Array.from((await ref.forward(ids, ['block0.head0.att']))['block0.head0.att'].data);
  }, model);
  const shown = await readCell(page, 1, 'A', 8, 3);
  assert.ok(close(shown.value, want[8 * 9 + 3]), `${shown.text} vs ${want[8 * 9 + 3]}`);
  const sources = (await started(page)).engines.map((e) => e.source);
  assert.equal(sources.filter((s) => s.endsWith('/tests/fixtures/tiny-copy.safetensors')).length, 1, 'one engine for the two widgets of that model');
  assert.deepEqual(page.errors, []);
  assert.deepEqual(await page.evaluate(() => window.cspViolations), []);
  await page.context().close();
});

test('the playground\'s Share button copies the link, each Copy button the text beside it; the iframe embed restores its state', async () => {
  const context = await env.browser.newContext({ viewport: { width: 1280, height: 900 }, permissions: ['clipboard-read', 'clipboard-write'], reducedMotion: 'reduce' });
  const play = await context.newPage();
  const hash = '#text=hi+there&layer=1&head=2&view=attention&temp=1&topk=0&topp=1&seed=1';
  await play.goto(env.url + hash);
  await play.waitForFunction(() => window.playgroundDebug?.timings.engineSettledMs > 0, null, { timeout: LOAD_TIMEOUT });
  await play.click('[data-goto="attention"]'); // the reader is at "All heads"
  // the page keeps `view` on the section in sight: the jump's section at the top, and the address naming it
  await play.waitForFunction(() => {
    const top = document.querySelector('#attention').getBoundingClientRect().top;
    return top >= 0 && top < innerHeight / 2 && /view=attention/.test(location.hash);
  }, null, { timeout: LOAD_TIMEOUT });
  await play.click('#share');
  await play.waitForFunction(() => document.querySelector('.share-status').textContent.startsWith('Copied'));
  const link = await play.inputValue('#share-link');
  const iframe = await play.inputValue('#share-iframe');
  assert.ok(link.endsWith('#text=hi+there&layer=1&head=2&view=attention&temp=1&topk=0&topp=1&seed=1'), link);
  assert.equal(await play.evaluate(() => navigator.clipboard.readText()), link, 'opening Share copies the link, and only the link');
  assert.equal(await play.textContent('.share-status'), 'Copied the link to this view.');
  // each Copy button copies the text box beside it, exactly
  for (const id of ['share-widget', 'share-iframe', 'share-link']) {
    await play.click(`button[aria-describedby="${id}"]`);
    await play.waitForFunction((want) => navigator.clipboard.readText().then((t) => t === want), await play.inputValue(`#${id}`));
  }
  const widget = await play.inputValue('#share-widget');
  assert.ok(widget.startsWith(`<script type="module" src="${env.url}dist/transformer-playground.js"></script>\n`), widget);
  assert.match(widget, /<transformer-playground view="attention-grid" text="hi there" layer="1" head="2"><\/transformer-playground>/);
  assert.ok(await play.evaluate(() => document.querySelector('#share-panel').open), 'the dialog is open');
  await play.screenshot({ path: join(ARTIFACTS, 'widget-share.png') });
  await play.keyboard.press('Escape');
  assert.equal(await play.evaluate(() => document.querySelector('#share-panel').open), false);
  await context.close();

  // the iframe snippet's address, opened as a frame would, shows that view
  const src = iframe.match(/src="([^"]+)"/)[1].replaceAll('&amp;', '&');
  const page = await openPage(env, src.slice(env.url.length), { viewport: { width: 700, height: 720 } });
  await settle(page, 0);
  const [w] = await states(page);
  assert.equal(w.state, 'ready');
  assert.equal(w.title, 'Attention in every layer and head');
  const pressed = await page.evaluate(() => document.querySelector('transformer-playground').shadowRoot.querySelector('button.mini[aria-pressed="true"]').getAttribute('aria-label'));
  assert.equal(pressed, 'layer 1, head 2');
  assert.equal(await page.evaluate(() => document.querySelector('transformer-playground').shadowRoot.querySelector('.hm-canvas').dataset.rows), '8', '"hi there" is 8 tokens');

  // a new address redraws; a parameter that is no attribute gets a note
  await page.evaluate(() => { location.hash = '#view=tokens&text=abc&colour=red'; });
  await page.waitForFunction(() => document.querySelector('transformer-playground').shadowRoot.querySelectorAll('.chips[aria-label="tokens"] .chip').length === 3);
  assert.match(await page.textContent('.embed-note'), /"colour", which is not a widget setting/);
  await page.screenshot({ path: join(ARTIFACTS, 'widget-embed.png') });
  assert.deepEqual(page.errors, []);
  assert.deepEqual(await page.evaluate(() => window.cspViolations), []);
  await page.context().close();
});

test('without WebGPU the widgets run on the CPU engine and say so', async () => {
  const cpu = await setup({ webgpu: false });
  try {
    const page = await openPage(cpu, 'examples/two-widgets.html', { viewport: { width: 900, height: 1200 } });
    await page.waitForFunction(() => document.querySelector('transformer-playground').state === 'ready', null, { timeout: LOAD_TIMEOUT, polling: 'raf' });
    metrics.firstWidgetInteractiveMsCpu = await page.evaluate(() => performance.now());
    console.log(`CPU engine: first widget interactive ${metrics.firstWidgetInteractiveMsCpu.toFixed(0)} ms after navigation start`);
    await settle(page, 0);
    await settle(page, 1);
    const foot = await page.evaluate(() => document.querySelector('transformer-playground').shadowRoot.querySelector('.tp-foot').textContent);
    assert.match(foot, /engine: CPU/);
    assert.deepEqual((await states(page)).map((s) => s.state), ['ready', 'ready']);
    assert.deepEqual(page.errors, []);
  } finally {
    await cpu.close();
  }
});

test('served from another origin than the post (with CORS), the widget still starts its worker', async () => {
  const cors = await setup({ webgpu: false, headers: { 'Access-Control-Allow-Origin': '*' } });
  try {
    const page = await cors.newPage();
    await page.goto(cors.url + 'tests/blank.html'); // the post, on 127.0.0.1
    const widgetSite = cors.url.replace('127.0.0.1', 'localhost'); // the same files from another origin
    await page.evaluate((site) => {
      const script = document.createElement('script');
      script.type = 'module';
      script.src = `${site}dist/transformer-playground.js`;
      const widget = document.createElement('transformer-playground');
      widget.setAttribute('view', 'tokens');
      widget.setAttribute('text', 'hi');
      document.body.append(script, widget);
    }, widgetSite);
    await page.waitForFunction(() => document.querySelector('transformer-playground')?.state === 'ready', null, { timeout: LOAD_TIMEOUT });
    const chips = await page.evaluate(() => document.querySelector('transformer-playground').shadowRoot.querySelectorAll('.chips[aria-label="tokens"] .chip').length);
    assert.equal(chips, 2);
    assert.deepEqual(page.errors, []);
  } finally {
    await cors.close();
  }
});

test('the widget\'s download size (gzip): one ES module, the worker and the wasm', () => {
  const sizes = {};
  for (const f of ['transformer-playground.js', 'worker.js', 'playground_web_bg.wasm']) {
    const bytes = readFileSync(join(ROOT, 'web/dist', f));
    sizes[f] = { bytes: bytes.length, gzip: gzipSync(bytes, { level: 9 }).length };
  }
  const total = Object.values(sizes).reduce((s, x) => s + x.gzip, 0);
  metrics.download = { ...sizes, totalGzip: total };
  console.log(`widget download: ${Object.entries(sizes).map(([f, s]) => `${f} ${(s.gzip / 1024).toFixed(1)} KiB`).join(' + ')} = ${(total / 1024).toFixed(1)} KiB gzipped`);
  assert.ok(sizes['transformer-playground.js'].gzip < 64 * 1024, 'the element module stays small');
});
