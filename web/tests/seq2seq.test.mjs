// The encoder-decoder as a family of the Train page, on both engines (WebGPU on SwiftShader, and
// the CPU with WebGPU switched off): chosen in the Family select it offers only its reversal
// task and asks for context 8; it trains with the page's controls (loss falls, validation loss
// and tokens/s shown); "What it predicts" shows the cross-attention alignment and the encoder's
// and decoder's self-attention (every row a softmax, the decoder's causal) and the teacher
// forcing vs step-by-step table. On the CPU: a reload restores the run
// from the autosave (step, loss history, the same predictions); the exported weights and
// optimizer load back into the page with the same predictions and step; a corrupt file is refused
// with a message. Compare: A and B both enc-dec, trained in turns, cross-attention side by side;
// B's Family offers only the enc-dec. Screenshots at 1280 and 390 px; no console errors.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { setup, ARTIFACTS } from './harness.mjs';
import { openTrain, trainState, waitTrain, LONG } from './train-helpers.mjs';

const STEPS = 60;
const RUN = `page=train&family=encdec&data=reversal&preset=custom&layers=1&heads=2&embd=16&ctx=8&batch=16&lr=0.01&steps=${STEPS}&seed=1`;

/**
 * Every row of every layer's and head's map (cross-attention, the encoder's and the decoder's
 * self-attention) is a softmax: finite, in [0, 1], summing to 1; the decoder's is causal.
 */
function assertAlignment(tr) {
  assert.equal(tr.t, 8);
  for (const key of ['cross', 'enc_self', 'dec_self']) {
    assert.equal(tr[key].length, 1, `${key}: one layer`);
    for (const head of tr[key].flat()) {
      assert.equal(head.length, tr.t * tr.t);
      for (let r = 0; r < tr.t; r++) {
        const row = head.slice(r * tr.t, (r + 1) * tr.t);
        assert.ok(row.every((w) => Number.isFinite(w) && w >= 0 && w <= 1), `${key} row ${r}: ${row}`);
        const sum = row.reduce((a, b) => a + b, 0);
        assert.ok(Math.abs(sum - 1) < 1e-4, `${key} row ${r} sums to ${sum}`);
        if (key === 'dec_self') assert.ok(row.slice(r + 1).every((w) => w === 0), `dec_self row ${r} looks ahead: ${row}`);
      }
    }
  }
}

/** The run's latest translation and what the panel draws of it. */
function shown(page) {
  return page.evaluate(() => ({
    translation: window.playgroundDebug.train.run?.probe?.translation ?? null,
    probeStep: window.playgroundDebug.train.run?.probe?.step ?? null,
    title: document.querySelector('#tr-samples-title').textContent,
    boxHidden: document.querySelector('#tr-seq2seq').hidden,
    rows: [...document.querySelectorAll('#s2s-steps tbody tr')].map((tr) => [...tr.children].map((td) => td.textContent)),
    summary: document.querySelector('#tr-seq2seq .s2s-summary').textContent,
    items: [...document.querySelectorAll('#tr-samples li.sample')].map((li) => li.dataset.kind),
    attentionHidden: document.querySelector('#tr-attention').hidden,
    explore: document.querySelector('#tr-explore').disabled,
  }));
}

async function shoot(page, name) {
  for (const width of [1280, 390]) {
    await page.setViewportSize({ width, height: 1000 });
    await page.locator('section:has(> #tr-samples-title)').screenshot({ path: join(ARTIFACTS, `seq2seq-${name}-${width}.png`) });
  }
  await page.setViewportSize({ width: 1280, height: 900 });
}

