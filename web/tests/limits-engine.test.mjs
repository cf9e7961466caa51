// The engine's memory limits in the page, in headless Chromium on the CPU engine (the wasm
// engine shares 4 GiB with everything it holds): a checkpoint whose training needs more than
// wasm32 can address is refused before Start by the page and by the engine (it trapped the worker before), a
// crashed worker is replaced and the Train page and Explore load what they showed again, GPT-2
// weights of 2.2 GB are refused before they are read, a GPT-2 file of empty tensors allocates
// nothing large, and a vocabulary of 262,144 tokens adds no main-thread task while typing beyond
// those of the default model on the same machine (measured with a long-task observer). Every
// file is made in the test (a sparse file for the 2.2 GB one).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync, openSync, ftruncateSync, closeSync } from 'node:fs';
import { tmpdir, loadavg } from 'node:os';
import { join } from 'node:path';
import { setup, typeText, waitForViews } from './harness.mjs';
import { observeLongTasks, longTasksDuring, longTasksWithCpu } from './long-tasks.mjs';
import { openTrain, trainState, waitTrain } from './train-helpers.mjs';
import { ASCII, playgroundCheckpoint } from './checkpoint-files.mjs';
import { safetensors, tinyGpt2Files } from './gpt2-files.mjs';

const TINY = 'preset=custom&layers=1&heads=2&embd=16&ctx=16&batch=4&lr=0.003&seed=2&engine=cpu';
const WAIT = 90_000; // ms: a step that hangs (a dead worker) fails the test rather than the run

let env;
let dir;
before(async () => {
  env = await setup({ webgpu: false });
  dir = mkdtempSync(join(tmpdir(), 'playground-limits-'));
});
after(async () => {
  await env?.close();
  rmSync(dir, { recursive: true, force: true });
});

/** A page that accepts every confirm() and records main-thread tasks over 50 ms in window.longTasks. */
async function newPage() {
  const page = await env.newPage({ viewport: { width: 1280, height: 900 } });
  page.on('dialog', (d) => d.accept());
  await observeLongTasks(page);
  return page;
}

/** Trains the tiny grammar run for a few steps and pauses it (saved). Returns its step. */
async function trainAndPause(page) {
  await page.click('#tr-start');
  await waitTrain(page, { status: 'running', minStep: 10 });
  await page.click('#tr-pause');
  await waitTrain(page, { status: 'paused' });
  const s = await trainState(page);
  assert.equal(s.saved?.step, s.step, 'saved on pause');
  return s.step;
}

