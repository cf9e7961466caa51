// The Train page in headless Chromium with real WebGPU (SwiftShader, on the CPU: ~0.25 s a
// step for this small model). One run of the grammar task goes through everything a user can
// do to it: Start, Pause (the step counter stops), Resume (it continues from the same step),
// a reload (the run comes back from IndexedDB with its loss history), a NaN step (paused, a
// message, the weights rolled back), a lost GPU device (rebuilt from the autosave), to the end
// with the validation loss below a stated bound; then download → upload gives identical
// weights, and a corrupt or foreign file is refused with a message. No console errors.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setup, ARTIFACTS } from './harness.mjs';
import { openTrain, startDisabled, trainState, waitTrain, exportedWeights, tensors, metadata, LONG } from './train-helpers.mjs';

// The model of training-engine.test.mjs: 1 layer, 2 heads, C = 16, context 16, batch 8.
const HASH = 'page=train&data=grammar&preset=custom&layers=1&heads=2&embd=16&ctx=16&batch=8&lr=0.01&steps=100&seed=3&engine=webgpu';
const START_VAL_MIN = 3.0; // ln 25 = 3.22: an untrained model guesses among the grammar's 25 characters
const VAL_BOUND = 2.3; // the validation loss after 100 steps is below this (measured: about 1.5)

let env;
let page;
before(async () => {
  env = await setup({ webgpu: true });
  page = await env.newPage({ viewport: { width: 1280, height: 900 } });
  page.on('dialog', (d) => d.accept()); // "Replace the current run?"
});
after(async () => { await env?.close(); });

/** Steps 0, 1, …, n − 1 in order: no step lost or repeated. */
function assertContiguous(s) {
  assert.equal(s.steps, s.step, `${s.steps} losses recorded for ${s.step} steps`);
  assert.equal(s.firstStep, 0);
  assert.equal(s.lastStep, s.step - 1);
}

