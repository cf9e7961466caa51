// The encoder-decoder in Explore (CPU engine): trained a little on the Train page, it opens in
// Explore, whose token-stream views give way to its own panel: the encoder's self-attention,
// the decoder's causal self-attention and the cross-attention side by side for the chosen layer
// and head, and what the decoder writes with teacher forcing next to step by step; all of it
// the engine's `translate` of the source, which the reader can change. Screenshots at 1280 and
// 390 px; no console errors. A checkpoint file opens the same way through Explore's file input:
// an encoder-decoder written by the engine (trained a little in the test) shows the same maps and
// decodings as the engine that wrote it; a GPT's file opens in the token-stream views; a corrupt
// file and GPT-2's weights alone are refused with the engine's reason.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { setup, waitForViews, ARTIFACTS } from './harness.mjs';
import { openTrain, waitTrain, LONG } from './train-helpers.mjs';
import { playgroundCheckpoint } from './checkpoint-files.mjs';
import { tinyGpt2Files } from './gpt2-files.mjs';

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
    // the run panel redraws on the frame after the run ends: Explore's button is enabled then
    await page.waitForFunction(() => !document.querySelector('#tr-explore').disabled, null, { timeout: LONG });
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

/** The reversal task's encoder-decoder, as the Train page makes it, trained `steps` steps by an engine of its own in `page`. */
function writeEncDecCheckpoint(page, steps) {
  return page.evaluate(async (n) => {
    const { startWorker, createEngine } = await import('/engine/client.js');
    const worker = startWorker();
    try {
      const config = { block_size: 8, n_layer: 1, n_head: 2, n_embd: 16, family: 'encoder_decoder', n_classes: 0 };
      const engine = await createEngine(worker, { config, seed: 1, data: { task: 'reversal' }, backend: 'cpu' });
      await engine.startTraining({ learning_rate: 0.01, min_lr: 0.01, warmup_steps: 0, max_steps: n, weight_decay: 0.1,
        beta1: 0.9, beta2: 0.99, eps: 1e-8, grad_clip: 1.0, seed: 1, batch_size: 16 });
      await engine.trainSteps(n);
      return { bytes: Array.from(await engine.exportCheckpoint()), cafe: await engine.translate('cafe') };
    } finally {
      worker.terminate();
    }
  }, steps);
}

/** Chooses one file in Explore's "Open a checkpoint or GPT-2 files" input. */
const openFile = (page, name, bytes) => page.setInputFiles('#gpt2-files', { name, mimeType: 'application/octet-stream', buffer: Buffer.from(bytes) });

/** Waits until the model panel's notices match `pattern`, and answers their text. */
async function modelNotice(page, pattern) {
  await page.waitForFunction((p) => new RegExp(p).test(document.querySelector('#model-notices').textContent), pattern.source, { timeout: LONG });
  return page.locator('#model-notices').textContent();
}