test('training that needs more than wasm32 memory is refused before Start by the page and by the engine; the page and the run before it are kept', async () => {
  const page = await newPage();
  await openTrain(page, env.url, `page=train&data=grammar&${TINY}&steps=1000000`);
  const step = await trainAndPause(page);
  // context 1024, 12 layers of 16 heads: 2.7 MB of weights, but a step at batch 4 keeps 16 × 1024² attention
  // weights per layer and row, twice: about 10 GB with the optimizer and the autosave's copies
  const big = join(dir, 'long-context.safetensors');
  writeFileSync(big, playgroundCheckpoint({ ctx: 1024, layers: 12, heads: 16, embd: 64 }));
  await page.setInputFiles('#tr-upload', big);
  await waitTrain(page, { status: 'loaded' }, WAIT);
  // the page's estimate holds Start and says why, with the numbers
  const loaded = await trainState(page);
  assert.match(loaded.notices, /Training this model needs about 10\.0 GB of memory, more than the 4 GiB the CPU engine can address .*: lower the batch \(4\), the context \(1024\) or the sizes\./);
  assert.equal(await page.$eval('#tr-start', (b) => b.disabled), true, 'Start is held');
  assert.equal(await page.$eval('#tr-step', (b) => b.disabled), true, 'Step is held');
  assert.match(await page.textContent('#tr-status'), /Start waits, Set up says what to change first/);
  // the engine refuses the same training itself, as a typed error, and keeps the model
  const refusal = await page.evaluate(() => window.playgroundDebug.trainEngine.startTraining({
    batch_size: 4, learning_rate: 0.003, min_lr: 0.0003, warmup_steps: 100, max_steps: 5000, weight_decay: 0.1,
    beta1: 0.9, beta2: 0.99, eps: 1e-8, grad_clip: 1.0, seed: 2,
  }).then(() => null, (err) => ({ name: err.name, message: err.message })));
  assert.equal(refusal?.name, 'BadConfig', JSON.stringify(refusal));
  assert.match(refusal.message, /config does not fit this device: training on the CPU engine .*wasm32 memory \(4 GiB\)/);
  const kept = await page.evaluate(() => window.playgroundDebug.trainEngine.config);
  assert.equal(kept.block_size, 1024, 'the engine still holds the loaded model');
  assert.equal((await trainState(page)).status, 'loaded', 'the model stays loaded');
  // the run it replaced is still saved, listed and opens
  const runs = await page.evaluate(() => window.playgroundDebug.train.savedRuns);
  const previous = runs.find((r) => /the grammar task/.test(r.text) && r.text.includes(`step ${step}`));
  assert.ok(previous, `the grammar run at step ${step} is listed: ${JSON.stringify(runs.map((r) => r.text))}`);
  await page.evaluate((id) => window.playgroundDebug.train.openSaved(id), previous.id);
  await waitTrain(page, { status: 'paused', step }, WAIT);
  await page.click('#tr-start');
  await waitTrain(page, { status: 'running', minStep: step + 5 }, WAIT);
  await page.click('#tr-pause');
  await waitTrain(page, { status: 'paused' }, WAIT);
  assert.deepEqual(page.errors, []);
  await page.context().close();
});

test('a crashed engine worker (a wasm trap) is replaced: the run reopens from its autosave, Explore draws again, Reset works', async () => {
  const page = await newPage();
  await page.goto(env.url);
  await waitForViews(page, { timeout: WAIT });
  await openTrain(page, env.url, `page=train&data=grammar&${TINY}&steps=1000000`);
  const step = await trainAndPause(page);
  const error = await page.evaluate(() => window.playgroundDebug.trainEngine.injectFault('trap').then(() => null, (err) => err.name));
  assert.equal(error, 'EngineCrashed');
  await page.waitForFunction(() => /The engine crashed \(RuntimeError: unreachable\) and was restarted\. The engine was rebuilt from the autosave/.test(
    document.querySelector('#tr-notices').textContent), null, { timeout: WAIT });
  await waitTrain(page, { status: 'paused', step }, WAIT);
  await page.click('#tr-start'); // Resume: the new worker trains
  await waitTrain(page, { status: 'running', minStep: step + 5 }, WAIT);
  await page.click('#tr-pause');
  await waitTrain(page, { status: 'paused' }, WAIT);

  // Explore loaded its model again in the new worker and follows the text
  await page.evaluate(() => { location.hash = ''; });
  await page.waitForFunction(() => window.playgroundDebug.page === 'explore', null, { timeout: WAIT });
  await typeText(page, 'the dog sees the cats .', { timeout: WAIT }); // drawn by the model loaded again
  assert.equal(await page.evaluate(() => window.playgroundDebug.input.ids.length), 23);
  assert.match(await page.textContent('#notices'), /The engine crashed \(RuntimeError: unreachable\) and was restarted; the models it held were lost\. The model was loaded again\./i);
  const probs = await page.evaluate(() => Array.from(window.playgroundDebug.sampling.probs));
  assert.ok(Math.abs(probs.reduce((a, b) => a + b, 0) - 1) < 1e-3, 'a fresh distribution from the new worker');

  await openTrain(page, env.url, 'page=train');
  await page.click('#tr-reset');
  await waitTrain(page, { status: 'idle' }, WAIT);
  assert.equal((await page.evaluate(() => window.playgroundDebug.counters())).engines, 1, 'the new worker holds Explore\'s model only');
  assert.deepEqual(page.errors.filter((e) => !/RuntimeError: unreachable|engine crashed/.test(e)), []);
  await page.context().close();
});

