// The playground page (web/index.html) in headless Chromium, run twice: with WebGPU on
// SwiftShader and with WebGPU switched off (the CPU engine). Checks real numbers: token counts,
// attention rows, the values shown against the CPU reference engine created in the same page,
// softmax(logits / τ) under the temperature slider, seeded generation, the URL state and the
// messages for bad input. Writes screenshots and the page's timings to test-results/.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { setup, maxAbsDiff, typeText, waitForViews, ARTIFACTS, ROOT } from './harness.mjs';
import { attentionRowProblems } from './attention-rows.mjs';

const LOAD_TIMEOUT = 60_000; // ms: engine start and first trace on SwiftShader
const ATOL = { webgpu: 2e-4, cpu: 1e-6 }; // max |shown − CPU reference| per backend (the CPU run uses the same code)
const LONG = 'the quick brown fox jumps over the lazy dog; pack my box with five'.slice(0, 64); // 64 characters

/** Does `action` (a choice in the controls) and waits until every view shows what it asked for. */
async function afterRender(page, action) {
  await action();
  await waitForViews(page, { timeout: LOAD_TIMEOUT });
}

/** softmax(z / τ) in float64. */
function softmax(z, tau) {
  const m = Math.max(...z);
  const e = z.map((x) => Math.exp((x - m) / tau));
  const s = e.reduce((a, b) => a + b, 0);
  return e.map((x) => x / s);
}

/**
 * Defines the page tests for one browser set-up.
 * @param {{ webgpu: boolean }} options
 */