/** Trains the run on `engine` and checks the loss, the stats and the panel; returns the last translation. */
async function trainAndCheck(page, engine) {
  await page.click('#tr-start');
  await waitTrain(page, { status: 'done' });
  const s = await trainState(page);
  assert.equal(s.step, STEPS);
  assert.equal(s.backend, engine);
  assert.equal(s.lastError, null);
  const mean = (xs) => xs.reduce((a, b) => a + b, 0) / xs.length;
  const [first, last] = [mean(s.loss.slice(0, 5)), mean(s.loss.slice(-5))];
  // ln 11 = 2.40 untrained
  assert.ok(first > 2.1 && last < first - 0.3, `training loss ${first} → ${last}`);
  assert.ok(s.val.length >= 2 && s.val.at(-1).val < s.val[0].val - 0.3, `validation loss ${s.val[0].val} → ${s.val.at(-1).val}`);
  assert.match(s.stats['tokens-s'], /^\d[\d,]*$/);
  assert.match(s.stats['val-loss'], /^\d\.\d+$/);
  const p = await shown(page);
  assert.equal(p.title, 'What it predicts');
  assert.equal(p.boxHidden, false);
  assert.equal(p.probeStep, STEPS);
  assertAlignment(p.translation);
  assert.deepEqual(p.translation.source, ['', '', '', '', 'c', 'a', 'f', 'e'], 'the source is right-aligned');
  assert.deepEqual(p.translation.teacher.fed.slice(0, 5), ['^', 'e', 'f', 'a', 'c'], 'teacher forcing feeds BOS and the true target');
  assert.deepEqual(p.translation.greedy.fed.slice(1), p.translation.greedy.predicted.slice(0, 7), 'step by step feeds its own outputs');
  assert.equal(p.rows.length, 8);
  assert.deepEqual(p.rows[0].slice(0, 2), ['0', '^']);
  assert.match(p.summary, /True target “efac”/);
  assert.ok(p.items.length >= 2 && p.items.every((k) => k === 'seq2seq'), p.items.join());
  assert.equal(p.attentionHidden, true, 'the attention card points at the alignment instead');
  assert.equal(p.explore, false, 'Explore opens the encoder-decoder too (seq2seq-explore.test.mjs)');
  // the map choice shows the decoder's causal self-attention, then the alignment again
  await page.selectOption('#s2s-map', 'dec_self');
  const maps = await page.evaluate(() => [...document.querySelectorAll('#tr-seq2seq [data-map]')].map((b) => [b.dataset.map, b.hidden, b.querySelector('.hm-title')?.textContent]));
  assert.deepEqual(maps.map(([k, hidden]) => [k, hidden]), [['cross', true], ['enc_self', true], ['dec_self', false]]);
  assert.equal(maps[2][2], 'Decoder self-attention');
  await page.selectOption('#s2s-map', 'cross');
  console.log(`${engine}: loss ${first.toFixed(3)} → ${last.toFixed(3)}, val ${s.val[0].val.toFixed(3)} → ${s.val.at(-1).val.toFixed(3)}, ` +
    `${s.stats['tokens-s']} tokens/s; step by step "${p.translation.greedy.text}", teacher forcing "${p.translation.teacher.text}"`);
  return { state: s, translation: p.translation };
}

test('the Family select offers the encoder-decoder with its reversal task and context 8', async () => {
  const env = await setup({ webgpu: false });
  try {
    const page = await env.newPage({ viewport: { width: 1280, height: 900 } });
    await openTrain(page, env.url, 'page=train&data=grammar');
    await page.selectOption('#tr-family', 'encdec');
    const f = await page.evaluate(() => ({
      families: [...document.querySelectorAll('#tr-family option')].map((o) => o.value),
      data: [...document.querySelectorAll('#tr-data option')].map((o) => o.value),
      ctx: document.querySelector('#tr-ctx').value,
      explain: document.querySelector('#tr-family-explain').textContent,
      estimate: document.querySelector('#tr-estimate').textContent,
      hash: location.hash,
    }));
    assert.deepEqual(f.families, ['decoder', 'mlm', 'cls', 'encdec']);
    assert.deepEqual(f.data, ['reversal']);
    assert.equal(f.ctx, '8');
    assert.match(f.explain, /cross-attention/);
    assert.match(f.estimate, /vocabulary of 11\./); // PAD, BOS, EOS and a–h
    assert.match(f.hash, /family=encdec/);
    assert.match(f.hash, /data=reversal/);
    // the other families do not offer its task
    await page.selectOption('#tr-family', 'decoder');
    assert.ok(!(await page.evaluate(() => [...document.querySelectorAll('#tr-data option')].map((o) => o.value))).includes('reversal'));
    assert.deepEqual(page.errors, []);
  } finally {
    await env.close();
  }
});

