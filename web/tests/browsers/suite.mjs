// The page in a browser other than Chromium (Firefox, WebKit), driven from the outside as the
// Chromium tests drive it (the same selectors, window.playgroundDebug): Explore loads and traces
// typed text, every step renders (the steps bar's buttons, canvases drawn), the Train page trains
// 50 steps on the CPU engine and the loss falls, the weights and optimizer files round-trip
// through a download and an upload, the example post's widgets render; no console errors. Neither
// browser offers WebGPU here, so all of it runs on the CPU engine; the test says so.
// Explore and the Train page also in Spanish, Chinese and the right-to-left pseudo-locale.
// Screenshots go to test-results/<browser>-*.png.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ARTIFACTS, waitForViews } from '../harness.mjs';
import { attentionRowProblems } from '../attention-rows.mjs';
import { defineScriptTests } from './scripts.mjs';
import { LOAD_MS, canvases, openExplore, pageErrors, typeText, useBrowser } from './page-steps.mjs';
import { layoutProblems, unaccentedText } from '../i18n-checks.mjs';

const TRAIN_MS = 300_000; // 50 steps of the Tiny model on the CPU engine, with evaluations
// The Tiny preset's model (1 layer, 2 heads, C = 32, context 32, batch 16, lr 0.01) for 50 steps
const TINY_50 = 'preset=custom&layers=1&heads=2&embd=32&ctx=32&batch=16&lr=0.01&steps=50&seed=1&engine=auto';
const GRAMMAR_START = 3.0; // validation loss above this untrained (ln V = 3.22 for grammar)
const GRAMMAR_AFTER_50 = 2.0; // and below this after 50 steps (measured in Firefox and WebKit alike: 3.24 → 1.37)

