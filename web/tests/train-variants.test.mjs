// Every architecture variant on the Train page: a tiny model of each trains a few steps on the
// CPU engine (and the one with every choice changed on WebGPU), its loss falls, and the Explore
// page draws every view of the trained model without console errors, saying why a view does
// not apply (no position table for rotary) and showing the sinusoidal waves where they are used.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { setup, ARTIFACTS } from './harness.mjs';
import { exploreTrained, openTrain, trainState, waitTrain, LONG } from './train-helpers.mjs';

// 1 layer, 2 heads of 8 channels (even: rotary), context 16, 40 steps on the grammar task
const TINY = 'page=train&data=grammar&preset=custom&layers=1&heads=2&embd=16&ctx=16&batch=8&lr=0.01&steps=40&seed=1';
const VARIANTS = [
  { name: 'rmsnorm', arch: 'norm=rms_norm', says: /RMSNorm/ },
  { name: 'postnorm', arch: 'normpos=post', says: /post-norm/ },
  { name: 'sinusoidal', arch: 'positions=sinusoidal', says: /sine and cosine waves/ },
  { name: 'rotary', arch: 'positions=rotary', says: /rotary positions: nothing is added here/ },
  { name: 'relu', arch: 'ffn=relu', says: /applies ReLU/ },
  { name: 'swiglu', arch: 'ffn=swi_glu', says: /gated network \(SwiGLU\)/ },
  { name: 'untied', arch: 'head=untied', says: /Layer 0/ },
];
const ALL = 'norm=rms_norm&normpos=post&positions=rotary&ffn=swi_glu&head=untied';

/** Trains at `hash` to the end, checks the loss fell, opens Explore and returns what it shows. */
async function trainAndExplore(env, hash, backend) {
  const page = await env.newPage({ viewport: { width: 1280, height: 900 } });
  page.on('dialog', (d) => d.accept());
  await openTrain(page, env.url, hash);
  await page.click('#tr-start');
  await waitTrain(page, { status: 'done' });
  const s = await trainState(page);
  assert.equal(s.backend, backend);
  assert.equal(s.step, 40);
  const early = s.loss.slice(0, 5).reduce((a, b) => a + b) / 5;
  const late = s.loss.slice(-5).reduce((a, b) => a + b) / 5;
  assert.ok(late < early - 0.1, `${hash}: the loss must fall: mean of the first 5 steps ${early}, of the last 5 ${late}`);
  await exploreTrained(page);
  const shown = await page.evaluate(() => ({
    text: ['embeddings', 'layernorm', 'head', 'ffn'].map((v) => document.querySelector(`#view-${v}`).textContent).join('\n'),
    sinusoidalOpen: document.querySelector('#view-embeddings .positions-explainer')?.open ?? null,
    canvases: document.querySelectorAll('#view-embeddings canvas, #view-ffn canvas, #view-head canvas').length,
  }));
  // the model line's weight count is the number of values the trained checkpoint holds (a tied
  // head's lm_head.weight is wte stored a second time, as nanoGPT's state_dict has it)
  await page.waitForFunction(() => /[\d,]+ weights/.test(document.querySelector('#model').textContent), null, { timeout: LONG });
  const count = await page.evaluate(async () => {
    const bytes = await window.playgroundDebug.trainEngine.exportCheckpoint();
    const n = Number(new DataView(bytes.buffer, bytes.byteOffset).getBigUint64(0, true));
    const header = JSON.parse(new TextDecoder().decode(bytes.subarray(8, 8 + n)));
    const tied = window.playgroundDebug.config.tie_head !== false;
    const stored = Object.entries(header).filter(([k]) => k !== '__metadata__' && !(tied && k === 'lm_head.weight')).reduce((sum, [, t]) => sum + t.shape.reduce((a, b) => a * b, 1), 0);
    return { stored, shown: Number(document.querySelector('#model').textContent.match(/([\d,]+) weights/)[1].replace(/,/g, '')) };
  });
  assert.equal(count.shown, count.stored, `${hash}: the weights the page states are the checkpoint's`);
  return { page, s, early, late, shown };
}

let env;
before(async () => { env = await setup({ webgpu: false }); });
after(async () => { await env?.close(); });

for (const v of VARIANTS) {
  test(`cpu: the ${v.name} variant trains and every Explore view draws`, async () => {
    const { page, early, late, shown } = await trainAndExplore(env, `${TINY}&engine=cpu&${v.arch}`, 'cpu');
    console.log(`cpu ${v.name}: loss ${early.toFixed(3)} → ${late.toFixed(3)} over 40 steps`);
    assert.match(shown.text, v.says);
    assert.equal(shown.sinusoidalOpen, v.name === 'sinusoidal', 'the sinusoidal waves are open for sinusoidal models, an explainer otherwise');
    assert.ok(shown.canvases > 5);
    if (v.name === 'sinusoidal' || v.name === 'rotary') await page.screenshot({ path: join(ARTIFACTS, `train-variant-${v.name}-explore.png`), fullPage: false });
    assert.deepEqual(page.errors, []);
    await page.context().close();
  });
}

test('webgpu: the model with every choice changed trains and every Explore view draws', async () => {
  const gpuEnv = await setup({ webgpu: true });
  try {
    const { page, early, late, shown } = await trainAndExplore(gpuEnv, `${TINY}&engine=webgpu&${ALL}`, 'webgpu');
    console.log(`webgpu all variants: loss ${early.toFixed(3)} → ${late.toFixed(3)} over 40 steps`);
    assert.match(shown.text, /rotary positions: nothing is added here/);
    assert.match(shown.text, /RMSNorm/);
    assert.match(shown.text, /SwiGLU/);
    assert.deepEqual(page.errors, []);
    await page.context().close();
  } finally {
    await gpuEnv.close();
  }
});
