// The views inside the model, in headless Chromium with WebGPU on SwiftShader: the logit lens's
// last row is the model's own prediction; ablating a head changes the probabilities and the
// loss and Reset restores them exactly; the cost table counts the model's parameters; every
// heatmap and chart exports SVG that parses and holds its labels, and PNG; on the Train page
// the gradients shown come from a trace whose gradients equal the engine's for that step.
// Screenshots at 1280 and 390 px, light and dark.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { setup, ARTIFACTS } from './harness.mjs';
import { openTrain, waitTrain, LONG } from './train-helpers.mjs';

const LOAD = 90_000; // ms: engine start and first trace on SwiftShader
// a tiny model: 2 layers of 2 heads, C = 16, context 16, batch 4
const TINY = 'page=train&data=sort&preset=custom&layers=2&heads=2&embd=16&ctx=16&batch=4&lr=0.01&steps=40&seed=1&engine=webgpu';

let env;
before(async () => { env = await setup({ webgpu: true }); });
after(async () => { await env?.close(); });

async function explore(page) {
  await page.goto(env.url);
  // after the hand-over from the CPU engine's first heatmaps to WebGPU
  await page.waitForFunction(() => window.playgroundDebug?.timings.engineSettledMs > 0, null, { timeout: LOAD });
  await page.waitForFunction(() => window.playgroundDebug?.inspected, null, { timeout: LOAD });
  await page.evaluate(() => window.playgroundDebug.inspected);
}

/** The SVG figure of Explore's view `name` (lens or cost), serialized and parsed back. */
function parseSvg(page, name) {
  return page.evaluate(async (name) => {
    const { svgText } = await import('/views/export.js');
    const svg = window.playgroundDebug.inspect.views[name].svg();
    const doc = new DOMParser().parseFromString(svgText(svg), 'image/svg+xml');
    return {
      error: doc.querySelector('parsererror')?.textContent ?? null,
      root: doc.documentElement.nodeName,
      texts: [...doc.querySelectorAll('text')].map((t) => t.textContent),
      rects: doc.querySelectorAll('rect').length,
    };
  }, name);
}