test('webgpu: train, pause, resume, reload from IndexedDB, NaN and lost-device faults, validation loss below the bound', async () => {
  await openTrain(page, env.url, HASH);
  const t0 = Date.now();
  await page.click('#tr-start');
  await waitTrain(page, { status: 'running', minStep: 30 });
  const firstSteps = Date.now() - t0;

  // Pause: the counter stops (and the run is saved); Resume: it goes on from the same step
  await page.click('#tr-pause');
  await waitTrain(page, { status: 'paused' });
  const p1 = await trainState(page);
  await page.waitForTimeout(1500);
  const p2 = await trainState(page);
  assert.equal(p2.step, p1.step, 'no steps while paused');
  assert.equal(p1.saved?.step, p1.step, 'saved on pause');
  assertContiguous(p1);
  assert.equal(p1.start.text, 'Resume');
  await page.click('#tr-start');
  await waitTrain(page, { minStep: p1.step + 3 });
  const r1 = await trainState(page);
  assertContiguous(r1);
  assert.deepEqual(r1.loss.slice(0, p1.steps), p1.loss, 'the history before the pause is kept');

  // Reload: the run comes back at the step it was saved at, with its loss history
  await waitTrain(page, { minStep: 55 });
  await page.click('#tr-pause');
  await waitTrain(page, { status: 'paused' });
  const before = await trainState(page);
  await page.reload();
  await openTrain(page, env.url, HASH);
  await waitTrain(page, { status: 'paused' });
  const restored = await trainState(page);
  assert.equal(restored.step, before.step, 'the same step after a reload');
  assert.deepEqual(restored.loss, before.loss, 'the same loss history');
  assert.deepEqual(restored.val, before.val, 'the same validation points');
  assert.match(restored.notices, /Restored your run at step \d+ from this browser’s storage, with its loss history/);
  assert.equal(restored.backend, 'webgpu');
  assert.equal(restored.stats.step, String(before.step));
  assert.match(restored.stats.loss, /^\d\.\d+$/, 'the running average is shown');
  assert.equal(restored.stats.engine, 'WebGPU');
  // the adapter named by GPUAdapterInfo's vendor and architecture, which wgpu leaves out, and
  // what its launches are sized for (a software fallback: not tuned, the emulator's shapes)
  assert.equal(restored.statTitles.engine, 'google swiftshader; launches sized for a CPU emulating a GPU, the adapter is a software fallback');
  await page.screenshot({ path: join(ARTIFACTS, 'train-webgpu-restored-1280.png'), fullPage: true });

  // A NaN step: the weights are poisoned, Step is refused, the page pauses with a message and
  // the model is back at its last good state (the weights from before the poison)
  const good = await exportedWeights(page);
  await page.evaluate(() => window.playgroundDebug.trainEngine.injectFault('nan'));
  await page.click('#tr-step');
  await waitTrain(page, { status: 'paused', error: 'NonFinite' });
  const nan = await trainState(page);
  assert.match(nan.notices, /Training paused: a step gave a loss or gradient that is not a finite number/);
  assert.match(nan.notices, new RegExp(`back at its last good state, step ${before.step}`));
  assert.match(nan.notices, /lower it, then press Resume/);
  assert.equal(nan.step, before.step, 'the refused step is not counted');
  assert.ok((await exportedWeights(page)).equals(good), 'the weights after the refused step equal those before the poison');

  // Resume; then the GPU device is lost while training: rebuilt from the autosave, paused
  await page.click('#tr-start');
  await waitTrain(page, { status: 'running', minStep: before.step + 3 });
  await page.evaluate(() => window.playgroundDebug.trainEngine.injectFault('device-lost'));
  await waitTrain(page, { status: 'paused', error: 'DeviceLost' });
  const lost = await trainState(page);
  assert.match(lost.notices, /The GPU device was lost .*rebuilt from the autosave at step \d+/s);
  assert.equal(lost.step, Number(/autosave at step (\d+)/.exec(lost.notices)[1]));
  assert.ok(lost.step >= before.step, `rebuilt at step ${lost.step}`);
  assertContiguous(lost);
  assert.equal(lost.backend, 'webgpu');

  // Resume to the end
  await page.click('#tr-start');
  await waitTrain(page, { status: 'done' });
  const end = await trainState(page);
  assertContiguous(end);
  assert.equal(end.step, 100);
  const first = end.val[0];
  const last = end.val.at(-1);
  assert.equal(first.step, 0);
  assert.equal(last.step, 100);
  console.log(`webgpu grammar: val loss ${first.val.toFixed(3)} at step 0 → ${end.val.map((v) => `${v.val.toFixed(2)}@${v.step}`).join(', ')}; ` +
    `${end.meanMsPerStep.toFixed(0)} ms/step = ${Math.round((8 * 16 * 1000) / end.meanMsPerStep)} tokens/s on average since the reload ` +
    `(the first 30 steps took ${(firstSteps / 1000).toFixed(1)} s from Start, engine creation included)`);
  assert.ok(first.val > START_VAL_MIN, `starts near ln V: ${first.val}`);
  assert.ok(last.val < VAL_BOUND, `validation loss after 100 steps ${last.val} ≥ ${VAL_BOUND}`);
  assert.ok(end.samples >= 5, 'a sample at every evaluation');
  assert.equal(end.probeStep, 100, 'the attention maps show the last step');
  writeFileSync(join(ARTIFACTS, 'train-webgpu-run.json'), JSON.stringify({ val: end.val, meanMsPerStep: end.meanMsPerStep, stats: end.stats }, null, 2));
  assert.deepEqual(page.errors, []);
});

