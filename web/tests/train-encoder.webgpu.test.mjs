// The encoder families on the Train page with real WebGPU (SwiftShader): a masked LM and a
// [CLS] classifier each train a few steps on the WebGPU engine and on the CPU engine from the
// same seed, and the two agree (losses, validation losses, predictions). Then a masked-LM run
// comes back whole from a reload (the autosave) and from its downloaded checkpoint: the same
// family, step, config, page and predictions. No console errors.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { setup, ARTIFACTS, maxAbsDiff } from './harness.mjs';
import { exploreTrained, openTrain, trainState, waitTrain } from './train-helpers.mjs';

// 1 layer, 2 heads, C = 16, context 16, batch 8, 50 steps: ~0.25 s a step on SwiftShader
const SIZE = 'preset=custom&layers=1&heads=2&embd=16&ctx=16&batch=8&lr=0.01&steps=50&seed=1';
const LOSS_TOL = 2e-3; // WebGPU vs CPU after 50 AdamW steps (f32 sums in another order)
const PROB_TOL = 5e-3;

let env;
before(async () => { env = await setup({ webgpu: true }); });
after(async () => { await env?.close(); });

/** The finished run in numbers: engine, losses, the last predictions, the model's config. */
function runState(page) {
  return page.evaluate(() => {
    const d = window.playgroundDebug;
    const run = d.train.run;
    return {
      backend: d.train.engine?.backend ?? null,
      family: run.settings.family,
      formFamily: document.querySelector('#tr-family').value,
      title: document.querySelector('#tr-samples-title').textContent,
      config: { ...d.trainEngine.config },
      loss: Array.from(run.loss),
      val: run.val.map((v) => ({ ...v })),
      last: run.samples.at(-1),
    };
  });
}

/** Every probability the predictions show, in order (mlm: the top guesses; cls: the class probabilities). */
function shownProbs(sample) {
  return sample.kind === 'cls' ? sample.rows.flatMap((r) => r.probs) : sample.hidden.flatMap((h) => h.top.map((g) => g.p));
}

/** The model's probabilities for a fixed input, read from the engine now. */
function probs(page, ids) {
  return page.evaluate(async (ids) => Array.from((await window.playgroundDebug.trainEngine.forward(Uint32Array.from(ids), ['probs'])).probs.data), ids);
}

async function train(page, family, data, engine) {
  await openTrain(page, env.url, `page=train&family=${family}&data=${data}&${SIZE}&engine=${engine}`);
  await page.click('#tr-start');
  await waitTrain(page, { status: 'done' });
  const s = await trainState(page);
  assert.equal(s.step, 50);
  assert.equal(s.backend, engine);
  return runState(page);
}

for (const [family, data] of [['mlm', 'copy'], ['cls', 'balanced']]) {
  test(`webgpu: a ${family} run trains on the WebGPU engine and matches the CPU engine from the same seed`, async () => {
    const gpuPage = await env.newPage({ viewport: { width: 1280, height: 900 } });
    const gpu = await train(gpuPage, family, data, 'webgpu');
    await gpuPage.screenshot({ path: join(ARTIFACTS, `train-${family}-webgpu-1280.png`), fullPage: true });
    const cpuPage = await env.newPage({ viewport: { width: 1280, height: 900 } });
    const cpu = await train(cpuPage, family, data, 'cpu');
    assert.equal(gpu.family, family);
    assert.equal(gpu.last.kind, family);
    assert.equal(gpu.title, 'What it predicts');
    assert.equal(gpu.loss.length, 50);
    assert.ok(gpu.loss.every(Number.isFinite), gpu.loss.join());
    if (family === 'cls') assert.ok(Math.abs(gpu.val[0].val - Math.LN2) < 0.1, `two classes: starts near ln 2, ${gpu.val[0].val}`);
    else assert.ok(gpu.val.at(-1).val < gpu.val[0].val, `the masked-LM validation loss falls: ${gpu.val.map((v) => v.val).join(' → ')}`);
    const dLoss = maxAbsDiff(gpu.loss, cpu.loss);
    const dVal = maxAbsDiff(gpu.val.map((v) => v.val), cpu.val.map((v) => v.val));
    const dProb = maxAbsDiff(shownProbs(gpu.last), shownProbs(cpu.last));
    console.log(`${family} webgpu vs cpu, 50 steps: val ${gpu.val.map((v) => v.val.toFixed(4)).join(' → ')}; max |Δ| loss ${dLoss.toExponential(2)}, val ${dVal.toExponential(2)}, shown probabilities ${dProb.toExponential(2)}`);
    assert.ok(dLoss < LOSS_TOL, `training losses differ by ${dLoss}`);
    assert.ok(dVal < LOSS_TOL, `validation losses differ by ${dVal}`);
    assert.ok(dProb < PROB_TOL, `predictions differ by ${dProb}`);
    if (family === 'mlm') assert.deepEqual(gpu.last.hidden.map((h) => h.position), cpu.last.hidden.map((h) => h.position));
    assert.deepEqual(gpuPage.errors, []);
    assert.deepEqual(cpuPage.errors, []);
    await gpuPage.context().close();
    await cpuPage.context().close();
  });
}