test('cpu: checkpoint files of each family open through Explore\'s file input; broken and foreign ones are refused', { timeout: 2 * LONG }, async () => {
  const env = await setup({ webgpu: false });
  try {
    const page = await env.newPage({ viewport: { width: 1280, height: 900 } });
    await page.goto(env.url);
    await page.waitForFunction(() => window.playgroundDebug?.timings.engineSettledMs > 0, null, { timeout: LONG });
    assert.equal(await page.locator('#seq2seq').isVisible(), false, 'the default GPT shows the token-stream views');

    // an encoder-decoder, saved by the engine: its three maps and both decodings, as the engine that wrote it
    const { bytes, cafe } = await writeEncDecCheckpoint(page, 30);
    await openFile(page, 'reversal.safetensors', bytes);
    await page.waitForFunction(() => document.querySelectorAll('#x-s2s-steps tbody tr').length === 8, null, { timeout: LONG });
    await page.waitForFunction(() => /True target “efac”/.test(document.querySelector('#seq2seq .s2s-summary').textContent), null, { timeout: LONG });
    const p = await panel(page);
    assert.ok(p.shown && p.encdecMode);
    assert.deepEqual(p.viewsVisible, [], 'the token-stream views give way');
    assert.deepEqual(p.maps.map(([k, , shape]) => [k, shape]), [
      ['cross', 'step 30, decoder layer 0, head 0: 8 target × 8 source positions'],
      ['enc_self', 'step 30, encoder layer 0, head 0: 8 source × 8 source positions'],
      ['dec_self', 'step 30, decoder layer 0, head 0: 8 target × 8 target positions'],
    ]);
    assert.deepEqual(p.rows, expectedRows(cafe), 'teacher forcing next to step by step, as the engine that saved the file translates');
    const cross = await readCell(page, 'cross', ['ArrowDown', 'ArrowDown', 'ArrowRight', 'ArrowRight', 'ArrowRight']);
    const want = cafe.cross[0][0][cross.r * 8 + cross.c];
    assert.ok(Math.abs(Number(cross.value) - want) <= 1e-3 * Math.max(1, Math.abs(want)), `cross-attention (${cross.r}, ${cross.c}): ${cross.value} vs ${want}`);
    assert.match(await page.locator('#model').textContent(), /encoder-decoder \(the original Transformer\) with 1 layer/);
    assert.match(await modelNotice(page, /reversal\.safetensors/), /Weights from reversal\.safetensors, a checkpoint saved on the Train page: trained on the reversal task, step 30\./);
    await page.locator('#intro').screenshot({ path: join(ARTIFACTS, 'seq2seq-explore-file-intro-1280.png') });
    await page.locator('#seq2seq').screenshot({ path: join(ARTIFACTS, 'seq2seq-explore-file-1280.png') });

    // a GPT's file: the token-stream views come back and draw its own attention
    const gpt = playgroundCheckpoint({ layers: 1, heads: 2, embd: 16, metadata: { step: '12', data: 'text: 900 characters' } });
    await openFile(page, 'gpt.safetensors', gpt);
    await page.waitForFunction(() => window.playgroundDebug.config?.family !== 'encoder_decoder', null, { timeout: LONG });
    await waitForViews(page, { timeout: LONG }); // the GPT's own draw
    const g = await page.evaluate(() => ({
      config: window.playgroundDebug.config,
      text: window.playgroundDebug.state.text,
      ids: window.playgroundDebug.input.ids.length,
      encdecMode: document.querySelector('#main').classList.contains('is-encdec'),
      seq2seq: document.querySelector('#seq2seq').getClientRects().length > 0,
      attention: document.querySelector('#view-attention .hm-shape').textContent,
    }));
    assert.deepEqual([g.config.n_layer, g.config.n_head, g.config.n_embd, g.config.vocab_size], [1, 2, 16, 96]);
    assert.equal(g.text, ' !"#$%&\'()*+,-.', 'the first characters of its vocabulary, as the Train page shows a loaded checkpoint');
    assert.equal(g.ids, 15);
    assert.ok(!g.encdecMode && !g.seq2seq, 'the encoder-decoder panel goes');
    assert.equal(g.attention, 'layer 0, head 0 [15×15]');
    assert.match(await modelNotice(page, /gpt\.safetensors/), /Weights from gpt\.safetensors, a checkpoint saved on the Train page: trained on a text of its own, step 12\./);
    assert.deepEqual(page.errors, []);

    // a corrupt file and GPT-2's weights without their tokenizer: the reason, and the model stays
    await openFile(page, 'broken.safetensors', Buffer.from('not a checkpoint at all'));
    assert.match(await modelNotice(page, /broken\.safetensors could not/), /broken\.safetensors could not be opened as a checkpoint: checkpoint refused: not a valid safetensors file/);
    const [weights] = tinyGpt2Files();
    await page.setInputFiles('#gpt2-files', weights);
    assert.match(await modelNotice(page, /model\.safetensors could not/), /model\.safetensors could not be opened as a checkpoint: checkpoint refused: format is "pt", expected "transformer-playground" \(a GPT-2 opens with its vocab\.json and merges\.txt chosen together\)/);
    assert.equal((await page.evaluate(() => window.playgroundDebug.config)).n_embd, 16, 'the GPT stays');
  } finally {
    await env.close();
  }
});
