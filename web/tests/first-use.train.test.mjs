// The Train page as a first-time user meets it, with WebGPU switched off (the CPU engine): a size
// the engine cannot hold is refused before Start with its numbers; the page says up front that
// there is no WebGPU, and one message when WebGPU is chosen anyway; a custom size field that is
// not a number is marked aria-invalid and logs nothing; a checkpoint loaded with its optimizer
// shows its step, its loss history and the progress from there; Compare's B starts as another
// architecture, its selects as wide as their text at 1280 and 390 px. Screenshots in test-results/.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { setup, ARTIFACTS } from './harness.mjs';
import { openTrain, startDisabled, trainState, waitTrain } from './train-helpers.mjs';

const IMPOSSIBLE = 'page=train&data=grammar&preset=custom&layers=12&heads=16&embd=1024&ctx=1024&batch=512&lr=0.001&steps=500&seed=1&engine=auto';
const TINY = 'preset=custom&layers=1&heads=2&embd=16&ctx=16&batch=8&lr=0.01&seed=1&engine=auto';

let env;
before(async () => { env = await setup({ webgpu: false }); });
after(async () => { await env?.close(); });

async function newPage(options = {}) {
  const page = await env.newPage({ viewport: { width: 1280, height: 900 }, ...options });
  page.warnings = [];
  page.on('console', (msg) => { if (msg.type() === 'warning') page.warnings.push(msg.text()); });
  page.on('dialog', (d) => d.accept());
  return page;
}

const setupNotices = (page) => page.evaluate(() => [...document.querySelectorAll('#tr-setup .notice')].map((n) => n.textContent));

test('a size the engine cannot hold is refused before Start, with the estimate and the limit named', async () => {
  const page = await newPage();
  await openTrain(page, env.url, IMPOSSIBLE);
  assert.equal(await startDisabled(page), true, 'Start waits');
  assert.equal(await page.isDisabled('#tr-step'), true);
  assert.equal(await page.textContent('#tr-status'), 'Start waits: Set up says what to change first.');
  const notices = await setupNotices(page);
  assert.ok(notices.some((n) => /^Training this model needs about 1,824\.4 GB of memory, more than the 4 GiB the CPU engine can address \(it runs in WebAssembly, 32-bit\): lower the batch \(512\), the context \(1024\) or the sizes\.$/.test(n)), notices.join('\n'));
  assert.match(await page.textContent('#tr-estimate'), /about 1,824\.4 GB to train/);
  await page.screenshot({ path: join(ARTIFACTS, 'first-use-refused-1280.png') });
  await page.setViewportSize({ width: 390, height: 844 });
  await page.locator('#tr-size-notices .notice-warn').first().scrollIntoViewIfNeeded();
  assert.ok(await page.evaluate(() => document.documentElement.scrollWidth) <= 390, 'no sideways scrolling on a phone');
  await page.screenshot({ path: join(ARTIFACTS, 'first-use-refused-390.png') });
  await page.setViewportSize({ width: 1280, height: 900 });
  // a size that fits: Start is offered again
  await page.fill('#tr-batch', '4');
  await page.fill('#tr-ctx', '64');
  await page.fill('#tr-layers', '2');
  await page.fill('#tr-embd', '128');
  assert.deepEqual((await setupNotices(page)).filter((n) => /memory/.test(n)), []);
  assert.equal(await startDisabled(page), false);
  assert.equal(await page.textContent('#tr-status'), 'Ready: press Start.');
  assert.deepEqual(page.errors, []);
  await page.context().close();
});

test('without WebGPU the page says so before a run, and one message when WebGPU is chosen anyway', async () => {
  const page = await newPage();
  await openTrain(page, env.url, 'page=train&data=grammar&preset=tiny&engine=auto');
  assert.equal(await page.textContent('#tr-engine-line'), 'Auto: the CPU engine (WebAssembly), because this browser offers no WebGPU adapter.');
  await page.selectOption('#tr-engine', 'webgpu');
  const said = await page.evaluate(() => [...document.querySelectorAll('#train-page .notice, #tr-engine-line:not([hidden])')].map((n) => n.textContent).filter(Boolean));
  assert.deepEqual(said, ['This browser offers no WebGPU adapter, so the WebGPU engine cannot run here: choose Auto or CPU.']);
  assert.equal(await startDisabled(page), true);
  await page.screenshot({ path: join(ARTIFACTS, 'first-use-no-webgpu-1280.png') });
  await page.selectOption('#tr-engine', 'cpu');
  assert.equal(await page.textContent('#tr-engine-line'), 'The CPU engine (WebAssembly), as chosen.');
  assert.equal(await startDisabled(page), false);
  assert.doesNotMatch(await page.textContent('#train-page'), /falls back/);
  assert.deepEqual(page.errors, []);
  await page.context().close();
});

