// The Train page with WebGPU switched off, so the CPU engine trains (Auto falls back): two
// tasks learn to a stated validation loss; the weights and optimizer files continue a run
// exactly; "Explore this model" shows the trained model; the user's own text and the form's
// checks give messages; screenshots mid-run at 1280 and 390 px, light and dark. No console errors.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setup, ARTIFACTS } from './harness.mjs';
import { exploreTrained, openTrain, startDisabled, trainState, waitTrain, LONG } from './train-helpers.mjs';

// The Tiny preset's model (1 layer, 2 heads, C = 32, context 32, batch 16, lr 0.01) for 200 steps
const TINY_200 = 'preset=custom&layers=1&heads=2&embd=32&ctx=32&batch=16&lr=0.01&steps=200&seed=1&engine=auto';
// validation loss: above `start` untrained (ln V: 3.22 for grammar, 2.20 for sort), below `bound` after 200 steps
const TASKS = [
  { task: 'grammar', start: 3.0, bound: 1.0 }, // measured: 3.24 → 0.65
  { task: 'sort', start: 2.1, bound: 1.8 }, // measured: 2.30 → 1.61
];

const MAX_TASK_MS = 400; // ms the main thread may be busy at once while training (typically under 100; the 2 shared test cores add noise)

let env;
before(async () => { env = await setup({ webgpu: false }); });
after(async () => { await env?.close(); });

async function newPage(options = {}) {
  const page = await env.newPage({ viewport: { width: 1280, height: 900 }, ...options });
  page.on('dialog', (d) => d.accept());
  return page;
}

const results = {};

