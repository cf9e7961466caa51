// The widget's view="cross-attention" (WebGPU on SwiftShader): an encoder-decoder checkpoint
// (web/tests/fixtures/tiny-reversal.safetensors: 2 layers, 2 heads, C = 16, context 8, trained
// 3000 CPU steps on the reversal task (batch 16, lr 0.003, seed 5) until it reverses, written by
// the engine's exportCheckpoint) draws the cross-attention of the chosen decoder layer and head
// for its text as source, with the numbers of a CPU reference engine; the view and the model must fit each other (messages
// otherwise), and a source outside a–h is refused like a bad attribute. Screenshots at 1280
// and 390 px.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { setup, ARTIFACTS } from './harness.mjs';
import { openPage, settle, states, readCell } from './widget-helpers.mjs';

const MODEL = '../tests/fixtures/tiny-reversal.safetensors';
let env;

before(async () => { env = await setup({ webgpu: true }); });
after(async () => { await env?.close(); });

/** Adds widgets with these attributes to the page, first to last. */
function addWidgets(page, widgets) {
  return page.evaluate((widgets) => {
    for (const attrs of widgets.toReversed()) {
      const w = document.createElement('transformer-playground');
      for (const [k, v] of Object.entries(attrs)) w.setAttribute(k, v);
      document.body.prepend(w);
    }
  }, widgets);
}

test('an encoder-decoder checkpoint shows its cross-attention; view and model must fit', { timeout: 300_000 }, async () => {
  const page = await openPage(env, 'examples/two-widgets.html', { viewport: { width: 1280, height: 1400 } });
  await addWidgets(page, [
    { view: 'cross-attention', model: MODEL, text: 'cafe', head: '1' },
    { view: 'cross-attention', model: MODEL, text: 'caf!' },
    { view: 'attention', model: MODEL },
    { view: 'cross-attention' }, // the default model: a decoder
  ]);
  for (let i = 0; i < 4; i++) await settle(page, i, { scroll: true });
  const s = (await states(page)).slice(0, 4); // the page's own two widgets follow
  assert.deepEqual(s.map((w) => w.state), ['ready', 'error', 'error', 'error']);
  assert.equal(s[0].title, 'Cross-attention: decoder layer 0, head 1');
  assert.match(s[1].errors[0], /The source must be 1 to 7 letters from a to h/);
  assert.match(s[2].errors[0], /view="attention" follows one token stream, and this model is an encoder-decoder: show it with view="cross-attention"/);
  assert.match(s[3].errors[0], /view="cross-attention" needs an encoder-decoder .*no cross-attention/);

  const want = await page.evaluate(async (model) => {
    const { startWorker, loadEngine } = await import('/engine/client.js');
    const bytes = new Uint8Array(await (await fetch(new URL(model, document.baseURI))).arrayBuffer());
    const worker = startWorker();
    const ref = await loadEngine(worker, bytes, { backend: 'cpu', encdec: true });
    const tr = await ref.translate('cafe');
    worker.terminate();
    return tr;
  }, MODEL);
  assert.equal(want.greedy.text, 'efac', 'the fixture reverses');
  for (const [r, c] of [[0, 7], [2, 5], [4, 4], [6, 1]]) {
    const cell = await readCell(page, 0, 'Cross-attention', r, c);
    const v = want.cross[0][1][r * 8 + c];
    assert.ok(Math.abs(cell.value - v) <= 1e-3 * Math.max(1, Math.abs(v)), `${cell.text} vs ${v}`);
    const where = `target ${r} (fed '${want.greedy.fed[r] || '·'}'), source ${c} '${want.source[c] || '·'}': `;
    assert.ok(cell.text.startsWith(where), `${cell.text} starts with ${where}`);
  }
  const line = await page.evaluate(() => document.querySelector('transformer-playground').shadowRoot.querySelector('.tp-cross-line').textContent);
  assert.equal(line, `Source “cafe”: written step by step “${want.greedy.text}”, with teacher forcing “${want.teacher.text}” (the true target is “efac”).`);

  for (const width of [1280, 390]) {
    await page.setViewportSize({ width, height: 1000 });
    await page.evaluate(() => window.scrollTo(0, 0));
    await page.locator('transformer-playground').first().screenshot({ path: join(ARTIFACTS, `widget-cross-attention-${width}.png`) });
  }
  assert.deepEqual(page.errors, []);
  assert.deepEqual(await page.evaluate(() => window.cspViolations), []);
  await page.context().close();
});