test('webgpu: a masked-LM run comes back from a reload and from its downloaded checkpoint with its family, step, config and predictions', async () => {
  const page = await env.newPage({ viewport: { width: 1280, height: 900 } });
  page.on('dialog', (d) => d.accept()); // "Replace the current run?"
  const hash = `page=train&family=mlm&data=copy&${SIZE}&engine=webgpu`;
  const trained = await train(page, 'mlm', 'copy', 'webgpu');
  const ids = [...Array(16).keys()].map((i) => i % trained.config.vocab_size);
  const before = await probs(page, ids);

  // the autosave: a reload restores the finished run
  await page.reload();
  await openTrain(page, env.url, hash);
  await waitTrain(page, { status: 'done' });
  const restored = await runState(page);
  const s = await trainState(page);
  assert.equal(s.step, 50);
  assert.match(s.notices, /Restored your run at step 50 from this browser’s storage/);
  assert.equal(restored.backend, 'webgpu');
  assert.equal(restored.family, 'mlm');
  assert.equal(restored.formFamily, 'mlm');
  assert.equal(restored.title, 'What it predicts');
  assert.deepEqual(restored.config, trained.config);
  assert.deepEqual(restored.val, trained.val);
  assert.deepEqual(restored.last, trained.last, 'the predictions list is the same');
  assert.deepEqual(await probs(page, ids), before, 'the same probabilities, exactly');
  assert.equal(await page.locator('#tr-samples li.sample[data-kind="mlm"]').count() > 0, true, 'the masked-LM predictions are drawn');

  // download → reset → upload: the checkpoint knows it is a masked LM
  const [file] = await Promise.all([page.waitForEvent('download'), page.click('#tr-download')]);
  assert.equal(file.suggestedFilename(), 'playground-copy-step50.safetensors');
  const path = join(ARTIFACTS, `mlm-${file.suggestedFilename()}`);
  await file.saveAs(path);
  await page.click('#tr-reset');
  await waitTrain(page, { status: 'idle' });
  await page.selectOption('#tr-family', 'decoder');
  await page.setInputFiles('#tr-upload', { name: 'mlm.safetensors', mimeType: 'application/octet-stream', buffer: readFileSync(path) });
  await waitTrain(page, { status: 'loaded' });
  const loaded = await runState(page);
  assert.match(await page.textContent('#tr-file-notices'), /Loaded mlm\.safetensors: 1 layer, 2 heads, C = 16, context 16, .*trained for 50 steps on the copy task/);
  assert.equal(loaded.family, 'mlm');
  assert.equal(loaded.formFamily, 'mlm', 'the Family choice follows the checkpoint');
  assert.deepEqual(loaded.config, trained.config);
  assert.deepEqual(await probs(page, ids), before, 'the same probabilities, exactly');
  // it explores as a masked LM
  await exploreTrained(page);
  assert.match(await page.textContent('#model'), /a BERT-style encoder \(masked LM\)/);
  assert.deepEqual(page.errors, []);
  await page.context().close();
});