for (const { task, start, bound } of TASKS) {
  test(`cpu: the ${task} task learns: validation loss from above ${start} to below ${bound} in 200 steps`, async () => {
    const page = await newPage();
    await openTrain(page, env.url, `page=train&data=${task}&${TINY_200}`);
    await page.evaluate(() => { // main-thread tasks over 50 ms while it trains: the page must stay responsive
      window.longTasks = [];
      new PerformanceObserver((list) => window.longTasks.push(...list.getEntries().map((e) => e.duration))).observe({ type: 'longtask' });
    });
    await page.click('#tr-start');
    await waitTrain(page, { status: 'done' });
    const s = await trainState(page);
    const long = await page.evaluate(() => window.longTasks);
    assert.equal(s.backend, 'cpu');
    assert.equal(s.stats.engine, 'CPU');
    assert.equal(s.step, 200);
    const first = s.val[0];
    const last = s.val.at(-1);
    const reached = s.val.find((v) => v.val < bound);
    const tokensPerSecond = Math.round((16 * 32 * 1000) / s.meanMsPerStep);
    results[task] = { val: s.val, meanMsPerStep: s.meanMsPerStep, tokensPerSecond };
    console.log(`cpu ${task}: val ${first.val.toFixed(2)} → ${last.val.toFixed(2)} in 200 steps; below ${bound} at step ${reached?.step} ` +
      `after ${(reached?.ms / 1000).toFixed(1)} s of training; ${s.meanMsPerStep.toFixed(1)} ms/step, ${tokensPerSecond} tokens/s (evaluations, samples and saves not included); ` +
      `main thread: ${long.length} tasks over 50 ms, the longest ${Math.max(0, ...long).toFixed(0)} ms`);
    assert.ok(Math.max(0, ...long) < MAX_TASK_MS, `a ${Math.max(...long)} ms task on the main thread while training`);
    assert.ok(first.val > start, `untrained: ${first.val}`);
    assert.ok(last.val < bound, `after 200 steps: ${last.val}`);
    assert.match(s.progress, /200 of 200 steps/);
    assert.match(s.notices, /Finished: 200 steps/);
    assert.deepEqual(page.errors, []);

    if (task !== 'grammar') return page.context().close();
    // "Explore this model": the Explore page shows the trained model on the task's example
    await exploreTrained(page);
    const ex = await page.evaluate(() => ({
      model: document.querySelector('#model').textContent,
      notices: [...document.querySelectorAll('#model-notices .notice')].map((n) => n.textContent).join('\n'),
      text: document.querySelector('#text').value,
      t: window.playgroundDebug.input.ids.length,
      same: window.playgroundDebug.trainEngine !== null,
      layers: document.querySelector('#pick-layer').options.length,
      hash: location.hash,
    }));
    assert.match(ex.model, /^Your trained model: a GPT with 1 layer \(transformer blocks\) of 2 attention heads, C = 32/);
    assert.match(ex.notices, /These are the weights you trained on the grammar task: step 200, validation loss/);
    assert.equal(ex.text, 'the big cat sees a small dog .');
    assert.equal(ex.t, 30);
    assert.equal(ex.layers, 1);
    assert.doesNotMatch(ex.hash, /page=train/);
    await page.screenshot({ path: join(ARTIFACTS, 'train-cpu-explore-trained-1280.png') });
    // and back: the run is where it was
    await page.click('#nav-train');
    await waitTrain(page, { status: 'done', step: 200 });
    assert.match(page.url(), /#page=train&data=grammar/);
    assert.deepEqual(page.errors, []);
    await page.context().close();
  });
}

test('cpu: weights + optimizer files continue a run exactly (the next step gives the same loss)', async () => {
  const page = await newPage();
  await openTrain(page, env.url, `page=train&data=grammar&${TINY_200.replace('steps=200', 'steps=100000')}`); // far from its end when paused
  await page.click('#tr-start');
  await waitTrain(page, { minStep: 30 });
  await page.click('#tr-pause');
  await waitTrain(page, { status: 'paused' });
  const at = (await trainState(page)).step;
  const save = async (button) => {
    const [file] = await Promise.all([page.waitForEvent('download'), page.click(button)]);
    const path = join(ARTIFACTS, file.suggestedFilename());
    await file.saveAs(path);
    return path;
  };
  const weights = await save('#tr-download');
  const optimizer = await save('#tr-download-opt');
  assert.match(weights, new RegExp(`playground-grammar-step${at}\\.safetensors$`));
  assert.match(optimizer, new RegExp(`playground-grammar-step${at}\\.optimizer\\.safetensors$`));
  await page.click('#tr-step');
  await waitTrain(page, { status: 'paused', step: at + 1 });
  const next = (await trainState(page)).loss.at(-1);

  await page.click('#tr-reset');
  await waitTrain(page, { status: 'idle' });
  await page.setInputFiles('#tr-upload', [weights, optimizer]);
  await waitTrain(page, { status: 'loaded' });
  assert.match(await page.textContent('#tr-file-notices'), /optimizer state .* was loaded too, so training continues exactly/);
  await page.click('#tr-step');
  await waitTrain(page, { status: 'paused', step: at + 1 });
  const again = await trainState(page);
  assert.equal(again.loss.length, at + 1, 'the loss history from the file, then the new step');
  assert.equal(again.lastStep, at, 'the step count continues');
  assert.equal(again.loss.at(-1), next, `step ${at}: the same loss, exactly`);
  assert.deepEqual(page.errors, []);
  await page.context().close();
});

test('cpu: your own text trains; a short text, an oversized file and bad sizes get messages before anything starts', async () => {
  const page = await newPage();
  await openTrain(page, env.url, `page=train&data=text&${TINY_200.replace('steps=200', 'steps=50')}`);
  const notices = () => page.evaluate(() => [...document.querySelectorAll('#tr-setup .notice')].map((n) => n.textContent).join('\n'));
  assert.match(await notices(), /Paste a text or load a \.txt file/);
  assert.equal(await startDisabled(page), true);
  await page.fill('#tr-text', 'too short');
  assert.match(await notices(), /The text has 9 characters; a context of 32 needs at least 330/);
  assert.equal(await startDisabled(page), true);

  await page.setInputFiles('#tr-text-file', { name: 'big.txt', mimeType: 'text/plain', buffer: Buffer.alloc(5 * 2 ** 20 + 1, 97) });
  await page.waitForFunction(() => /big\.txt has 5\.0 MiB; the most this page reads is 5\.0 MiB/.test(document.querySelector('#tr-data-notices').textContent));
  await page.setInputFiles('#tr-text-file', { name: 'binary.txt', mimeType: 'text/plain', buffer: Buffer.from([0xff, 0xfe, 0x00, 0xc3]) });
  await page.waitForFunction(() => /binary\.txt is not UTF-8 text/.test(document.querySelector('#tr-data-notices').textContent));

  // sizes: C must split evenly over the heads
  await page.fill('#tr-heads', '3');
  assert.match(await notices(), /Width C = 32 must be divisible by the 3 heads.*try 30 or 33/);
  assert.equal(await page.getAttribute('#tr-embd', 'aria-invalid'), 'true');
  await page.fill('#tr-heads', '2');

  const poem = 'The quick brown fox jumps over the lazy dog, and the dog, unbothered, sleeps on in the sun.\n';
  await page.setInputFiles('#tr-text-file', { name: 'poem.txt', mimeType: 'text/plain', buffer: Buffer.from(poem.repeat(12)) });
  await page.waitForFunction(() => /1,104 characters, \d+ different ones/.test(document.querySelector('#tr-text-info').textContent));
  assert.equal(await startDisabled(page), false);
  await page.click('#tr-start');
  await waitTrain(page, { status: 'done' });
  const s = await trainState(page);
  assert.equal(s.step, 50);
  assert.ok(s.val.at(-1).val < s.val[0].val - 0.5, `the loss on the text falls: ${s.val[0].val} → ${s.val.at(-1).val}`);
  const sample = await page.textContent('#tr-samples .sample-prompt');
  assert.equal(sample, poem.slice(0, 16));
  // done: raising the steps (and lowering the learning rate) trains on from step 50
  assert.equal(await startDisabled(page), true);
  assert.equal(await page.isDisabled('#tr-batch'), true, 'the sizes are fixed for the run');
  await page.fill('#tr-steps', '60');
  await page.fill('#tr-lr', '0.005');
  assert.equal(await page.textContent('#tr-start'), 'Train on');
  await page.click('#tr-start');
  await waitTrain(page, { status: 'done', step: 60 });
  const more = await trainState(page);
  assert.equal(more.steps, 60, 'steps 0…59, none repeated');
  assert.equal(more.lastStep, 59);
  assert.match(page.url(), /lr=0\.005&steps=60/);
  // the text is part of the autosave: a reload brings it back
  await page.reload();
  await openTrain(page, env.url, 'page=train');
  await waitTrain(page, { status: 'done', step: 60 });
  assert.equal(await page.inputValue('#tr-text'), poem.repeat(12));
  assert.match((await trainState(page)).stats.loss, /^\d\.\d+$/);
  assert.deepEqual(page.errors, []);
  await page.context().close();
});

test('cpu: screenshots of the Train page mid-run at 1280 and 390 px, light and dark', async () => {
  const shots = [[1280, 'light'], [1280, 'dark'], [390, 'light'], [390, 'dark']];
  for (const [width, colorScheme] of shots) {
    const page = await newPage({ viewport: { width, height: 900 }, colorScheme });
    await openTrain(page, env.url, 'page=train&data=grammar&preset=tiny&engine=auto');
    await page.click('#tr-start');
    await waitTrain(page, { status: 'running', minStep: 110 });
    await page.waitForFunction(() => window.playgroundDebug.train.run.val.length >= 5 && window.playgroundDebug.train.timedSteps !== 0);
    const scroll = await page.evaluate(() => document.documentElement.scrollWidth);
    assert.ok(scroll <= width, `no sideways scrolling at ${width} px (page is ${scroll} px wide)`);
    await page.screenshot({ path: join(ARTIFACTS, `train-cpu-${width}-${colorScheme}.png`), fullPage: true });
    await page.screenshot({ path: join(ARTIFACTS, `train-cpu-${width}-${colorScheme}-top.png`) });
    const s = await trainState(page);
    assert.match(s.progress, /of 500 steps · about .* left/);
    await page.click('#tr-pause');
    await waitTrain(page, { status: 'paused' });
    assert.deepEqual(page.errors, []);
    await page.context().close();
  }
  writeFileSync(join(ARTIFACTS, 'train-cpu-runs.json'), JSON.stringify(results, null, 2));
});
