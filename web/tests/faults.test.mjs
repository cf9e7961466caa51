// Faults around the Train page's autosave, in headless Chromium on the CPU engine (a tiny model,
// so each test takes seconds): the storage quota is exhausted while saving (a message, and
// training goes on), the tab reloads in the middle of steps and of saves (the run comes back
// whole from its last save: nothing half-written), two tabs train at once (each keeps its own
// run, storage.js says how), three tabs closed abruptly leave three runs that new tabs list and
// open, the highest learning rate the page allows trains without a
// non-finite step while a higher one is refused with a message, and a diverged model (weights
// near the float32 maximum) overflows in its first step: caught in that step, paused, a message,
// the weights rolled back. The injected NaN and the lost GPU device (a real device.destroy())
// are in train.webgpu.test.mjs.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { setup } from './harness.mjs';
import { openTrain, startDisabled, trainState, waitTrain, exportedWeights, tensors } from './train-helpers.mjs';

const TINY = 'preset=custom&layers=1&heads=2&embd=16&ctx=16&batch=4&lr=0.003&seed=2&engine=cpu';
const FULL = /This browser’s storage for the page is full, so the run is not being saved; training goes on/;

let env;
before(async () => { env = await setup({ webgpu: false }); });
after(async () => { await env?.close(); });

/** A page in a fresh browser context (its own storage), or in `context` (another tab beside). */
async function newTab(context) {
  const page = context ? await context.newPage() : await env.newPage({ viewport: { width: 1280, height: 900 } });
  if (context) {
    page.errors = [];
    page.on('pageerror', (err) => page.errors.push(String(err)));
    page.on('console', (msg) => { if (msg.type() === 'error') page.errors.push(msg.text()); });
  }
  page.on('dialog', (d) => d.accept());
  return page;
}

/** The restored run is whole: steps 0 … n − 1 once each, the step it was saved at, no error. */
function assertWhole(s, why) {
  assert.equal(s.steps, s.step, `${why}: ${s.steps} losses for ${s.step} steps`);
  if (s.step > 0) {
    assert.equal(s.firstStep, 0, why);
    assert.equal(s.lastStep, s.step - 1, why);
  }
  assert.ok(s.loss.every(Number.isFinite), `${why}: finite losses`);
  assert.doesNotMatch(s.notices, /could not be (opened|restored|read)/, why);
}

test('storage quota exhausted while autosaving: a message, and training goes on; saving resumes once there is room', async () => {
  const page = await newTab();
  await openTrain(page, env.url, `page=train&data=grammar&${TINY}&steps=1000000`);
  const cdp = await page.context().newCDPSession(page);
  const origin = new URL(env.url).origin;
  await cdp.send('Storage.overrideQuotaForOrigin', { origin, quotaSize: 1024 }); // bytes: a checkpoint needs more
  await page.click('#tr-start');
  await waitTrain(page, { status: 'running', minStep: 50 });
  const full = await trainState(page);
  assert.match(full.notices, FULL, 'the message is on the page while it trains');
  assert.equal(full.saved, null, 'nothing was saved');
  await page.click('#tr-pause'); // a save on pause fails too; the run stays in the tab
  await waitTrain(page, { status: 'paused' });
  assert.match((await trainState(page)).notices, FULL);
  await page.click('#tr-start');
  const before = (await trainState(page)).step;
  await waitTrain(page, { status: 'running', minStep: before + 30 });

  await cdp.send('Storage.overrideQuotaForOrigin', { origin }); // the quota back to normal
  await page.click('#tr-pause');
  await waitTrain(page, { status: 'paused' });
  const ok = await trainState(page);
  assert.equal(ok.saved?.step, ok.step, 'saved on pause once there is room');
  assert.doesNotMatch(ok.notices, FULL, 'the message is gone');
  await page.reload();
  await openTrain(page, env.url, 'page=train');
  await waitTrain(page, { status: 'paused', step: ok.step });
  assertWhole(await trainState(page), 'after the reload');
  assert.deepEqual(page.errors, []);
  await page.context().close();
});

