// The soak run: the Train page trains a tiny model for many steps (evaluations, samples,
// attention probes and autosaves included, as a user's run has them) while this samples what
// would grow if something leaked: the engine worker's live GPU buffers (the engine counts every
// buffer it creates and drops), the wasm memory, and the page's JS heap after a forced garbage
// collection. Used by `make soak` (scripts/soak.mjs, thousands of steps) and by the short soak
// test in `make test` (soak.test.mjs).
//
// Flat means, comparing the last quarter of the samples with the second (the first is warm-up:
// pipelines, pools, the first save): the live GPU buffers' count is at most the second
// quarter's maximum and their bytes no more; the wasm memory's mean grew by at most 5% or 1 MiB
// (wasm memory never shrinks: one rise of its high-water mark, the allocator's peak during a
// save, is no leak; a leak rises again and again); the JS heap's mean grew by at most
// HEAP_BYTES_PER_STEP per step between the two, plus HEAP_NOISE. The heap does grow with the run
// by design: the page keeps every step's loss, gradient norm and learning rate for its chart
// (three doubles and a step number: about 100 bytes a step with the arrays' slack).

import { openTrain, LONG } from './train-helpers.mjs';

const WASM_GROWTH = 0.05; // of the second quarter's mean
const WASM_SLACK = 2 ** 20; // bytes
export const HEAP_BYTES_PER_STEP = 256;
const HEAP_NOISE = 256 * 1024; // bytes: what the heap moves by between two samples after a forced GC

/** The tiny model of the soak: 1 layer, 2 heads, C = 16, context 16, batch 4 (fast on either engine). */
export function soakHash(engine, steps) {
  return `page=train&data=grammar&preset=custom&layers=1&heads=2&embd=16&ctx=16&batch=4&lr=0.003&steps=${steps}&seed=5&engine=${engine}`;
}

/**
 * Trains `steps` steps on `engine` in a fresh page of `env`, sampling every `everyMs` of
 * training (from the first step to the last).
 * @param {{ newPage: Function, url: string }} env from harness.setup()
 * @returns {Promise<{ engine, steps, seconds, samples: object[], verdict: object, errors: string[] }>}
 */
export async function soak(env, { engine, steps, everyMs, log = () => {} }) {
  const page = await env.newPage({ viewport: { width: 1280, height: 900 } });
  const cdp = await page.context().newCDPSession(page);
  await openTrain(page, env.url, soakHash(engine, steps));
  const samples = [];
  await page.click('#tr-start');
  await waitFirstEvaluation(page);
  const t0 = Date.now();
  for (;;) {
    const s = await sample(page, cdp, (Date.now() - t0) / 1000);
    if (s.status === 'done') break;
    samples.push(s);
    log(`${engine} step ${s.step}: ${s.seconds.toFixed(0)} s, GPU buffers ${s.gpuLive ?? '–'} (${mb(s.gpuLiveBytes)}), wasm ${mb(s.wasmBytes)}, JS heap ${mb(s.heapBytes)}`);
    if (s.status !== 'running') throw new Error(`the run stopped at step ${s.step}: ${s.status}`);
    await page.waitForTimeout(everyMs);
  }
  const seconds = (Date.now() - t0) / 1000;
  const errors = [...page.errors];
  await page.context().close();
  return { engine, steps, seconds, samples, verdict: verdict(samples), errors };
}

/**
 * Waits until the first evaluation inside the training loop is over (the second validation point:
 * the first is taken at Start, step 0), so that the first sample sees every buffer the run keeps.
 * Some are made once, on first use after Start: the gradient statistics (the first evaluation
 * past step 0) and the embeddings' map, which the view projects through a forward pass when it
 * draws; sampling from step 1 once caught a slow page before that draw (177 buffers, then 190).
 * The engine takes one call at a time, so a step past that point means its evaluation has ended.
 */
async function waitFirstEvaluation(page) {
  await page.waitForFunction(() => {
    const d = window.playgroundDebug.train;
    const point = d.run?.val?.[1];
    return d.status === 'done' || (point !== undefined && d.step > point.step);
  }, null, { timeout: LONG, polling: 50 });
}

async function sample(page, cdp, seconds) {
  const { status, step, counters } = await page.evaluate(async () => ({
    status: window.playgroundDebug.train.status,
    step: window.playgroundDebug.train.step,
    counters: await window.playgroundDebug.counters(),
  }));
  await cdp.send('HeapProfiler.collectGarbage');
  const { usedSize } = await cdp.send('Runtime.getHeapUsage');
  const gpu = counters.gpuBuffers;
  return {
    status,
    step,
    seconds,
    gpuLive: gpu ? gpu.live : null,
    gpuLiveBytes: gpu ? gpu.live_bytes : null,
    gpuCreated: gpu ? gpu.created : null,
    wasmBytes: counters.wasmBytes,
    heapBytes: usedSize,
  };
}

const mean = (xs) => xs.reduce((a, b) => a + b, 0) / xs.length;
const mb = (b) => (b === null || b === undefined ? '–' : `${(b / 2 ** 20).toFixed(2)} MiB`);

/**
 * Whether each series stayed flat (see the top of this file).
 * @param {object[]} samples at least 8
 * @returns {Record<string, { second: number, last: number, growth: number, perStep: number, flat: boolean }>
 *   & { flat: boolean, steps: number }} steps: between the two quarters' mean steps
 */
export function verdict(samples) {
  const q = Math.floor(samples.length / 4);
  if (q < 2) throw new Error(`a soak needs at least 8 samples, not ${samples.length}`);
  const second = samples.slice(q, 2 * q);
  const last = samples.slice(-q);
  const of = (part, key, f = mean) => f(part.map((s) => s[key]));
  const max = (xs) => Math.max(...xs);
  const steps = of(last, 'step') - of(second, 'step');
  const rows = {
    wasmBytes: { second: of(second, 'wasmBytes'), last: of(last, 'wasmBytes'), rule: (a, b) => b - a <= Math.max(a * WASM_GROWTH, WASM_SLACK) },
    heapBytes: { second: of(second, 'heapBytes'), last: of(last, 'heapBytes'), rule: (a, b) => b - a <= HEAP_BYTES_PER_STEP * steps + HEAP_NOISE },
  };
  if (samples[0].gpuLive !== null) {
    rows.gpuLive = { second: of(second, 'gpuLive', max), last: of(last, 'gpuLive', max), rule: (a, b) => b <= a };
    rows.gpuLiveBytes = { second: of(second, 'gpuLiveBytes', max), last: of(last, 'gpuLiveBytes', max), rule: (a, b) => b <= a };
  }
  const out = { flat: true, steps };
  for (const [key, { second: a, last: b, rule }] of Object.entries(rows)) {
    const flat = rule(a, b);
    out[key] = { second: a, last: b, growth: a ? b / a - 1 : 0, perStep: (b - a) / Math.max(1, steps), flat };
    out.flat &&= flat;
  }
  return out;
}