test('a custom size field that is not a number is aria-invalid, and typing it logs no warnings', async () => {
  const page = await newPage();
  await openTrain(page, env.url, 'page=train&data=grammar&preset=custom');
  for (const id of ['#tr-layers', '#tr-embd', '#tr-lr']) {
    await page.click(id, { clickCount: 3 });
    await page.keyboard.type('abc1e');
    assert.equal(await page.getAttribute(id, 'aria-invalid'), 'true', id);
  }
  await page.fill('#tr-embd', '32');
  assert.equal(await page.getAttribute('#tr-embd', 'aria-invalid'), null, 'valid again: no aria-invalid at all');
  await page.waitForTimeout(200); // warnings from the frame that draws
  assert.deepEqual(page.warnings, []);
  assert.deepEqual(page.errors, []);
  await page.context().close();
});

test('weights and optimizer loaded after a Reset show the run’s step, loss history and progress, and continue from there', async () => {
  const page = await newPage();
  await openTrain(page, env.url, `page=train&data=grammar&${TINY}&steps=500`); // far from its end when paused
  await page.click('#tr-start');
  await waitTrain(page, { minStep: 20 });
  await page.click('#tr-pause');
  await waitTrain(page, { status: 'paused' });
  const before = await trainState(page);
  const save = async (button) => {
    const [file] = await Promise.all([page.waitForEvent('download'), page.click(button)]);
    const path = join(ARTIFACTS, `first-use-${file.suggestedFilename()}`);
    await file.saveAs(path);
    return path;
  };
  const files = [await save('#tr-download'), await save('#tr-download-opt')];
  await page.click('#tr-reset');
  await waitTrain(page, { status: 'idle' });
  await page.setInputFiles('#tr-upload', files);
  await waitTrain(page, { status: 'loaded' });
  const loaded = await trainState(page);
  const at = before.step;
  assert.equal(loaded.step, at, 'the loaded step');
  assert.equal(loaded.stats.step, String(at));
  assert.deepEqual(loaded.loss, before.loss, 'the loss history from the file');
  assert.deepEqual(loaded.val.map((v) => [v.step, v.val]), before.val.map((v) => [v.step, v.val]));
  assert.match(loaded.progress, new RegExp(`^${at} of 500 steps.*saved at step ${at}$`));
  assert.match(await page.textContent('#tr-status'), new RegExp(`A run loaded at step ${at}: press Start training to continue it`));
  assert.equal(await page.evaluate(() => document.querySelector('#tr-chart .chart-empty').hidden), true, 'the chart shows the history');
  await page.screenshot({ path: join(ARTIFACTS, 'first-use-loaded-1280.png') });
  await page.click('#tr-step');
  await waitTrain(page, { status: 'paused', step: at + 1 });
  const next = await trainState(page);
  assert.equal(next.lastStep, at, 'the next step is the one after the loaded run');
  assert.equal(next.loss.length, at + 1, 'the history, then the new step');
  assert.match(next.progress, new RegExp(`^${at + 1} of 500 steps`));
  assert.deepEqual(page.errors, []);
  await page.context().close();
});

/** Every select of Compare's B is at least as wide as its longest choice needs (nothing is cut). */
function selectFits(page) {
  return page.evaluate(() => [...document.querySelectorAll('#tr-compare select')].map((s) => {
    const natural = s.cloneNode(true);
    natural.style.cssText = 'position: absolute; width: auto; min-width: 0; max-width: none; visibility: hidden';
    s.parentElement.append(natural);
    const need = natural.getBoundingClientRect().width;
    natural.remove();
    return { id: s.id, width: s.getBoundingClientRect().width, need, text: s.selectedOptions[0].textContent };
  }));
}

test('Compare’s B starts as another architecture than A, and its selects fit their text at 1280 and 390 px', async () => {
  const page = await newPage();
  await openTrain(page, env.url, `page=train&data=grammar&${TINY}&steps=10`);
  const b = await page.evaluate(() => Object.fromEntries(['family', 'layers', 'heads', 'embd', 'lr', 'norm', 'positions', 'ffn'].map((f) => [f, document.querySelector(`#cmp-${f}`).value])));
  assert.deepEqual(b, { family: 'decoder', layers: '1', heads: '2', embd: '16', lr: '0.01', norm: 'rms_norm', positions: 'rotary', ffn: 'swi_glu' });
  for (const [width, scheme] of [[1280, 'light'], [390, 'light'], [390, 'dark'], [1280, 'dark']]) {
    await page.setViewportSize({ width, height: 900 });
    await page.emulateMedia({ colorScheme: scheme });
    for (const s of await selectFits(page)) assert.ok(s.width >= s.need - 0.5, `${width} px: ${s.id} is ${s.width} px for “${s.text}”, needs ${s.need}`);
    await page.locator('section:has(> #tr-compare)').screenshot({ path: join(ARTIFACTS, `first-use-compare-${width}-${scheme}.png`) });
  }
  // the two curves differ from the first step
  await page.setViewportSize({ width: 1280, height: 900 });
  await page.click('#cmp-start');
  await page.waitForFunction(() => ['done', 'failed'].includes(window.playgroundDebug.train.compare.status), null, { timeout: 240_000 });
  const sides = await page.evaluate(() => window.playgroundDebug.train.compare.sides.map((s) => ({ loss: [...s.loss], ffn: s.settings.ffn })));
  assert.deepEqual(sides.map((s) => s.ffn), ['gelu', 'swi_glu']);
  assert.notEqual(sides[0].loss[0], sides[1].loss[0]);
  assert.deepEqual(page.errors, []);
  await page.context().close();
});