test('explore: logit lens, ablation and cost views show the model’s own numbers; SVG and PNG export', async () => {
  const page = await env.newPage({ viewport: { width: 1280, height: 900 } });
  await explore(page);
  const r = await page.evaluate(() => {
    const d = window.playgroundDebug;
    const V = d.trace.probs.shape[1];
    const T = d.input.ids.length;
    const probs = d.trace.probs.data;
    const lens = d.inspect.views.lens.data();
    return {
      T,
      maxRow: Array.from({ length: T }, (_, t) => Math.max(...probs.slice(t * V, (t + 1) * V))),
      lensLast: lens.top.at(-1).map((row) => row[0].prob),
      lensShape: [lens.top.length, lens.top[0].length, lens.top[0][0].length],
      tableRows: document.querySelectorAll('.lens-table tr').length - 1,
      blocks: document.querySelectorAll('.ablate-block').length,
      map: (({ rows, cols }) => ({ rows: Number(rows), cols: Number(cols) }))(document.querySelector('#view-lens canvas.hm-canvas').dataset),
    };
  });
  assert.ok(r.blocks >= 1);
  assert.deepEqual(r.lensShape, [r.blocks, r.T, 5], 'lens: (L, T, k)');
  assert.equal(r.tableRows, r.blocks, 'one table row per block');
  assert.deepEqual(r.map, { rows: r.blocks, cols: r.T });
  // the last block's lens is the model's own prediction: the top guess has the largest probability of the traced probs
  for (let t = 0; t < r.T; t++) assert.ok(Math.abs(r.lensLast[t] - r.maxRow[t]) < 1e-4, `position ${t}: lens ${r.lensLast[t]} vs probs ${r.maxRow[t]}`);

  // ablation: switch block 0's head 0 off, then reset
  const summary = () => page.evaluate(() => document.querySelector('#view-ablation .callout').textContent);
  const before = await summary();
  assert.match(before, /Everything is on\. Loss on your text .*: \d/);
  await page.click('#view-ablation .ablate-head');
  await page.waitForFunction(() => /1 switched off/.test(document.querySelector('#view-ablation .callout').textContent), null, { timeout: LOAD });
  const off = await summary();
  const [, base, ablated] = off.match(/Loss on your text: ([\d.]+) with everything on → ([\d.]+) without/);
  assert.notEqual(base, ablated, `ablating a head changes the loss: ${off}`);
  const baseBefore = before.match(/: ([\d.]+)\.$/)[1];
  assert.equal(base, baseBefore, 'the baseline is the same model');
  await page.click('#view-ablation p > button');
  await page.waitForFunction(() => /Everything is on/.test(document.querySelector('#view-ablation .callout').textContent), null, { timeout: LOAD });
  assert.equal(await summary(), before, 'Reset gives back exactly the numbers of the whole model');
  // the rest of the page never saw the ablation: the traced probs are unchanged
  const maxAfter = await page.evaluate(() => {
    const d = window.playgroundDebug;
    const V = d.trace.probs.shape[1];
    return Math.max(...d.trace.probs.data.slice(0, V));
  });
  assert.equal(maxAfter, r.maxRow[0]);

  // cost: the total parameter count is the one the model line states
  const cost = await page.evaluate(() => ({
    total: document.querySelector('#view-cost .cost-table .total td:nth-child(2)').textContent,
    model: document.querySelector('#model').textContent,
    rows: document.querySelectorAll('#view-cost .cost-table tr').length,
  }));
  assert.equal(cost.rows, 1 + 7 + 1, 'header, seven parts, total');
  const weights = Number(cost.model.match(/([\d,]+) weights/)[1].replace(/,/g, ''));
  const shown = cost.total.match(/^([\d.]+)(?: (k|M))?$/);
  const value = Number(shown[1]) * ({ k: 1e3, M: 1e6 }[shown[2]] ?? 1);
  assert.ok(Math.abs(value - weights) / weights < 0.005, `cost total ${cost.total} vs ${weights} weights`);

  // export: a heatmap (the lens map) and the cost chart as SVG that parses, with title, labels and legend
  const lensSvg = await parseSvg(page, 'lens');
  assert.equal(lensSvg.error, null);
  assert.equal(lensSvg.root, 'svg');
  const labels = await page.evaluate(() => window.playgroundDebug.inspect.views.lens.data().labels);
  assert.ok(lensSvg.texts.some((t) => t.startsWith('logit lens: top guess probability')), lensSvg.texts.slice(0, 3).join('|'));
  for (const l of ['block 0', labels[0], labels.at(-1), '0', '1']) assert.ok(lensSvg.texts.includes(l), `SVG has the label ${l}`);
  assert.ok(lensSvg.rects >= r.blocks * r.T, 'a rect per cell');
  const [download] = await Promise.all([page.waitForEvent('download'), page.click('#view-lens figure.hm .export-button')]);
  assert.match(download.suggestedFilename(), /^logit-lens-top-guess-probability\.svg$/);
  const costSvg = await parseSvg(page, 'cost');
  assert.equal(costSvg.error, null);
  assert.ok(costSvg.texts.includes('sequence length T (tokens)') && costSvg.texts.includes('attention T² term'), costSvg.texts.join('|'));
  const png = await page.evaluate(async () => {
    const { svgToPng } = await import('/views/export.js');
    const bytes = await svgToPng(window.playgroundDebug.inspect.views.cost.svg());
    return Array.from(bytes.slice(0, 8));
  });
  assert.deepEqual(png, [137, 80, 78, 71, 13, 10, 26, 10], 'PNG signature');
  // the next-token bar chart: its SVG download parses and names the tokens the page shows
  const [bars] = await Promise.all([page.waitForEvent('download'), page.click('.bars-legend .export-button')]);
  assert.equal(bars.suggestedFilename(), 'next-token-probabilities.svg');
  const barsText = await (await import('node:fs/promises')).readFile(await bars.path(), 'utf8');
  const barsSvg = await page.evaluate((text) => {
    const doc = new DOMParser().parseFromString(text, 'image/svg+xml');
    return { error: doc.querySelector('parsererror')?.textContent ?? null, texts: [...doc.querySelectorAll('text')].map((t) => t.textContent) };
  }, barsText);
  assert.equal(barsSvg.error, null);
  const shownBars = await page.evaluate(() => [...document.querySelectorAll('.bars .bar .bar-p')].map((b) => b.textContent));
  assert.ok(shownBars.length > 0 && shownBars.every((p) => barsSvg.texts.includes(p)), `${shownBars} in ${barsSvg.texts}`);
  // the attention lines and the token chips: their SVG downloads parse and hold the page's tokens and weights
  const downloadSvg = async (selector) => {
    const [file] = await Promise.all([page.waitForEvent('download'), page.click(selector)]);
    const svgText = await (await import('node:fs/promises')).readFile(await file.path(), 'utf8');
    return { name: file.suggestedFilename(), ...await page.evaluate((text) => {
      const doc = new DOMParser().parseFromString(text, 'image/svg+xml');
      return {
        error: doc.querySelector('parsererror')?.textContent ?? null,
        texts: [...doc.querySelectorAll('text')].map((t) => t.textContent),
        strengths: [...doc.querySelectorAll('line')].map((l) => Number(l.getAttribute('stroke-opacity'))),
        queries: [...doc.querySelectorAll('.query-label')].map((t) => t.textContent),
        tokens: [...doc.querySelectorAll('.token-text')].map((t) => t.textContent),
        ids: [...doc.querySelectorAll('.token-id')].map((t) => Number(t.textContent)),
      };
    }, svgText) };
  };
  const onPage = await page.evaluate(() => ({
    ids: Array.from(window.playgroundDebug.input.ids),
    chips: [...document.querySelectorAll('#view-tokens .chips:not(.chips-small) button.chip .chip-char')].map((e) => e.textContent),
  }));
  const lines = await downloadSvg('.lines .export-button');
  assert.match(lines.name, /^attention-lines-layer-\d+-head-\d+\.svg$/);
  assert.equal(lines.error, null);
  assert.deepEqual(lines.queries, onPage.chips, 'one query label per token, in order');
  const T = onPage.ids.length;
  assert.ok(lines.strengths.length >= T && lines.strengths.length <= T * (T + 1) / 2, `causal lines: ${lines.strengths.length} for T ${T}`);
  assert.ok(lines.strengths.every((w) => w > 0 && w <= 1), 'line strengths are attention weights');
  const tokens = await downloadSvg('.tokens-export .export-button');
  assert.equal(tokens.name, 'tokens.svg');
  assert.equal(tokens.error, null);
  assert.deepEqual(tokens.tokens, onPage.chips);
  assert.deepEqual(tokens.ids, onPage.ids);
  assert.deepEqual(page.errors, []);
  await page.close();
});