test('GPT-2 weights of 2.2 GB are refused by their size before they are read, with a message', async () => {
  const weights = join(dir, 'model.safetensors');
  const fd = openSync(weights, 'w');
  ftruncateSync(fd, 2.2e9); // sparse: nothing is written
  closeSync(fd);
  const [vocab, merges] = tinyGpt2Files().slice(2).map((f) => {
    const path = join(dir, f.name);
    writeFileSync(path, f.buffer);
    return path;
  });
  const page = await newPage();
  await page.goto(env.url);
  await waitForViews(page, { timeout: WAIT });
  const { longest } = await longTasksDuring(page, async () => {
    await page.setInputFiles('#gpt2-files', [weights, vocab, merges]);
    await page.waitForFunction(() => /GPT-2 could not be opened/.test(document.querySelector('#model-notices').textContent), null, { timeout: WAIT });
  }, 200);
  assert.match(await page.textContent('#model-notices'),
    /GPT-2 could not be opened: model\.safetensors has 2\.05 GiB; the page opens weights of 1\.50 GiB at most/);
  assert.ok(longest < 1000, `the page froze for ${longest} ms`);
  assert.equal(await page.evaluate(() => window.playgroundDebug.tokenizer), 'char', 'the default model is still shown');
  assert.deepEqual(page.errors.filter((e) => !/the page opens weights of/.test(e)), []); // the page logs the refusal it shows
  await page.context().close();
});

test('a GPT-2 file of empty tensors is refused with the engine\'s reason, and the worker\'s memory stays small', async () => {
  // real embeddings of width 1536 and 16 blocks whose tensors hold nothing: 453 M parameters claimed by 29 KB
  const c = 1536;
  const tensors = { 'wte.weight': { shape: [2, c], data: new Float32Array(2 * c) }, 'wpe.weight': { shape: [2, c], data: new Float32Array(2 * c) } };
  for (let l = 0; l < 16; l++) for (const part of ['ln_1.weight', 'ln_1.bias', 'attn.c_attn.weight']) tensors[`h.${l}.${part}`] = { shape: [0], data: new Float32Array(0) };
  const [, , vocab, merges] = tinyGpt2Files();
  const page = await newPage();
  await page.goto(env.url);
  await waitForViews(page, { timeout: WAIT });
  await page.setInputFiles('#gpt2-files', [{ name: 'model.safetensors', mimeType: 'application/octet-stream', buffer: safetensors(tensors) }, vocab, merges]);
  await page.waitForFunction(() => /GPT-2 could not be opened/.test(document.querySelector('#model-notices').textContent), null, { timeout: WAIT });
  assert.match(await page.textContent('#model-notices'), /tensor "h\.0\.ln_1\.weight" has shape \[0\], expected \[1536\]/);
  const { wasmBytes } = await page.evaluate(() => window.playgroundDebug.counters());
  assert.ok(wasmBytes < 256 * 2 ** 20, `the worker's wasm memory grew to ${(wasmBytes / 2 ** 20).toFixed(0)} MiB`);
  assert.deepEqual(page.errors.filter((e) => !e.startsWith('BadGpt2: ')), []); // the page logs the refusal it shows
  await page.context().close();
});

/**
 * Main-thread tasks over 50 ms while " the cat" is typed at the end of Explore's text, until its
 * views are drawn: their durations, and the CPU time of the busiest (long-tasks.mjs).
 */
async function typingInExplore(page) {
  await page.focus('#text');
  await page.keyboard.press('End');
  const tasks = await longTasksWithCpu(page, async () => {
    await page.keyboard.type(' the cat', { delay: 150 });
    await waitForViews(page, { timeout: WAIT }); // the last key's draw, in every section
  });
  return {
    tasks: tasks.map((t) => t.ms),
    cpu: Math.max(0, ...tasks.map((t) => t.cpu ?? Infinity)),
    totalCpu: tasks.reduce((a, t) => a + (t.cpu ?? Infinity), 0),
  };
}