test('webgpu: the encoder-decoder trains on the Train page and shows its alignment and decodings', { timeout: LONG }, async () => {
  const env = await setup({ webgpu: true });
  try {
    const page = await env.newPage({ viewport: { width: 1280, height: 900 } });
    await openTrain(page, env.url, `${RUN}&engine=webgpu`);
    await trainAndCheck(page, 'webgpu');
    await shoot(page, 'webgpu');
    assert.deepEqual(page.errors, []);
  } finally {
    await env.close();
  }
});

test('cpu: trains, resumes after a reload, exports and imports with the same predictions, refuses a corrupt file', { timeout: 2 * LONG }, async () => {
  const env = await setup({ webgpu: false });
  try {
    const page = await env.newPage({ viewport: { width: 1280, height: 900 } });
    page.on('dialog', (d) => d.accept());
    await openTrain(page, env.url, `${RUN}&engine=cpu`);
    const { state, translation } = await trainAndCheck(page, 'cpu');

    // a new source typed in the panel runs at once, and a bad one gets a message
    await page.fill('#s2s-source', 'bad!');
    await page.dispatchEvent('#s2s-source', 'change');
    assert.match(await page.textContent('#tr-seq2seq .s2s-message'), /1 to 7 letters from a to h/);
    await page.fill('#s2s-source', 'hgb');
    await page.dispatchEvent('#s2s-source', 'change');
    await page.waitForFunction(() => window.playgroundDebug.train.run.probe.translation.target === 'bgh', null, { timeout: LONG });
    assert.equal(await page.textContent('#tr-seq2seq .s2s-message'), '');
    await page.fill('#s2s-source', 'cafe');
    await page.dispatchEvent('#s2s-source', 'change');
    await page.waitForFunction(() => window.playgroundDebug.train.run.probe.translation.target === 'efac', null, { timeout: LONG });
    await shoot(page, 'cpu');

    const files = await page.evaluate(async () => {
      const e = window.playgroundDebug.trainEngine;
      return { weights: Array.from(await e.exportCheckpoint()), optimizer: Array.from(await e.exportOptimizer()) };
    });

    // the autosave brings the run back whole
    await page.reload();
    await page.waitForFunction(() => window.playgroundDebug?.train?.status === 'done', null, { timeout: LONG });
    const back = await trainState(page);
    assert.equal(back.step, STEPS);
    assert.deepEqual(back.loss, state.loss, 'the loss history');
    assert.deepEqual(back.val, state.val);
    const again = await shown(page);
    assert.deepEqual(again.translation, translation, 'the same predictions and cross-attention after the reload');
    assert.equal(again.rows.length, 8);

    // a corrupt file is refused with a message, and the run stays
    const corrupt = Buffer.from(files.weights.slice(0, 200));
    await page.setInputFiles('#tr-upload', { name: 'broken.safetensors', mimeType: 'application/octet-stream', buffer: corrupt });
    await page.waitForFunction(() => /refused/.test(document.querySelector('#tr-file-notices').textContent), null, { timeout: LONG });
    assert.match(await page.textContent('#tr-file-notices'), /This file was refused: broken\.safetensors: .*checkpoint/i);
    assert.equal((await trainState(page)).step, STEPS);

    // the exported files load back: the same step, weights and predictions
    await page.click('#tr-reset');
    await waitTrain(page, { status: 'idle' });
    await page.setInputFiles('#tr-upload', [
      { name: 'w.safetensors', mimeType: 'application/octet-stream', buffer: Buffer.from(files.weights) },
      { name: 'w.optimizer.safetensors', mimeType: 'application/octet-stream', buffer: Buffer.from(files.optimizer) },
    ]);
    await waitTrain(page, { status: 'loaded' });
    const loaded = await page.evaluate(async () => {
      const e = window.playgroundDebug.trainEngine;
      return { config: e.config, translation: await e.translate('cafe'), weights: Array.from(await e.exportCheckpoint()), family: document.querySelector('#tr-family').value };
    });
    assert.equal(loaded.config.family, 'encoder_decoder');
    assert.equal(loaded.family, 'encdec');
    assert.deepEqual(loaded.translation, translation, 'the same predictions from the imported files');
    assert.match(await page.textContent('#tr-file-notices'), /trained for 60 steps on the reversal task/);
    // training goes on from the optimizer's step (with more steps: the run's 60 are done)
    await page.fill('#tr-steps', String(STEPS + 10));
    await page.dispatchEvent('#tr-steps', 'input');
    await page.click('#tr-step');
    await waitTrain(page, { step: STEPS + 1 });
    assert.deepEqual(page.errors, []);
  } finally {
    await env.close();
  }
});