test('webgpu: download then upload gives identical weights; corrupt and foreign files are refused with a message', async () => {
  const ids = [0, 1, 2, 3, 4, 5, 6, 7];
  const logits = () => page.evaluate(async (ids) => Array.from((await window.playgroundDebug.trainEngine.forward(ids, ['logits'])).logits.data), ids);
  const before = await logits();
  const [file] = await Promise.all([page.waitForEvent('download'), page.click('#tr-download')]);
  assert.equal(file.suggestedFilename(), 'playground-grammar-step100.safetensors');
  const path = join(ARTIFACTS, file.suggestedFilename());
  await file.saveAs(path);
  const bytes = readFileSync(path);

  await page.setInputFiles('#tr-upload', path);
  await waitTrain(page, { status: 'loaded' });
  const loaded = await trainState(page);
  assert.match(loaded.notices, /Loaded playground-grammar-step100\.safetensors: 1 layer, 2 heads, C = 16, context 16, a vocabulary of 25, trained for 100 steps on the grammar task/);
  const exported = await exportedWeights(page);
  assert.deepEqual(tensors(exported), tensors(bytes), 'the uploaded model exports the very tensors that were downloaded');
  assert.equal(JSON.parse(metadata(bytes).history).steps.length, 100, 'the download keeps the loss history of its 100 steps');
  assert.deepEqual(metadata(exported), metadata(bytes), 'and the same metadata, the loss history included');
  assert.deepEqual(await logits(), before, 'the same logits, exactly');

  // the uploaded model trains further: one Step (a fresh optimizer, step 0)
  await page.click('#tr-step');
  await waitTrain(page, { status: 'paused', step: 1 });

  const refused = async (name, buffer, pattern) => {
    await page.setInputFiles('#tr-upload', { name, mimeType: 'application/octet-stream', buffer });
    await page.waitForFunction(() => /was refused|not loaded|could not be loaded|optimizer state only/.test(document.querySelector('#tr-file-notices').textContent), null, { timeout: LONG });
    const text = await page.textContent('#tr-file-notices');
    assert.match(text, pattern, text);
    const s = await trainState(page);
    assert.equal(s.status, 'paused', 'the current run is unchanged');
    assert.equal(s.step, 1);
  };
  await refused('truncated.safetensors', bytes.subarray(0, bytes.length - 10), /This file was refused: truncated\.safetensors: checkpoint refused: not a valid safetensors file/);
  await refused('notes.safetensors', Buffer.from('hello, I am not a checkpoint'), /This file was refused: notes\.safetensors: checkpoint refused/);
  const foreign = safetensors({ 'transformer.wte.weight': [2, 2] }, { format: 'pt' });
  await refused('foreign.safetensors', foreign, /This file was refused: foreign\.safetensors: checkpoint refused: .*format/);
  await page.screenshot({ path: join(ARTIFACTS, 'train-webgpu-refused-1280.png'), fullPage: true });
  assert.deepEqual(page.errors, []);
});

test('webgpu: a model too big for one buffer of this device is refused before Start, though its weights are few', async () => {
  const big = await env.newPage({ viewport: { width: 1280, height: 900 } });
  // 0.9M weights, but one layer's attention weights for batch 512 × 16 heads × context 256² need 2.1 GB in one buffer
  await openTrain(big, env.url, 'page=train&data=grammar&preset=custom&layers=1&heads=16&embd=256&ctx=256&batch=512&lr=0.001&steps=10&engine=webgpu');
  const limit = await big.evaluate(() => navigator.gpu.requestAdapter().then((a) => a.limits.maxStorageBufferBindingSize));
  assert.match(await big.textContent('#tr-size-notices'),
    new RegExp(`Too big for one buffer of this GPU, which holds at most ${(limit / 1e9).toFixed(1)} GB \\(maxStorageBufferBindingSize\\): one layer’s attention weights \\(B×NH×T×T\\) 2\\.1 GB\\. Lower the batch or the context, or choose the CPU engine\\.`));
  assert.equal(await startDisabled(big), true, 'nothing is allocated: Start waits');
  await big.fill('#tr-batch', '16');
  assert.doesNotMatch(await big.textContent('#tr-size-notices'), /Too big/);
  assert.equal(await startDisabled(big), false, 'a batch that fits: Start can be pressed');
  assert.deepEqual(big.errors, []);
  await big.context().close();
});

/** A small valid safetensors file of zeros with `meta` in its header: someone else's. */
function safetensors(shapes, meta) {
  const header = { __metadata__: meta };
  let offset = 0;
  for (const [name, shape] of Object.entries(shapes)) {
    const n = shape.reduce((a, b) => a * b, 1) * 4;
    header[name] = { dtype: 'F32', shape, data_offsets: [offset, offset + n] };
    offset += n;
  }
  let json = JSON.stringify(header);
  while (json.length % 8) json += ' ';
  const out = Buffer.alloc(8 + json.length + offset);
  out.writeBigUInt64LE(BigInt(json.length), 0);
  out.write(json, 8);
  return out;
}
