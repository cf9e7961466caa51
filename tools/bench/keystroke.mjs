// Time from a keystroke to the frame that shows every view updated, at T = 64 tokens, for one
// or more builds of web/ side by side (before and after a change), the builds alternating
// (builds.mjs).
//   [ISOLATED=1] node tools/bench/keystroke.mjs webgpu|cpu RUNS WEB_DIR [WEB_DIR …]
// (ISOLATED=1: served with COOP/COEP, so the CPU engine runs on its threads; builds.mjs)
// Each load types 63 characters, then presses keys that keep T at 63–64 in two ways:
// - paced: the worker is idle before each key (its queue drained, then PAUSE_MS), as a reader
//   who types a character and looks;
// - back to back: the next key as soon as the last one's views are painted, as the page test
//   (web/tests/page-suite.mjs) does, so whatever work a keystroke leaves queued in the worker
//   delays the next one.
// The number is the page's own `playgroundDebug.timings.update.toPaintMs`: from the input event
// to the frame after the views were drawn (requestAnimationFrame, then a task). Prints every
// sample, the medians per folder and mode, and the load average before and after. The engine
// and drawing medians beside it are the page's engineMs and renderMs; a build that paints its
// canvases in the next frame (views/canvas.js drawSoon) counts that painting in toPaintMs only.
import { loadavg } from 'node:os';
import { alternate, median } from './builds.mjs';

const LONG = 'the quick brown fox jumps over the lazy dog; pack my box with five'.slice(0, 63); // T = 63
const KEYS = ['x', 'Backspace', 'y', 'Backspace', 'z', 'Backspace']; // T = 64, 63, 64, …
const PAUSE_MS = 500; // after the worker's queue is drained, before a paced key
const TIMEOUT = 120_000; // ms

const [mode, runs, ...dirs] = process.argv.slice(2);
if (!['webgpu', 'cpu'].includes(mode) || !(Number(runs) > 0) || dirs.length === 0) {
  console.error('usage: node tools/bench/keystroke.mjs webgpu|cpu RUNS WEB_DIR [WEB_DIR …]');
  process.exit(2);
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** Waits until every call queued in the page's engine worker has been answered (calls run in order). */
async function drain(page) {
  await page.evaluate(() => window.playgroundDebug.counters());
  await sleep(PAUSE_MS);
}

/** Presses `key` in the text box; resolves to the page's timings of the update it caused. */
async function keystroke(page, key) {
  const n = await page.evaluate(() => window.playgroundDebug.renders);
  await page.press('#text', key);
  await page.waitForFunction((n) => {
    const d = window.playgroundDebug;
    return d.renders > n && d.timings.update?.toPaintMs != null;
  }, n, { timeout: TIMEOUT, polling: 'raf' });
  return page.evaluate(() => window.playgroundDebug.timings.update);
}

const samples = dirs.map(() => ({ paced: [], backToBack: [] }));
const loadBefore = loadavg();
await alternate(mode, dirs, Number(runs), async (page, k) => {
  await page.waitForFunction(() => window.playgroundDebug?.timings.engineSettledMs > 0, null, { timeout: TIMEOUT });
  await page.fill('#text', LONG);
  await page.waitForFunction((t) => window.playgroundDebug.input?.ids.length === t.length, LONG, { timeout: TIMEOUT });
  for (const key of KEYS) {
    await drain(page);
    samples[k].paced.push(await keystroke(page, key));
  }
  await drain(page);
  for (const key of KEYS) samples[k].backToBack.push(await keystroke(page, key));
});
const loadAfter = loadavg();

const ms = (x) => Math.round(x).toLocaleString('en');
const load = (l) => l.map((x) => x.toFixed(2)).join(' ');
console.log(`${mode}, ${runs} loads per folder, ${KEYS.length} keys each way; load average before ${load(loadBefore)}, after ${load(loadAfter)}`);
for (const [k, dir] of dirs.entries()) {
  for (const [how, list] of Object.entries(samples[k])) {
    const paint = list.map((u) => u.toPaintMs);
    console.log(`${mode} ${dir} ${how}: to paint ${paint.map(ms).join(' / ')} ms; median ${ms(median(paint))} ` +
      `(engine ${ms(median(list.map((u) => u.engineMs)))}, drawing ${ms(median(list.map((u) => u.renderMs)))})`);
  }
}