export function definePageTests({ webgpu }) {
  const backend = webgpu ? 'webgpu' : 'cpu';
  let env;
  let page;
  const downloads = new Set(); // paths the page fetched

  before(async () => {
    env = await setup({ webgpu });
    page = await env.newPage({ viewport: { width: 1280, height: 900 } });
    page.on('response', (r) => downloads.add(new URL(r.url()).pathname));
    // every message the page posts to a worker, by method, so a test can count a keystroke's round trips
    await page.addInitScript(() => {
      const post = Worker.prototype.postMessage;
      window.workerCalls = [];
      Worker.prototype.postMessage = function (message, ...rest) {
        window.workerCalls.push(message?.method);
        return post.call(this, message, ...rest);
      };
    });
  });
  after(async () => { await env?.close(); });

  test(`${backend}: the page loads on the example, without console errors, and says which engine runs`, async () => {
    await page.goto(env.url);
    await page.waitForFunction(() => window.playgroundDebug?.timings.engineSettledMs > 0, null, { timeout: LOAD_TIMEOUT });
    const info = await page.evaluate(() => ({
      backend: window.playgroundDebug.backend,
      t: window.playgroundDebug.input.ids.length,
      text: document.querySelector('#text').value,
      engine: document.querySelector('#engine').textContent,
      notices: [...document.querySelectorAll('.notice')].map((n) => n.textContent),
      first: window.playgroundDebug.timings.firstHeatmapMs,
      settled: window.playgroundDebug.timings.engineSettledMs,
      firstBackend: window.playgroundDebug.firstBackend,
      maps: document.querySelectorAll('canvas.hm-canvas').length,
    }));
    // the hand-over's CPU engine is freed (disposing is posted before engineSettledMs is set)
    const { engines } = await page.evaluate(() => window.playgroundDebug.counters());
    assert.equal(info.backend, backend);
    assert.equal(info.t, [...info.text].length, 'one token per character of the example');
    assert.ok(info.maps >= 20, `${info.maps} heatmaps`);
    assert.ok(info.notices.some((n) => /trained by the project itself/.test(n)), 'the page says where the weights come from');
    assert.ok(!info.notices.some((n) => /weights are random/.test(n)), 'the trained default loaded, not the random stand-in');
    if (webgpu) assert.match(info.engine, /WebGPU/);
    else assert.ok(info.notices.some((n) => /WebGPU is not available/.test(n)), 'a visible CPU-fallback notice');
    // with WebGPU, the CPU engine draws the first heatmaps and hands over; without, one engine draws
    assert.equal(info.firstBackend, 'cpu');
    if (webgpu) assert.ok(info.first > 0 && info.settled > info.first, `first heatmap ${info.first} ms, WebGPU's ${info.settled} ms`);
    else assert.equal(info.settled, info.first);
    assert.equal(engines, 1, 'the worker hosts one engine: the one the page shows');
    console.log(`${backend}: first heatmap ${info.first.toFixed(0)} ms after navigation start` + (webgpu ? ` (CPU engine), WebGPU's ${info.settled.toFixed(0)} ms` : ''));
    assert.deepEqual(page.errors, []);
  });

  test(`${backend}: typing gives one token per character, and chips with ids`, async () => {
    await typeText(page, 'hello world');
    const r = await page.evaluate(() => ({
      ids: Array.from(window.playgroundDebug.input.ids),
      chips: [...document.querySelectorAll('#view-tokens .chip[data-pos]')].map((c) => c.querySelector('.chip-id').textContent),
      shapes: document.querySelector('#shapes').textContent,
    }));
    assert.equal(r.ids.length, 11);
    assert.deepEqual(r.chips, r.ids.map(String));
    assert.match(r.shapes, /T = 11 tokens/);
    assert.equal(r.ids[0], 'h'.charCodeAt(0) - 32 + 1, "ids: '\\n' is 0, ' ' is 1, …");
  });

  test(`${backend}: every attention row sums to 1 and masked entries are 0, in every layer and head`, async () => {
    await typeText(page, 'attention rows');
    const bad = await page.evaluate(attentionRowProblems);
    assert.equal(bad.maps, 8, '2 layers × 4 heads');
    assert.deepEqual(bad.out, []);
  });

  test(`${backend}: the values shown equal the CPU reference engine's for the same input`, async () => {
    await typeText(page, 'the values shown');
    // the big attention map: move the keyboard cursor to (query 5, key 2) and read the readout
    await afterRender(page, () => page.selectOption('#pick-head', '2'));
    const canvas = page.locator('#view-attention canvas.hm-canvas');
    await canvas.focus();
    for (const key of ['ArrowDown', 'ArrowDown', 'ArrowDown', 'ArrowDown', 'ArrowDown', 'ArrowRight', 'ArrowRight']) await canvas.press(key);
    const readout = await page.locator('#view-attention .hm-readout').first().textContent();
    const r = await page.evaluate(async () => {
      const { startWorker } = await import('/engine/client.js');
      const { loadDefaultModel } = await import('/model-source.js');
      const { residualStages, rowNorms } = await import('/trace-data.js');
      const dbg = window.playgroundDebug;
      const worker = startWorker();
      const { engine } = await loadDefaultModel(worker, { backend: 'cpu' });
      const ref = await engine.forward(dbg.input.ids, dbg.keys);
      worker.terminate();
      const diffs = {};
      for (const key of dbg.keys) {
        const a = dbg.trace[key].data;
        const b = ref[key].data;
        let m = a.length === b.length ? 0 : Infinity;
        for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
        diffs[key] = m;
      }
      // the residual view's norms, from the reference trace
      const T = dbg.input.ids.length;
      const stages = residualStages(engine);
      const norms = stages.map((s) => Array.from(rowNorms(ref[s.key].data, T, 64)));
      const shownNorms = stages.map((s) => Array.from(rowNorms(dbg.trace[s.key].data, T, 64)));
      return { diffs, att: Array.from(ref['block0.head2.att'].data), T, norms, shownNorms, head: dbg.state.head };
    });
    assert.equal(r.head, 2);
    const worst = Object.entries(r.diffs).sort((a, b) => b[1] - a[1]);
    console.log(`${backend}: ${worst.length} keys vs CPU reference, largest |diff| ${worst[0][0]} ${worst[0][1].toExponential(2)}`);
    for (const [key, d] of worst) assert.ok(d <= ATOL[backend], `${key} differs from the CPU reference by ${d}`);
    assert.ok(maxAbsDiff(r.norms.flat(), r.shownNorms.flat()) <= ATOL[backend] * 10, 'residual norms');
    const m = readout.match(/query 5 '.', key 2 '.': (\S+)/);
    assert.ok(m, `readout "${readout}"`);
    const shown = Number(m[1].replace('\u2212', '-'));
    const want = r.att[5 * r.T + 2];
    assert.ok(Math.abs(shown - want) <= 5e-4 * Math.abs(want), `readout ${shown} vs reference ${want}`);
    await afterRender(page, () => page.selectOption('#pick-head', '0'));
  });

  test(`${backend}: the temperature slider gives softmax(logits / τ), top-k keeps k tokens`, async () => {
    await typeText(page, 'temperature');
    const slider = page.locator('#temp');
    await slider.focus();
    for (let i = 0; i < 10; i++) await afterRender(page, () => slider.press('ArrowLeft')); // 1 → 0.5 in steps of 0.05
    const bars = async () => page.evaluate(() => ({
      state: window.playgroundDebug.state,
      z: Array.from(window.playgroundDebug.trace.logits.data.slice(-96)),
      bars: [...document.querySelectorAll('#view-output .bar')].map((b) => [Number(b.dataset.tokenId), Number(b.dataset.p)]),
      hash: location.hash,
    }));
    const a = await bars();
    assert.equal(a.state.temp, 0.5);
    assert.match(a.hash, /temp=0\.5/);
    const want = softmax(a.z, 0.5);
    assert.equal(a.bars.length, 10);
    for (const [id, p] of a.bars) assert.ok(Math.abs(p - want[id]) < 1e-5, `token ${id}: shown ${p}, softmax(z/0.5) ${want[id]}`);
    assert.ok(a.bars[0][1] >= a.bars[9][1], 'bars sorted');
    const w1 = softmax(a.z, 1);
    assert.ok(want[a.bars[0][0]] > w1[a.bars[0][0]], 'a lower temperature sharpens: the top token gains');

    await afterRender(page, () => slider.press('Home')); // τ = 0: greedy
    const g = await bars();
    assert.equal(g.state.temp, 0);
    assert.deepEqual(g.bars.map(([, p]) => p), [1, 0, 0, 0, 0, 0, 0, 0, 0, 0]);

    await afterRender(page, () => slider.press('End'));
    await afterRender(page, () => page.fill('#topk', '5'));
    const k = await bars();
    assert.equal(k.state.temp, 2);
    const kept = k.bars.filter(([, p]) => p > 0);
    assert.equal(kept.length, 5);
    const top5 = softmax(k.z, 2);
    const mass = kept.reduce((s, [id]) => s + top5[id], 0);
    for (const [id, p] of kept) assert.ok(Math.abs(p - top5[id] / mass) < 1e-5, `top-5 renormalized, token ${id}`);
    await afterRender(page, () => page.fill('#topk', '0'));
    for (let i = 0; i < 20; i++) await afterRender(page, () => slider.press('ArrowLeft'));
    assert.equal((await bars()).state.temp, 1);
  });

  test(`${backend}: Generate appends 20 tokens one at a time, the same ones again for the same seed`, async () => {
    const run = async () => {
      await typeText(page, 'the ');
      await page.fill('#seed', '7');
      await page.locator('#seed').dispatchEvent('change');
      await page.click('#generate');
      await page.waitForFunction(() => /Generated 20 of 20/.test(document.querySelector('#gen-status').textContent), null, { timeout: LOAD_TIMEOUT });
      await page.waitForFunction(() => document.querySelector('#generate').textContent === 'Generate 20');
      return page.evaluate(() => ({ text: document.querySelector('#text').value, t: window.playgroundDebug.input.ids.length, state: window.playgroundDebug.state }));
    };
    const a = await run();
    const b = await run();
    assert.equal([...a.text].length, 24);
    assert.ok(a.text.startsWith('the '));
    assert.equal(a.t, 24, 'the views show the generated tokens');
    assert.equal(a.state.text, a.text, 'the URL state follows the text');
    assert.equal(b.text, a.text, 'seeded: the same continuation');
    console.log(`${backend}: generated ${JSON.stringify(a.text)}`);
    assert.deepEqual(page.errors, []);
  });

  test(`${backend}: empty text, text longer than the context and unknown characters each get a clear message`, async () => {
    const notices = () => page.evaluate(() => [...document.querySelectorAll('.notice')].map((n) => n.textContent).join('\n'));
    await typeText(page, '');
    assert.match(await notices(), /The text is empty/);
    assert.equal(await page.evaluate(() => document.querySelector('#main').classList.contains('is-empty')), true);

    await typeText(page, 'héllo 😀!');
    assert.match(await notices(), /2 characters are not in the vocabulary.*'é' \(U\+00E9\) at character 1.*'😀' \(U\+1F600\) at character 6/s);
    const u = await page.evaluate(() => ({ t: window.playgroundDebug.input.ids.length, unknown: document.querySelectorAll('.chip-unknown').length }));
    assert.deepEqual(u, { t: 6, unknown: 2 });

    await typeText(page, LONG + LONG.slice(0, 36)); // 100 tokens
    assert.match(await notices(), /The text has 100 tokens, but this model reads at most block_size = 64.*first 36/s);
    const l = await page.evaluate(() => ({ t: window.playgroundDebug.input.ids.length, dropped: document.querySelectorAll('.chip-dropped').length, first: window.playgroundDebug.input.labels[0] }));
    assert.equal(l.t, 64);
    assert.equal(l.dropped, 16, 'the last 16 dropped characters are shown greyed');
    assert.equal(l.first, (LONG + LONG)[36], 'the window starts at character 36');

    await typeText(page, 'a\u200b');
    assert.match(await notices(), /1 character is not in the vocabulary and was left out: U\+200B at character 1/);
    assert.equal(await page.evaluate(() => window.playgroundDebug.input.ids.length), 1, 'one token works too');

    await typeText(page, '');
    await page.screenshot({ path: join(ARTIFACTS, `page-${backend}-empty.png`) });
    await typeText(page, 'héllo 😀! ' + LONG);
    await page.screenshot({ path: join(ARTIFACTS, `page-${backend}-bad-input.png`) });
    assert.deepEqual(page.errors, []);
  });

  test(`${backend}: pointing at or focusing a token highlights it in the other views`, async () => {
    await typeText(page, 'highlight me');
    await page.hover('#view-tokens .chip[data-pos="3"]');
    const r = await page.evaluate(() => ({
      chip: document.querySelector('#view-tokens .chip[data-pos="3"]').classList.contains('is-highlighted'),
      ln: document.querySelector('#view-layernorm .callout').textContent,
    }));
    assert.ok(r.chip);
    assert.match(r.ln, /^Token 3 'h'/);
    // the keyboard: the chips are one Tab stop, the arrow keys move along them
    await page.mouse.move(0, 0);
    await page.focus('#view-tokens .chip[data-pos="0"]');
    for (let i = 0; i < 5; i++) await page.keyboard.press('ArrowRight');
    const k = await page.evaluate(() => ({
      focused: document.activeElement.dataset.pos,
      tabStops: document.querySelectorAll('#view-tokens .chip[tabindex="0"]').length,
      ln: document.querySelector('#view-layernorm .callout').textContent,
    }));
    assert.deepEqual({ focused: k.focused, tabStops: k.tabStops }, { focused: '5', tabStops: 1 });
    assert.match(k.ln, /^Token 5 'i'/);
  });

  test(`${backend}: after a keystroke at 64 tokens every view is updated; timings and download size written`, async () => {
    await typeText(page, LONG.slice(0, 63));
    const samples = [];
    for (const key of ['x', 'Backspace', 'y']) {
      await afterRender(page, () => page.press('#text', key));
      await page.waitForFunction(() => window.playgroundDebug.timings.update.toPaintMs !== null);
      samples.push(await page.evaluate(() => window.playgroundDebug.timings.update));
    }
    assert.equal(samples[2].tokens, 64);
    const median = (xs) => [...xs].sort((a, b) => a - b)[1];
    const { firstHeatmapMs: first, engineReadyMs: ready } = await page.evaluate(() => window.playgroundDebug.timings);
    const files = [...downloads].filter((p) => !p.startsWith('/tests/')).map((p) => (p.endsWith('/') ? p + 'index.html' : p)).sort();
    const sizes = files.map((p) => {
      const body = readFileSync(join(ROOT, 'web', p));
      return { path: p, bytes: body.length, gzip: gzipSync(body, { level: 9 }).length };
    });
    const total = sizes.reduce((s, f) => s + f.gzip, 0);
    const metrics = {
      backend,
      firstHeatmapMs: Math.round(first),
      engineReadyMs: Math.round(ready),
      keystroke64: Object.fromEntries(['toPaintMs', 'totalMs', 'engineMs', 'renderMs'].map((k) => [k, Math.round(median(samples.map((s) => s[k])))])),
      downloadGzipBytes: total,
      files: sizes,
    };
    writeFileSync(join(ARTIFACTS, `page-metrics-${backend}.json`), JSON.stringify(metrics, null, 2));
    const k = metrics.keystroke64;
    console.log(`${backend}: keystroke at T = 64 → all views painted after ${k.toPaintMs} ms (engine ${k.engineMs}, drawing ${k.renderMs}); page downloads ${(total / 1024).toFixed(1)} KiB gzipped in ${files.length} files`);
    assert.ok(files.includes('/pkg/playground_web_bg.wasm') && files.includes('/main.js') && files.includes('/style.css'));
    assert.deepEqual(page.errors, []);
  });

  test(`${backend}: a keystroke at T = 64 makes one worker round trip`, async () => {
    await page.evaluate(() => window.scrollTo(0, 0));
    await typeText(page, LONG.slice(0, 63));
    await page.evaluate(() => window.playgroundDebug.counters()); // whatever was queued has been answered
    const before = await page.evaluate(() => window.workerCalls.length);
    await afterRender(page, () => page.press('#text', 'x'));
    await page.waitForTimeout(500); // time for anything the keystroke would ask for later
    const r = await page.evaluate((n) => ({ calls: window.workerCalls.slice(n), t: window.playgroundDebug.input.ids.length }), before);
    assert.equal(r.t, 64);
    assert.deepEqual(r.calls, ['trace'], 'one message to the worker (and its one answer)');
  });

  test(`${backend}: the URL state (text, layer, head, view, temperature, seed) round-trips through a reload`, async () => {
    await typeText(page, 'share this');
    await afterRender(page, () => page.selectOption('#pick-layer', '1'));
    await afterRender(page, () => page.selectOption('#pick-head', '3'));
    await afterRender(page, () => page.locator('#temp').press('ArrowRight'));
    await page.fill('#seed', '42');
    await page.locator('#seed').dispatchEvent('change');
    // every button of the steps bar brings its own step into view (instantly, with reduced motion)
    await page.emulateMedia({ reducedMotion: 'reduce' });
    for (const view of await page.$$eval('[data-goto]', (buttons) => buttons.map((b) => b.dataset.goto))) {
      await page.click(`[data-goto="${view}"]`);
      const top = await page.evaluate((v) => document.querySelector(`section[data-view="${v}"]`).getBoundingClientRect().top, view);
      assert.ok(top >= 0 && top < 450, `the ${view} step is at ${Math.round(top)} px after its button`);
    }
    await page.emulateMedia({ reducedMotion: null });
    await page.click('[data-goto="attention"]');
    // the click names the view at once, and the address keeps it while the smooth scroll passes
    // the sections between (every frame's view recorded until the scroll has ended at attention)
    await page.evaluate(() => {
      window.viewsWhileScrolling = new Set();
      const record = () => {
        if (!window.viewsWhileScrolling) return; // read: the recording stops
        window.viewsWhileScrolling.add(window.playgroundDebug.state.view);
        requestAnimationFrame(record);
      };
      record();
    });
    await page.waitForFunction(() => {
      const top = document.querySelector('#attention').getBoundingClientRect().top;
      return window.playgroundDebug.state.view === 'attention' && top >= 0 && top < 450;
    }, null, { timeout: LOAD_TIMEOUT });
    const named = await page.evaluate(() => {
      const views = [...window.viewsWhileScrolling];
      window.viewsWhileScrolling = null;
      return views;
    });
    assert.deepEqual(named, ['attention'], 'the address names only the jump\'s target while it scrolls');
    const url = await page.evaluate(() => location.href); // page.url() may not have heard of the last replaceState yet
    assert.match(url, /#text=share\+this&layer=1&head=3&view=attention&temp=1\.05&topk=0&topp=1&seed=42$/);

    const other = await env.newPage({ viewport: { width: 1280, height: 900 } });
    await other.goto(url);
    // the reload's engine settles after its hand-over to WebGPU, whose kernels compile in the GPU
    // process the first tab shares (busy with the views it just scrolled through): once in a full
    // `make test` that took over LOAD_TIMEOUT, so this wait allows twice that
    await other.waitForFunction(() => window.playgroundDebug?.timings.engineSettledMs > 0, null, { timeout: 2 * LOAD_TIMEOUT });
    const r = await other.evaluate(() => ({
      state: window.playgroundDebug.state,
      text: document.querySelector('#text').value,
      layer: document.querySelector('#pick-layer').value,
      head: document.querySelector('#pick-head').value,
      temp: document.querySelector('#temp').value,
      seed: document.querySelector('#seed').value,
      pressed: document.querySelector('#view-attention .mini[aria-pressed="true"]').getAttribute('aria-label'),
      caption: document.querySelector('#view-attention .hm-shape').textContent,
      scrolled: Math.abs(document.querySelector('#attention').getBoundingClientRect().top) < 200,
    }));
    assert.deepEqual(r.state, { text: 'share this', layer: 1, head: 3, view: 'attention', temp: 1.05, topk: 0, topp: 1, seed: 42, tour: 0, model: '' });
    assert.deepEqual([r.text, r.layer, r.head, r.temp, r.seed], ['share this', '1', '3', '1.05', '42']);
    assert.equal(r.pressed, 'layer 1, head 3');
    assert.match(r.caption, /layer 1, head 3/);
    assert.ok(r.scrolled, 'the reload shows the same section');
    assert.deepEqual(other.errors, []);

    // bad values fall back to the defaults, with a message; nothing throws
    await other.goto(env.url + 'tests/blank.html');
    await other.goto(`${env.url}#text=ok&layer=9&head=-1&temp=hot&topp=0&bogus=1`);
    await other.waitForFunction(() => window.playgroundDebug?.timings.engineSettledMs > 0, null, { timeout: LOAD_TIMEOUT });
    const bad = await other.evaluate(() => ({ state: window.playgroundDebug.state, notices: [...document.querySelectorAll('.notice')].map((n) => n.textContent).join('\n') }));
    assert.deepEqual({ ...bad.state, view: undefined }, { text: 'ok', layer: 0, head: 0, view: undefined, temp: 1, topk: 0, topp: 1, seed: 1, tour: 0, model: '' });
    assert.match(bad.notices, /layer must be from 0 to 1/);
    assert.match(bad.notices, /temp must be a number/);
    assert.match(bad.notices, /unknown setting "bogus"/);
    assert.deepEqual(other.errors, []);
    await other.context().close();
  });

  const shots = webgpu
    ? [[1280, 'light'], [1280, 'dark'], [390, 'light'], [390, 'dark']]
    : [[1280, 'light'], [390, 'dark']];
  test(`${backend}: screenshots at ${shots.map(([w, s]) => `${w} ${s}`).join(', ')}`, async () => {
    for (const [width, colorScheme] of shots) {
      const p = await env.newPage({ viewport: { width, height: 900 }, colorScheme });
      await p.goto(env.url);
      await p.waitForFunction(() => window.playgroundDebug?.timings.engineSettledMs > 0, null, { timeout: LOAD_TIMEOUT });
      const scroll = await p.evaluate(() => document.documentElement.scrollWidth);
      assert.ok(scroll <= width, `no sideways scrolling at ${width} px (page is ${scroll} px wide)`);
      await p.screenshot({ path: join(ARTIFACTS, `page-${backend}-${width}-${colorScheme}.png`), fullPage: true });
      await p.screenshot({ path: join(ARTIFACTS, `page-${backend}-${width}-${colorScheme}-top.png`) });
      assert.deepEqual(p.errors, []);
      await p.context().close();
    }
  });
}
