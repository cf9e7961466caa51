// Shared steps of the Train page tests: open the page at a hash, read the trainer's state
// through window.playgroundDebug.train, and wait for conditions on it.

import { waitForViews } from './harness.mjs';

export const LONG = 240_000; // ms: a wait that covers training on SwiftShader

/** Opens the Train page at `hash` (without '#') and waits until its view is ready. */
export async function openTrain(page, url, hash) {
  await page.goto(`${url}#${hash}`);
  await page.waitForFunction(() => window.playgroundDebug?.train && document.querySelector('#tr-data').options.length > 0, null, { timeout: LONG });
}

/** "Explore this model": Explore opens on the run's engine, and every view shows it (not a model shown before it). */
export async function exploreTrained(page, timeout = LONG) {
  await page.click('#tr-explore');
  await page.waitForFunction(() => {
    const dbg = window.playgroundDebug;
    return dbg.page === 'explore' && dbg.trainEngine != null && dbg.config === dbg.trainEngine.config;
  }, null, { timeout });
  await waitForViews(page, { timeout });
}

/** The trainer's state in plain numbers, and the page as drawn (after the next frame). */
export function trainState(page) {
  return page.evaluate(async () => {
    await new Promise((resolve) => requestAnimationFrame(() => setTimeout(resolve))); // the view draws once per frame
    const d = window.playgroundDebug.train;
    const run = d.run;
    return {
      status: d.status,
      step: d.step,
      steps: run ? run.steps.length : 0,
      firstStep: run?.steps[0] ?? null,
      lastStep: run?.steps.at(-1) ?? null,
      loss: run ? Array.from(run.loss) : [],
      val: run ? run.val.map((v) => ({ ...v })) : [],
      samples: run ? run.samples.length : 0,
      probeStep: run?.probe?.step ?? null,
      msPerStep: d.msPerStep,
      meanMsPerStep: d.meanMsPerStep,
      saved: d.saved,
      lastError: d.lastError,
      backend: d.engine?.backend ?? null,
      notices: [...document.querySelectorAll('#train-page .notice')].map((n) => n.textContent).join('\n'),
      stats: Object.fromEntries([...document.querySelectorAll('#tr-stats dd')].map((dd) => [dd.dataset.stat, dd.textContent])),
      // each stat's explanation (its name's title)
      statTitles: Object.fromEntries([...document.querySelectorAll('#tr-stats dd')].map((dd) => [dd.dataset.stat, dd.previousElementSibling.title])),
      progress: document.querySelector('#tr-progress-text').textContent,
      start: { text: document.querySelector('#tr-start').textContent, disabled: document.querySelector('#tr-start').disabled },
    };
  });
}

/**
 * Waits until the trainer reaches `want`: every field given must hold.
 * @param {import('playwright-core').Page} page
 * @param {{ status?: string, minStep?: number, step?: number, error?: string }} want
 *   error: the kind of the last fault ("NonFinite", "DeviceLost")
 */
/**
 * Whether Start can be pressed, read once the run panel has drawn: it redraws on the next
 * animation frame after a change, which a loaded machine may delay.
 */
export async function startDisabled(page) {
  await page.evaluate(() => new Promise((done) => requestAnimationFrame(() => requestAnimationFrame(done))));
  return page.isDisabled('#tr-start');
}

export async function waitTrain(page, want, timeout = LONG) {
  await page.waitForFunction((w) => {
    const d = window.playgroundDebug?.train;
    if (!d) return false;
    if (w.status !== undefined && d.status !== w.status) return false;
    if (w.minStep !== undefined && d.step < w.minStep) return false;
    if (w.step !== undefined && d.step !== w.step) return false;
    if (w.error !== undefined && d.lastError?.kind !== w.error) return false;
    return true;
  }, want, { timeout, polling: 100 });
}

/** The weights exported by the training engine now, as bytes. */
export async function exportedWeights(page) {
  return Buffer.from(await page.evaluate(async () => Array.from(await window.playgroundDebug.trainEngine.exportCheckpoint())));
}

/** A safetensors file's header: its JSON, and where its tensors' bytes start. */
function header(bytes) {
  const n = Number(bytes.readBigUInt64LE(0));
  return { json: JSON.parse(bytes.subarray(8, 8 + n).toString()), start: 8 + n };
}

/** A safetensors file's tensors by name, as bytes (the header's metadata, such as the step, left out). */
export function tensors(bytes) {
  const { json, start } = header(bytes);
  return new Map(Object.entries(json).filter(([k]) => k !== '__metadata__').map(([k, t]) => [k, bytes.subarray(start + t.data_offsets[0], start + t.data_offsets[1])]));
}

/** A safetensors file's header metadata (strings by key). */
export const metadata = (bytes) => header(bytes).json.__metadata__ ?? {};