test('a vocabulary of 262,144 tokens: typing in Explore holds the page no longer than with the default model; the vocabulary list draws what is in sight', async () => {
  // the same typing with the default model (96 tokens), in this run: the machine's own floor
  const basePage = await newPage();
  await basePage.goto(env.url);
  await waitForViews(basePage, { timeout: WAIT });
  await basePage.waitForTimeout(1000);
  const base = await typingInExplore(basePage);
  await basePage.context().close();

  // printable ASCII, then code points from U+00A1 on (no surrogates): one token each
  const chars = [...ASCII];
  for (let cp = 0xa1; chars.length < 262_144; cp++) if (cp < 0xd800 || cp > 0xdfff) chars.push(String.fromCodePoint(cp));
  const file = join(dir, 'vocab-262144.safetensors');
  writeFileSync(file, playgroundCheckpoint({ vocab: chars, ctx: 64, embd: 8, heads: 2, layers: 1 }));
  const page = await newPage();
  await openTrain(page, env.url, 'page=train&engine=cpu');
  await page.setInputFiles('#tr-upload', file);
  await waitTrain(page, { status: 'loaded' }, WAIT);
  const draw = await longTasksDuring(page, async () => { // reported, not bounded: it draws every view afresh, at any vocabulary
    await page.click('#tr-explore');
    await page.waitForFunction(() => window.playgroundDebug.page === 'explore' && window.playgroundDebug.config?.vocab_size === 262_144, null, { timeout: WAIT });
    await waitForViews(page, { timeout: WAIT });
  });
  const typing = await typingInExplore(page);
  const shown = await page.evaluate(() => ({
    bars: [...document.querySelectorAll('#output .bar')].length,
    probs: Array.from(window.playgroundDebug.sampling.probs).reduce((a, b) => a + b, 0),
  }));
  assert.equal(shown.bars, 10);
  assert.ok(Math.abs(shown.probs - 1) < 1e-3);
  // the vocabulary list: closed, nothing; open, a screenful; scrolled to the end, the last ids
  await page.click('#tokens details.vocab summary');
  await page.waitForFunction(() => document.querySelectorAll('#tokens .vocab-rows .chip').length > 0, null, { timeout: WAIT });
  const open = await page.evaluate(() => document.querySelectorAll('#tokens .vocab-rows .chip').length);
  await page.evaluate(() => { const box = document.querySelector('#tokens .vocab-box'); box.scrollTop = box.scrollHeight; });
  await page.waitForFunction(() => [...document.querySelectorAll('#tokens .vocab-rows .chip-id')].some((e) => e.textContent === '262143'), null, { timeout: WAIT });
  const end = await page.evaluate(() => document.querySelectorAll('#tokens .vocab-rows .chip').length);
  const load = loadavg()[0].toFixed(1);
  console.log(`# load ${load}; typing " the cat", tasks over 50 ms: default model ${JSON.stringify(base.tasks)} (CPU at most ${base.cpu} ms), ` +
    `V = 262,144 ${JSON.stringify(typing.tasks)} (CPU at most ${typing.cpu} ms, ${typing.totalCpu} ms in all); ` +
    `Explore's first draw at V = 262,144: longest ${draw.longest} ms (${draw.tasks.length} over 50 ms); ${open} and ${end} chips drawn in the vocabulary list`);
  // the vocabulary adds no long task of its own: its long tasks' CPU time within 3× the default
  // model's, or 50 ms where that is less. CPU time, as the default model now makes no long task
  // of its own and the shared 2-core machine stretches tasks of 5-30 ms of work to 50-230 ms
  // (load 11-14); before, every keystroke held the page 300 ms and Explore's draw 1.5 s
  assert.ok(typing.cpu <= Math.max(50, 3 * base.cpu), `busiest task while typing ${typing.cpu} ms of CPU, ${base.cpu} ms with the default model`);
  assert.ok(typing.totalCpu <= 3 * base.totalCpu + 250, `tasks over 50 ms while typing: ${typing.totalCpu} ms of CPU in all, ${base.totalCpu} ms with the default model`);
  assert.ok(open <= 400 && end <= 400, `${open} and ${end} chips drawn of 262,144`);
  assert.deepEqual(page.errors, []);
  await page.context().close();
});