test('train: the gradients shown come from a trace whose gradients equal the engine’s for that step', async () => {
  const page = await env.newPage({ viewport: { width: 1280, height: 900 } });
  page.on('dialog', (d) => d.accept());
  await openTrain(page, env.url, TINY);
  for (let i = 0; i < 2; i++) {
    await page.click('#tr-step');
    await waitTrain(page, { status: 'paused', step: i + 1 });
  }
  // the panel: forward and gradient maps side by side, same shapes
  await page.waitForFunction(() => !document.querySelector('#tr-gradients button').disabled, null, { timeout: LONG });
  await page.selectOption('#tr-gradients select[aria-label="layer"]', '1');
  await page.click('#tr-gradients button');
  await page.waitForFunction(() => window.playgroundDebug.train.gradients.pairs().length > 0, null, { timeout: LONG });
  const pairs = await page.evaluate(() =>
    window.playgroundDebug.train.gradients.pairs().map((p) => {
      const [f, b] = [p.fwd, p.bwd].map((m) => m.element.querySelector('canvas').dataset);
      return { key: p.key, f: `${f.rows}x${f.cols}`, b: `${b.rows}x${b.cols}` };
    }),
  );
  assert.equal(pairs.length, 12);
  assert.ok(pairs.some((p) => p.key === 'block1.head0.att'));
  for (const p of pairs) assert.equal(p.f, p.b, `${p.key}: the gradient has the forward value's shape`);
  // the trace's parameter gradients vs the engine's own for the same step
  const cmp = await page.evaluate(async () => {
    const engine = window.playgroundDebug.trainEngine;
    const trace = await engine.backwardTrace(0);
    const [stats] = await engine.trainSteps(1);
    const g = await engine.gradStats();
    let worst = 0;
    trace.grad_norms.forEach((n, i) => { worst = Math.max(worst, Math.abs(n - g.grad_norms[i]) / Math.max(1e-6, g.grad_norms[i])); });
    return { worst, n: trace.grad_norms.length, lossTrace: trace.loss, lossStep: stats.loss, ratios: g.update_ratios };
  });
  assert.ok(cmp.n > 10);
  assert.ok(cmp.worst < 1e-3, `per-tensor gradient norms, trace vs engine: worst relative difference ${cmp.worst}`);
  assert.ok(Math.abs(cmp.lossTrace - cmp.lossStep) < 1e-4, `loss ${cmp.lossTrace} vs ${cmp.lossStep}`);
  assert.ok(cmp.ratios.every((r) => Number.isFinite(r) && r > 0), `every tensor moved: ${cmp.ratios.join(', ')}`);
  // the SVG of one gradient map parses and has its title
  const svg = await page.evaluate(async () => {
    const { svgText } = await import('/views/export.js');
    const pair = window.playgroundDebug.train.gradients.pairs().find((p) => p.key === 'block1.head0.att');
    const doc = new DOMParser().parseFromString(svgText(pair.bwd.svg()), 'image/svg+xml');
    return { error: doc.querySelector('parsererror'), texts: [...doc.querySelectorAll('text')].map((t) => t.textContent) };
  });
  assert.equal(svg.error, null);
  assert.ok(svg.texts.some((t) => t.startsWith('grad.block1.head0.att')) && svg.texts.includes('masked'), svg.texts.slice(0, 4).join('|'));
  const card = page.locator('#tr-gradients').locator('xpath=..');
  for (const [width, scheme] of [[1280, 'light'], [390, 'light'], [1280, 'dark'], [390, 'dark']]) {
    await page.setViewportSize({ width, height: 900 });
    await page.emulateMedia({ colorScheme: scheme });
    await page.evaluate(() => new Promise((resolve) => requestAnimationFrame(() => setTimeout(resolve, 50))));
    await card.screenshot({ path: join(ARTIFACTS, `inspect-gradients-${width}-${scheme}.png`) });
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
    assert.ok(overflow <= 0, `Train ${width} ${scheme}: the page scrolls sideways by ${overflow} px`);
  }
  assert.deepEqual(page.errors, []);
  await page.close();
});

test('screenshots: Explore 9–11 and the Train page gradients at 1280 and 390 px, light and dark', async () => {
  for (const [width, scheme] of [[1280, 'light'], [390, 'light'], [1280, 'dark'], [390, 'dark']]) {
    const page = await env.newPage({ viewport: { width, height: 900 }, colorScheme: scheme, hasTouch: width < 600, isMobile: width < 600 });
    await explore(page);
    for (const id of ['lens', 'ablation', 'cost']) await page.locator(`#${id}`).screenshot({ path: join(ARTIFACTS, `inspect-${id}-${width}-${scheme}.png`) });
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
    assert.ok(overflow <= 0, `${width} ${scheme}: the page scrolls sideways by ${overflow} px`);
    await page.close();
  }
});