test('reloads in the middle of steps and of saves: the run always comes back whole from its last completed save', async () => {
  const page = await newTab();
  await openTrain(page, env.url, `page=train&data=grammar&${TINY}&steps=100000`);
  await page.click('#tr-start');
  await waitTrain(page, { status: 'running', minStep: 20 });
  const delays = [0, 10, 40, 150]; // ms after asking for a save: before, during and after it
  let last = 0;
  for (const ms of delays) {
    // the tab "is hidden": the trainer saves at its next turn (as when a tab is closed); then the reload cuts in
    await page.evaluate(() => {
      Object.defineProperty(document, 'hidden', { configurable: true, get: () => true });
      document.dispatchEvent(new Event('visibilitychange'));
    });
    await page.waitForTimeout(ms);
    const at = await page.evaluate(() => ({ step: window.playgroundDebug.train.step, saved: window.playgroundDebug.train.saved?.step ?? null }));
    await page.reload();
    await openTrain(page, env.url, 'page=train');
    await waitTrain(page, { status: 'paused' });
    const s = await trainState(page);
    assertWhole(s, `reload ${ms} ms after a save was asked for`);
    assert.ok(s.step >= (at.saved ?? 0) && s.step <= at.step + 64, `restored at ${s.step}: last save seen ${at.saved}, step ${at.step} at the reload`);
    assert.ok(s.step >= last, `the restored step never goes back: ${s.step} after ${last}`);
    assert.match(s.notices, /Restored your run at step \d+ from this browser’s storage/);
    last = s.step;
    await page.click('#tr-start'); // and it trains on from there
    await waitTrain(page, { status: 'running', minStep: s.step + 10 });
  }
  assert.deepEqual(page.errors, []);
  await page.context().close();
});

test('two tabs train at once: each keeps its own saved run; a new tab opens the newest as a copy', async () => {
  const a = await newTab();
  const context = a.context();
  await openTrain(a, env.url, `page=train&data=grammar&${TINY}&steps=1000000`);
  await a.click('#tr-start');
  await waitTrain(a, { status: 'running', minStep: 30 });

  // tab B, beside it: it opens A's run as a copy (A is still open); B discards the copy and
  // starts its own run on another task
  const b = await newTab(context);
  await openTrain(b, env.url, 'page=train');
  await waitTrain(b, { status: 'paused' });
  assert.match((await trainState(b)).notices, /Restored your run at step \d+/);
  await b.click('#tr-reset');
  await waitTrain(b, { status: 'idle' });
  await b.selectOption('#tr-data', 'sort');
  await b.click('#tr-start');
  // both train at the same time, each saving (on pause) while the other runs
  await waitTrain(b, { status: 'running', minStep: 40 });
  await a.click('#tr-pause');
  await waitTrain(a, { status: 'paused' });
  await waitTrain(b, { minStep: (await trainState(b)).step + 20 });
  await b.click('#tr-pause');
  await waitTrain(b, { status: 'paused' });
  const sa = await trainState(a);
  const sb = await trainState(b);
  const dataOf = (p) => p.evaluate(() => window.playgroundDebug.train.run.data.task);
  assert.equal(await dataOf(a), 'grammar');
  assert.equal(await dataOf(b), 'sort');

  for (const [tab, s, task] of [[a, sa, 'grammar'], [b, sb, 'sort']]) {
    await tab.reload();
    await openTrain(tab, env.url, 'page=train');
    await waitTrain(tab, { status: 'paused', step: s.step });
    const r = await trainState(tab);
    assertWhole(r, `${task} tab after its reload`);
    assert.deepEqual(r.loss, s.loss, `${task}: the same loss history`);
    assert.equal(await dataOf(tab), task);
  }
  // a third tab opens the newest run (B's, saved last) as a copy; A and B keep theirs
  const c = await newTab(context);
  await openTrain(c, env.url, 'page=train');
  await waitTrain(c, { status: 'paused', step: sb.step });
  assert.equal(await dataOf(c), 'sort');
  assert.deepEqual([...a.errors, ...b.errors, ...c.errors], []);
  await context.close();
});

