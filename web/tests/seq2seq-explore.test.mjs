// The encoder-decoder in Explore (CPU engine): trained a little on the Train page, it opens in
// Explore, whose token-stream views give way to its own panel: the encoder's self-attention,
// the decoder's causal self-attention and the cross-attention side by side for the chosen layer
// and head, and what the decoder writes with teacher forcing next to step by step; all of it
// the engine's `translate` of the source, which the reader can change. Screenshots at 1280 and
// 390 px; no console errors.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { setup, ARTIFACTS } from './harness.mjs';
import { openTrain, waitTrain, LONG } from './train-helpers.mjs';

const RUN = 'page=train&family=encdec&data=reversal&preset=custom&layers=1&heads=2&embd=16&ctx=8&batch=16&lr=0.01&steps=40&seed=1&engine=cpu';

/** What Explore's encoder-decoder panel shows. */
function panel(page) {
  return page.evaluate(() => {
    const box = document.querySelector('#seq2seq');
    const visible = (el) => el.getClientRects().length > 0;
    return {
      shown: visible(box),
      encdecMode: document.querySelector('#main').classList.contains('is-encdec'),
      viewsVisible: [...document.querySelectorAll('#main > section.view:not(#seq2seq)')].filter(visible).map((s) => s.id),
      maps: [...box.querySelectorAll('[data-map]')].filter(visible).map((m) => [m.dataset.map, m.querySelector('.hm-title').textContent, m.querySelector('.hm-shape').textContent]),
      rows: [...box.querySelectorAll('#x-s2s-steps tbody tr')].map((tr) => [...tr.children].map((td) => td.textContent)),
      summary: box.querySelector('.s2s-summary').textContent,
      message: box.querySelector('.s2s-message').textContent,
    };
  });
}

/** The step-by-step table the panel should draw for a translation (padding as ·). */
function expectedRows(tr) {
  const shown = (x) => (x === '' ? '·' : x);
  return tr.teacher.fed.map((_, k) => [String(k), tr.teacher.fed[k], tr.teacher.predicted[k], tr.greedy.fed[k], tr.greedy.predicted[k]].map((x, i) => (i ? shown(x) : x)));
}

/** The readout of a map after moving its cursor: row, column and value. */
async function readCell(page, map, keys) {
  const canvas = page.locator(`#seq2seq [data-map="${map}"] canvas.hm-canvas`);
  await canvas.focus();
  for (const key of keys) await canvas.press(key);
  const text = await page.locator(`#seq2seq [data-map="${map}"] .hm-readout`).textContent();
  const m = text.match(/position (\d+) .*position (\d+) [^:]*: (.+)$/);
  assert.ok(m, text);
  return { r: Number(m[1]), c: Number(m[2]), value: m[3] };
}

test('cpu: a trained encoder-decoder opens in Explore with its three attention maps and both decodings', { timeout: LONG }, async () => {
  const env = await setup({ webgpu: false });
  try {
    const page = await env.newPage({ viewport: { width: 1280, height: 900 } });
    await openTrain(page, env.url, RUN);
    await page.click('#tr-start');
    await waitTrain(page, { status: 'done' });
    assert.equal(await page.locator('#tr-explore').isDisabled(), false, 'Explore takes the encoder-decoder');
    await page.click('#tr-explore');
    await page.waitForFunction(() => document.querySelectorAll('#x-s2s-steps tbody tr').length === 8, null, { timeout: LONG });

    const engineTranslation = (source) => page.evaluate((s) => window.playgroundDebug.trainEngine.translate(s), source);
    const cafe = await engineTranslation('cafe');
    let p = await panel(page);
    assert.ok(p.shown && p.encdecMode);
    assert.deepEqual(p.viewsVisible, [], 'the token-stream views give way');
    assert.deepEqual(p.maps.map(([k, title]) => [k, title]), [
      ['cross', 'Cross-attention'], ['enc_self', 'Encoder self-attention'], ['dec_self', 'Decoder self-attention'],
    ]);
    assert.match(p.maps[0][2], /^step 40, decoder layer 0, head 0: 8 target × 8 source positions$/);
    assert.match(p.maps[1][2], /encoder layer 0, head 0: 8 source × 8 source/);
    assert.deepEqual(p.rows, expectedRows(cafe), 'teacher forcing next to step by step, as the engine translates');
    assert.match(p.summary, /True target “efac”/);

    // head 1: the maps are the engine's numbers; the decoder's self-attention is causal
    await page.selectOption('#x-s2s-head', '1');
    p = await panel(page);
    assert.match(p.maps[2][2], /decoder layer 0, head 1/);
    const cross = await readCell(page, 'cross', ['ArrowDown', 'ArrowDown', 'ArrowRight', 'ArrowRight', 'ArrowRight', 'ArrowRight', 'ArrowRight']);
    const want = cafe.cross[0][1][cross.r * 8 + cross.c];
    assert.ok(Math.abs(Number(cross.value) - want) <= 1e-3 * Math.max(1, Math.abs(want)), `cross-attention (${cross.r}, ${cross.c}): ${cross.value} vs ${want}`);
    const enc = await readCell(page, 'enc_self', ['ArrowDown', 'ArrowRight', 'ArrowRight', 'ArrowRight', 'ArrowRight', 'ArrowRight']);
    const wantEnc = cafe.enc_self[0][1][enc.r * 8 + enc.c];
    assert.ok(Math.abs(Number(enc.value) - wantEnc) <= 1e-3, `encoder self-attention (${enc.r}, ${enc.c}): ${enc.value} vs ${wantEnc}`);
    const ahead = await readCell(page, 'dec_self', ['ArrowDown', 'ArrowRight', 'ArrowRight', 'ArrowRight']);
    assert.ok(ahead.c > ahead.r && /masked/.test(ahead.value), `the decoder does not look ahead: ${JSON.stringify(ahead)}`);

    // the reader changes the source: the panel follows; a bad one gets a message
    await page.fill('#x-s2s-source', 'hgb');
    await page.dispatchEvent('#x-s2s-source', 'change');
    await page.waitForFunction(() => /True target “bgh”/.test(document.querySelector('#seq2seq .s2s-summary').textContent), null, { timeout: LONG });
    assert.deepEqual((await panel(page)).rows, expectedRows(await engineTranslation('hgb')));
    await page.fill('#x-s2s-source', 'bad!');
    await page.dispatchEvent('#x-s2s-source', 'change');
    assert.match((await panel(page)).message, /1 to 7 letters from a to h/);
    await page.fill('#x-s2s-source', 'cafe');
    await page.dispatchEvent('#x-s2s-source', 'change');
    await page.waitForFunction(() => /True target “efac”/.test(document.querySelector('#seq2seq .s2s-summary').textContent), null, { timeout: LONG });

    for (const width of [1280, 390]) {
      await page.setViewportSize({ width, height: 1000 });
      await page.locator('#seq2seq').screenshot({ path: join(ARTIFACTS, `seq2seq-explore-${width}.png`) });
    }
    assert.deepEqual(page.errors, []);
  } finally {
    await env.close();
  }
});