for (const webgpu of [false, true]) {
  const engine = webgpu ? 'webgpu' : 'cpu';
  test(`${engine}: Compare trains two encoder-decoders in turns, with their cross-attention side by side`, { timeout: LONG }, async () => {
    const env = await setup({ webgpu });
    try {
      const page = await env.newPage({ viewport: { width: 1280, height: 900 } });
      await openTrain(page, env.url, RUN.replace(`steps=${STEPS}`, 'steps=30') + `&engine=${engine}`);
      const families = await page.evaluate(() => ({
        enabled: [...document.querySelectorAll('#cmp-family option')].filter((o) => !o.disabled).map((o) => o.value),
        note: document.querySelector('#cmp-family-note').textContent,
      }));
      assert.deepEqual(families.enabled, ['encdec']);
      assert.match(families.note, /Not available for B on A’s data: Decoder/);
      await page.fill('#cmp-embd', '24');
      await page.dispatchEvent('#cmp-embd', 'change');
      await page.selectOption('#cmp-positions', 'sinusoidal');
      await page.dispatchEvent('#cmp-positions', 'change');
      await page.click('#cmp-start');
      await page.waitForFunction(() => ['done', 'failed'].includes(window.playgroundDebug.train.compare.status), null, { timeout: LONG });
      const r = await page.evaluate(() => {
        const c = window.playgroundDebug.train.compare;
        return {
          status: c.status,
          error: c.error,
          sides: c.sides.map((s) => ({ name: s.name, embd: s.settings.embd, steps: s.steps.length, val: s.val.map((v) => v.val), backend: s.engine.backend, cross: s.probe?.cross })),
          pairs: [...document.querySelectorAll('#cmp-maps .compare-pair')].map((p) => `${p.dataset.layer}.${p.dataset.head}:${p.querySelectorAll('canvas').length}`),
          legend: [...document.querySelectorAll('#cmp-chart .series-name')].map((t) => t.textContent),
          maps: document.querySelector('#cmp-maps .hint')?.textContent ?? '',
        };
      });
      assert.equal(r.status, 'done', r.error);
      assert.deepEqual(r.sides.map((s) => [s.name, s.embd, s.steps, s.backend, s.cross]), [['A', 16, 30, engine, true], ['B', 24, 30, engine, true]]);
      for (const s of r.sides) assert.ok(s.val.at(-1) < s.val[0], `${s.name}: validation loss ${s.val[0]} → ${s.val.at(-1)}`);
      assert.deepEqual(r.pairs, ['0.0:2', '0.1:2']);
      assert.equal(r.legend.length, 4);
      assert.match(r.maps, /cross-attention .* for the source “cafe”/);
      console.log(`${engine} compare: val A ${r.sides[0].val[0].toFixed(3)} → ${r.sides[0].val.at(-1).toFixed(3)}, B ${r.sides[1].val[0].toFixed(3)} → ${r.sides[1].val.at(-1).toFixed(3)}`);
      if (!webgpu) {
        for (const width of [1280, 390]) {
          await page.setViewportSize({ width, height: 1000 });
          await page.locator('#tr-compare-title').scrollIntoViewIfNeeded();
          await page.screenshot({ path: join(ARTIFACTS, `seq2seq-compare-${width}.png`) });
        }
      }
      assert.deepEqual(page.errors, []);
    } finally {
      await env.close();
    }
  });
}