/** Every test of the suite for browser `name` ('firefox' or 'webkit'). */
export function defineBrowserTests(name) {
  const env = useBrowser(name);
  const shot = (file) => join(ARTIFACTS, `${name}-${file}.png`);
  const summary = { browser: name };
  let page; // Explore, shared by the Explore tests in order

  after(() => writeFileSync(join(ARTIFACTS, `${name}-summary.json`), JSON.stringify(summary, null, 2)));

  test(`${name}: Explore loads the default model on the CPU engine and says why`, async () => {
    summary.version = env.browser.version;
    page = await openExplore(env);
    const info = await page.evaluate(() => ({
      webgpu: 'gpu' in navigator,
      backend: window.playgroundDebug.backend,
      t: window.playgroundDebug.input.ids.length,
      text: document.querySelector('#text').value,
      notices: [...document.querySelectorAll('.notice')].map((n) => n.textContent),
      maps: document.querySelectorAll('canvas.hm-canvas').length,
      first: window.playgroundDebug.timings.firstHeatmapMs,
    }));
    summary.webgpu = info.webgpu;
    summary.firstHeatmapMs = Math.round(info.first);
    console.log(`${name}: navigator.gpu ${info.webgpu ? 'present' : 'absent'}; first heatmap ${info.first.toFixed(0)} ms after navigation start`);
    assert.equal(info.backend, 'cpu');
    assert.ok(info.notices.some((n) => /WebGPU is not available/.test(n)), 'a visible CPU-fallback notice');
    assert.ok(info.notices.some((n) => /trained by the project itself/.test(n)), 'the trained default model');
    assert.equal(info.t, [...info.text].length, 'one token per character of the example');
    assert.ok(info.maps >= 20, `${info.maps} heatmaps`);
    await page.screenshot(shot('explore-top'));
    assert.deepEqual(await pageErrors(page), []);
  });

  test(`${name}: typed text is traced: chips with ids, attention rows that sum to 1 under the causal mask`, async () => {
    await typeText(page, 'hello world');
    const r = await page.evaluate(() => ({
      ids: Array.from(window.playgroundDebug.input.ids),
      chips: [...document.querySelectorAll('#view-tokens .chip[data-pos]')].map((c) => c.querySelector('.chip-id').textContent),
      shapes: document.querySelector('#shapes').textContent,
    }));
    const rows = await page.evaluate(attentionRowProblems);
    assert.equal(r.ids.length, 11);
    assert.deepEqual(r.chips, r.ids.map(String));
    assert.equal(r.ids[0], 'h'.charCodeAt(0) - 32 + 1, "ids: '\\n' is 0, ' ' is 1, …");
    assert.match(r.shapes, /T = 11 tokens/);
    assert.equal(rows.maps, 8, '2 layers × 4 heads');
    assert.deepEqual(rows.out, []);
    assert.deepEqual(await pageErrors(page), []);
  });

  test(`${name}: every step of the steps bar comes into view and is drawn`, async () => {
    await typeText(page, 'the cat sees the dogs .');
    const views = await page.evaluate(() => [...document.querySelectorAll('[data-goto]')].map((b) => b.dataset.goto));
    assert.equal(views.length, 11);
    const drawn = {};
    for (const view of views) {
      await page.click(`[data-goto="${view}"]`);
      await page.waitForFunction((v) => {
        const top = document.querySelector(`section[data-view="${v}"]`).getBoundingClientRect().top;
        return top >= 0 && top < 450;
      }, view, { timeout: 10_000 });
      const section = `section[data-view="${view}"]`;
      const content = await page.evaluate((s) => ({
        text: document.querySelector(s).innerText.length,
        failed: [...document.querySelectorAll(`${s} .notice-warn, ${s} .error`)].map((n) => n.textContent),
      }), section);
      const maps = await canvases(page, section);
      await page.screenshot(shot(`step-${view}`));
      drawn[view] = { text: content.text, canvases: maps.length, blank: maps.filter((m) => m.colours < 2).map((m) => m.label) };
      assert.ok(content.text > 200, `${view}: ${content.text} characters of text`);
      assert.deepEqual(content.failed, [], `${view}: no error in the section`);
      assert.deepEqual(drawn[view].blank, [], `${view}: blank canvases`);
    }
    summary.steps = drawn;
    assert.ok(Object.values(drawn).reduce((n, d) => n + d.canvases, 0) >= 20, JSON.stringify(drawn));
    assert.deepEqual(await pageErrors(page), []);
    await page.close();
  });

  test(`${name}: a jump right after typing, while the sections above wait, ends at its heading and shows the text`, async () => {
    const tab = await openExplore(env);
    const text = 'the cat sees the dogs . the dog ran off';
    // typed at the end of the page, so every section above is away from sight and left stale;
    // the steps bar's jump to the first step in the same task as the draw that left them stale
    const jumped = await tab.evaluate(async (text) => {
      window.scrollTo(0, document.documentElement.scrollHeight);
      const box = document.querySelector('#text');
      box.value = text;
      box.dispatchEvent(new Event('input'));
      const main = document.querySelector('#main');
      while (main.hasAttribute('data-views-current')) await new Promise((resolve) => requestAnimationFrame(resolve));
      document.querySelector('[data-goto="tokens"]').click();
      return { chips: document.querySelectorAll('#view-tokens .chip[data-pos]').length };
    }, text);
    assert.equal(jumped.chips, text.length, 'the tokens step brought up to date before the jump');
    // the smooth scroll ends with the heading just below the sticky steps bar (the page's
    // scroll-padding-top); measured unrounded, as the wait below measures it (a scroll can end
    // on a fraction of a pixel, which rounding would move past the tolerance)
    const landed = () => tab.evaluate(() => {
      const pad = parseFloat(getComputedStyle(document.documentElement).scrollPaddingTop) || 0;
      return document.querySelector('#tokens').getBoundingClientRect().top - pad;
    });
    await tab.waitForFunction(() => {
      const pad = parseFloat(getComputedStyle(document.documentElement).scrollPaddingTop) || 0;
      return Math.abs(document.querySelector('#tokens').getBoundingClientRect().top - pad) < 2;
    }, null, { timeout: 10_000 }).catch(() => {});
    const jumpedTo = await landed();
    assert.ok(Math.abs(jumpedTo) < 2, `the tokens step's top is ${jumpedTo.toFixed(2)} px from where a jump ends`);
    // and stays there while the rest of the page catches up (every section, the engine's answers below)
    await waitForViews(tab, { text });
    await tab.waitForFunction(() => !document.querySelector('#main [aria-busy]'), null, { timeout: 60_000 });
    const settled = await landed();
    assert.ok(Math.abs(settled) < 2, `once the page is drawn, the tokens step's top is ${settled.toFixed(2)} px from where the jump ended`);
    assert.deepEqual(await pageErrors(tab), []);
    await tab.close();
  });

  defineScriptTests(name, env);

  test(`${name}: the Train page trains 50 steps on the CPU engine and the loss falls; the files round-trip`, async () => {
    const train = await env.browser.newPage({ width: 1280, height: 900 });
    await train.goto(`${env.url}#page=train&data=grammar&${TINY_50}`);
    await train.waitForFunction(() => window.playgroundDebug?.train && document.querySelector('#tr-data').options.length > 0, null, { timeout: LOAD_MS });
    const state = () => train.evaluate(() => {
      const d = window.playgroundDebug.train;
      return { status: d.status, step: d.step, backend: d.engine?.backend ?? null, loss: d.run ? Array.from(d.run.loss) : [],
        val: d.run ? d.run.val.map((v) => ({ ...v })) : [], meanMsPerStep: d.meanMsPerStep, lastError: d.lastError };
    });
    const waitFor = (want) => train.waitForFunction((w) => {
      const d = window.playgroundDebug.train;
      return d.status === w.status && (w.step === undefined || d.step === w.step);
    }, want, { timeout: TRAIN_MS }).catch(async (err) => {
      const s = await state();
      throw new Error(`waiting for ${JSON.stringify(want)}: ${err.message}; the trainer is ${JSON.stringify({ ...s, loss: s.loss.length, val: s.val.length })}`);
    });

    await train.click('#tr-start');
    await waitFor({ status: 'done' });
    const s = await state();
    assert.equal(s.backend, 'cpu');
    assert.equal(s.step, 50);
    const [first, last] = [s.val[0].val, s.val.at(-1).val];
    summary.train = { valFirst: first, valLast: last, meanMsPerStep: s.meanMsPerStep };
    console.log(`${name}: grammar, Tiny model, CPU engine: validation loss ${first.toFixed(2)} → ${last.toFixed(2)} in 50 steps, ${s.meanMsPerStep.toFixed(1)} ms/step`);
    assert.ok(first > GRAMMAR_START, `untrained: ${first}`);
    assert.ok(last < GRAMMAR_AFTER_50, `after 50 steps: ${last}`);
    await train.screenshot(shot('train-done'));

    // the weights and the optimizer state, downloaded as a reader would, then uploaded after a reset:
    // the next step gives the same loss as it does without the round trip
    const weights = await train.download('#tr-download');
    const optimizer = await train.download('#tr-download-opt');
    assert.match(weights, /playground-grammar-step50\.safetensors$/);
    assert.match(optimizer, /playground-grammar-step50\.optimizer\.safetensors$/);
    await train.fill('#tr-steps', '51');
    await train.click('#tr-step');
    await waitFor({ status: 'done', step: 51 });
    const next = (await state()).loss.at(-1);

    await train.click('#tr-reset');
    await waitFor({ status: 'idle' });
    await train.setInputFiles('#tr-upload', [weights, optimizer]);
    await waitFor({ status: 'loaded' });
    const notice = await train.evaluate(() => document.querySelector('#tr-file-notices').textContent);
    assert.match(notice, /optimizer state .* was loaded too, so training continues exactly/);
    await train.fill('#tr-steps', '51'); // the file's run had 50
    await train.click('#tr-step');
    await waitFor({ status: 'done', step: 51 });
    const again = await state();
    assert.equal(again.loss.length, 51, 'the loss history from the file, then the new step');
    assert.equal(again.loss.at(-1), next, 'step 50 again: the same loss, exactly');
    await train.screenshot(shot('train-reloaded'));
    assert.deepEqual(await pageErrors(train), []);
    await train.close();
  });

  test(`${name}: Explore and the Train page in Spanish, Chinese and the right-to-left pseudo-locale`, async () => {
    summary.languages = {};
    for (const lang of ['es', 'zh', 'ar-XB']) {
      const explore = await openExplore(env, `?lang=${lang}`);
      const shown = await explore.evaluate(() => ({ lang: document.documentElement.lang, dir: document.documentElement.dir, title: document.querySelector('#intro-title').textContent }));
      assert.equal(shown.lang, lang);
      assert.equal(shown.dir, lang === 'ar-XB' ? 'rtl' : 'ltr');
      if (lang === 'zh') assert.match(shown.title, /[\u4e00-\u9fff]/, 'a Chinese title');
      if (lang === 'ar-XB') assert.deepEqual(await unaccentedText(explore), [], 'text outside the catalogs');
      assert.deepEqual(await layoutProblems(explore), [], `${lang}: layout`);
      await explore.screenshot(shot(`explore-${lang}`));
      assert.deepEqual(await pageErrors(explore), []);
      await explore.close();

      const train = await env.browser.newPage({ width: 1280, height: 900 });
      await train.goto(`${env.url}?lang=${lang}#page=train`);
      await train.waitForFunction(() => window.playgroundDebug?.train && document.querySelector('#tr-data').options.length > 0, null, { timeout: LOAD_MS });
      assert.equal(await train.evaluate(() => document.documentElement.lang), lang);
      if (lang === 'ar-XB') assert.deepEqual(await unaccentedText(train), [], 'Train page text outside the catalogs');
      assert.deepEqual(await layoutProblems(train), [], `${lang}: Train page layout`);
      await train.screenshot(shot(`train-${lang}`));
      assert.deepEqual(await pageErrors(train), []);
      await train.close();
      summary.languages[lang] = shown.title;
    }
  });

  test(`${name}: the example post's widgets render on the CPU engine, under its Content-Security-Policy`, async () => {
    const post = await env.browser.newPage({ width: 1280, height: 900 });
    await post.goto(`${env.url}examples/attention.html`);
    const n = await post.evaluate(() => document.querySelectorAll('transformer-playground').length);
    assert.equal(n, 5);
    for (let i = 0; i < n; i++) {
      await post.evaluate((i) => document.querySelectorAll('transformer-playground')[i].scrollIntoView(), i);
      await post.waitForFunction((i) => ['ready', 'error'].includes(document.querySelectorAll('transformer-playground')[i].state), i, { timeout: LOAD_MS });
      await post.screenshot(shot(`widget-${i}`));
    }
    const widgets = await post.evaluate(() => [...document.querySelectorAll('transformer-playground')].map((w) => ({
      view: w.getAttribute('view'),
      state: w.state,
      errors: [...w.shadowRoot.querySelectorAll('.tp-error')].map((p) => p.textContent),
      foot: w.shadowRoot.querySelector('.tp-foot')?.textContent ?? '',
      chips: w.shadowRoot.querySelectorAll('.chips[aria-label="tokens"] .chip').length,
      canvases: [...w.shadowRoot.querySelectorAll('canvas')].filter((c) => c.width > 0 && c.getClientRects().length > 0).map((c) => {
        const data = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
        const colours = new Set();
        for (let k = 0; k < data.length && colours.size < 3; k += 4 * 7) colours.add(data[k] * 65536 + data[k + 1] * 256 + data[k + 2]);
        return colours.size;
      }),
    })));
    summary.widgets = widgets.map((w) => ({ view: w.view, state: w.state, canvases: w.canvases.length }));
    const engines = await post.evaluate(() => customElements.get('transformer-playground').started.engines.map((e) => e.backend));
    assert.deepEqual(engines, ['cpu', 'cpu'], 'one engine shared by four widgets, one for the trainer, both on the CPU');
    for (const w of widgets) {
      assert.equal(w.state, 'ready', `${w.view}: ${w.errors.join(' ')}`);
      if (w.view !== 'trainer') assert.match(w.foot, /engine: CPU/, `${w.view} says it runs on the CPU`);
      assert.ok(w.canvases.every((colours) => colours > 1), `${w.view}: a blank canvas`);
    }
    assert.ok(widgets[0].chips > 0, 'the tokens widget shows chips');
    assert.ok(widgets.slice(1).every((w) => w.view === 'next-token' || w.canvases.length > 0), 'every map widget draws its maps');
    assert.deepEqual(await pageErrors(post), []);
    await post.close();
  });
}