test('three tabs training are closed abruptly; three new tabs list all three runs, and each run can be opened', async () => {
  const first = await newTab();
  const context = first.context();
  const tasks = ['grammar', 'sort', 'copy'];
  const tabs = [first, await newTab(context), await newTab(context)];
  for (const [i, tab] of tabs.entries()) {
    await openTrain(tab, env.url, `page=train&data=${tasks[i]}&${TINY}&steps=1000000`);
    if (i > 0) { // a tab beside a running one opens that run as a copy: this one starts its own
      await waitTrain(tab, { status: 'paused' });
      await tab.click('#tr-reset');
      await waitTrain(tab, { status: 'idle' });
      await tab.selectOption('#tr-data', tasks[i]);
    }
    await tab.click('#tr-start');
    await waitTrain(tab, { status: 'running', minStep: 20 });
  }
  // each has saved at least once (the autosave runs every few seconds while training)
  for (const tab of tabs) await tab.waitForFunction(() => window.playgroundDebug.train.saved?.step > 0, null, { timeout: 60_000 });
  for (const tab of tabs) await tab.close({ runBeforeUnload: false }); // no pause, no final save

  const reopened = [await newTab(context), await newTab(context), await newTab(context)];
  const dataOf = (p) => p.evaluate(() => window.playgroundDebug.train.run.data.task);
  const listed = async (p) => p.evaluate(() => [...document.querySelectorAll('#tr-saved-runs li')].map((li) => ({ id: li.dataset.run, text: li.textContent })));
  for (const tab of reopened) {
    await openTrain(tab, env.url, 'page=train');
    await waitTrain(tab, { status: 'paused' });
  }
  await reopened[2].waitForFunction(() => document.querySelectorAll('#tr-saved-runs li').length >= 3, null, { timeout: 30_000 });
  const runs = await listed(reopened[2]);
  for (const task of tasks) assert.ok(runs.some((r) => r.text.includes(`the ${task} task`)), `the ${task} run is listed: ${JSON.stringify(runs)}`);
  // open each task's run in its own tab: all three are reachable, each whole
  for (const [i, task] of tasks.entries()) {
    const tab = reopened[i];
    if ((await dataOf(tab)) !== task) {
      const id = (await listed(tab)).find((r) => r.text.includes(`the ${task} task`)).id;
      await tab.click(`#tr-saved-runs li[data-run="${id}"] button`);
      await tab.waitForFunction((t) => window.playgroundDebug.train.run?.data.task === t && window.playgroundDebug.train.status === 'paused', task, { timeout: 60_000 });
    }
    const s = await trainState(tab);
    assert.equal(await dataOf(tab), task);
    assert.ok(s.step >= 20, `${task}: the run came back at step ${s.step}`);
    assertWhole(s, `${task} reopened`);
  }
  assert.deepEqual(reopened.flatMap((t) => t.errors), []);
  await context.close();
});

test('learning rate: the highest the page allows (1) trains with finite losses; a higher one is refused with a message', async () => {
  const page = await newTab();
  await openTrain(page, env.url, `page=train&data=grammar&${TINY.replace('lr=0.003', 'lr=5')}&steps=150`);
  const refused = await trainState(page);
  assert.match(refused.notices, /From the address: lr must be from 0\.00001 to 1; using 0\.01 instead/);
  await page.fill('#tr-lr', '1000');
  assert.match(await page.textContent('#tr-train-notices'), /Learning rate must be from 0\.00001 to 1 \(it is 1000\)/);
  assert.equal(await startDisabled(page), true);
  await page.fill('#tr-lr', '1');
  await page.click('#tr-start');
  await waitTrain(page, { status: 'done' });
  const s = await trainState(page);
  assert.equal(s.step, 150);
  assert.equal(s.lastError, null, 'no non-finite step: AdamW moves each weight by at most about the learning rate, and gradients are clipped to 1');
  assert.ok(s.loss.every(Number.isFinite));
  assert.deepEqual(page.errors, []);
  await page.context().close();
});

/** The copy-task fixture with every weight of its first MLP set to `value` (finite, but the step overflows). */
function diverged(value) {
  const bytes = Buffer.from(readFileSync(new URL('./fixtures/tiny-copy.safetensors', import.meta.url)));
  const n = Number(bytes.readBigUInt64LE(0));
  const { data_offsets: [from, to] } = JSON.parse(bytes.subarray(8, 8 + n).toString())['transformer.h.0.mlp.c_fc.weight'];
  for (let at = 8 + n + from; at < 8 + n + to; at += 4) bytes.writeFloatLE(value, at);
  return bytes;
}

test('a diverged model: the first step overflows, is caught in that step, pauses with a message, and the weights roll back', async () => {
  const page = await newTab();
  await openTrain(page, env.url, `page=train&data=copy&${TINY}&steps=50`);
  const bytes = diverged(3e38);
  await page.setInputFiles('#tr-upload', { name: 'diverged.safetensors', mimeType: 'application/octet-stream', buffer: bytes });
  await waitTrain(page, { status: 'loaded' });
  const loaded = await exportedWeights(page);
  await page.click('#tr-step');
  await waitTrain(page, { status: 'paused', error: 'NonFinite' });
  const s = await trainState(page);
  assert.match(s.notices, /Training paused: a step gave a loss or gradient that is not a finite number/);
  assert.match(s.notices, /back at its last good state, step 0/);
  assert.equal(s.step, 0, 'the broken step is not counted');
  assert.equal(s.steps, 0, 'and not recorded');
  const after = tensors(await exportedWeights(page));
  for (const [name, data] of tensors(loaded)) assert.ok(after.get(name).equals(data), `${name}: the weights are those loaded, not the overflowed ones`);
  assert.deepEqual(page.errors, []);
  await page.context().close();
});
