// Compare mode on the Train page: B differs from A in one field (RMSNorm, or the learning
// rate); both train in turns on the same data and seed, on the CPU engine and on WebGPU; both
// losses are on one chart with a legend, the probe's attention maps are side by side for every
// layer and head, and the summary gives each side's validation loss and tokens/s.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { setup, ARTIFACTS } from './harness.mjs';
import { openTrain } from './train-helpers.mjs';

const A = 'page=train&data=grammar&preset=custom&layers=1&heads=2&embd=16&ctx=16&batch=8&lr=0.01&steps=30&seed=1';

async function compare(env, engine, change, shots) {
  const page = await env.newPage({ viewport: { width: 1280, height: 900 } });
  await openTrain(page, env.url, `${A}&engine=${engine}`);
  await page.click('#cmp-copy'); // B starts as another architecture: from a copy of A, B differs in one field
  for (const [field, value] of Object.entries(change)) {
    if (field === 'lr') await page.fill(`#cmp-${field}`, value);
    else await page.selectOption(`#cmp-${field}`, value);
    await page.dispatchEvent(`#cmp-${field}`, 'change');
  }
  await page.click('#cmp-start');
  await page.waitForFunction(() => ['done', 'failed'].includes(window.playgroundDebug.train.compare.status), null, { timeout: 240_000 });
  const r = await page.evaluate(() => {
    const c = window.playgroundDebug.train.compare;
    return {
      status: c.status,
      error: c.error,
      sides: c.sides.map((s) => ({ name: s.name, settings: s.settings, steps: s.steps.length, loss: [...s.loss], val: s.val.map((v) => ({ ...v })), backend: s.engine.backend })),
      legend: [...document.querySelectorAll('#cmp-chart .series-name')].map((t) => t.textContent),
      paths: document.querySelectorAll('#cmp-chart path').length,
      pairs: [...document.querySelectorAll('#cmp-maps .compare-pair')].map((p) => `${p.dataset.layer}.${p.dataset.head}:${p.querySelectorAll('canvas').length}`),
      summary: Object.fromEntries([...document.querySelectorAll('#cmp-summary dd')].map((dd) => [dd.dataset.stat, dd.textContent])),
    };
  });
  assert.equal(r.status, 'done', r.error);
  assert.deepEqual(r.sides.map((s) => [s.name, s.steps, s.backend]), [['A', 30, engine], ['B', 30, engine]]);
  assert.deepEqual(r.legend, ['A: training loss', 'A: validation loss', 'B: training loss', 'B: validation loss']);
  assert.equal(r.paths, 4);
  assert.deepEqual(r.sides.map((s) => s.settings.embd), [16, 16]); // B copies A's settings from the address
  assert.deepEqual(r.pairs, ['0.0:2', '0.1:2']);
  for (const s of r.sides) {
    assert.equal(s.settings.seed, 1);
    assert.equal(s.val.at(-1).step, 30);
    assert.ok(s.val.at(-1).val < s.val[0].val, `${s.name}: validation loss must fall: ${s.val[0].val} → ${s.val.at(-1).val}`);
    assert.match(r.summary[`${s.name.toLowerCase()}-tokens-s`], /^\d[\d,]*$/);
    const shown = Number(r.summary[`${s.name.toLowerCase()}-val-loss`]); // four significant digits
    assert.ok(Math.abs(shown - s.val.at(-1).val) < 1e-3, `${shown} shown for ${s.val.at(-1).val}`);
  }
  // the same data and seed: the first batch is the same, so the two first losses differ only by the change
  const [a, b] = r.sides;
  assert.notDeepEqual(a.loss, b.loss);
  console.log(`${engine}: ${JSON.stringify(change)}: val A ${a.val[0].val.toFixed(3)} → ${a.val.at(-1).val.toFixed(3)}, ` +
    `B ${b.val[0].val.toFixed(3)} → ${b.val.at(-1).val.toFixed(3)}; ${JSON.stringify(r.summary)}`);
  if (shots) {
    for (const [width, scheme] of [[1280, 'light'], [1280, 'dark'], [390, 'light'], [390, 'dark']]) {
      await page.emulateMedia({ colorScheme: scheme });
      await page.setViewportSize({ width, height: 1100 });
      await page.locator('#tr-compare-title').scrollIntoViewIfNeeded();
      await page.screenshot({ path: join(ARTIFACTS, `train-compare-${width}-${scheme}.png`) });
    }
  }
  assert.deepEqual(page.errors, []);
  await page.context().close();
}

test('cpu: A against B with RMSNorm, in turns, on one chart with maps side by side', async () => {
  const env = await setup({ webgpu: false });
  try {
    await compare(env, 'cpu', { norm: 'rms_norm' }, true);
  } finally {
    await env.close();
  }
});

test('webgpu: A against B with a lower learning rate', async () => {
  const env = await setup();
  try {
    await compare(env, 'webgpu', { lr: '0.003' }, false);
  } finally {
    await env.close();
  }
});
