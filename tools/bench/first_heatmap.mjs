// Time to the playground's first attention heatmap, for one or more builds of web/ side by side
// (before and after a change): loads alternate between the folders, each in a fresh browser
// context of one headless Chromium, so a machine's changing load falls on all of them alike.
//   node tools/bench/first_heatmap.mjs webgpu|cpu RUNS WEB_DIR [WEB_DIR …]
// Prints per folder every load's firstHeatmapMs (ms from navigation start to the frame after
// the first heatmaps, drawn by whichever engine drew first), then the medians of it, of
// engineSettledMs (the first heatmaps of the engine the page stays on; the same where a build
// has no hand-over) and of engineReadyMs. `cpu` switches WebGPU off, as web/tests/page.cpu.
// Each load starts on an idle browser: the previous one's WebGPU work goes on in Chromium's GPU
// process for about a second after its engineSettledMs (measured, docs/PERFORMANCE.md), and a
// navigation during it found its requestAdapter() waiting and the 2 cores taken.
import { chromium } from 'playwright-core';
import { startServer } from '../../scripts/static-server.mjs';
import { QUIET, WEBGPU, NO_WEBGPU } from '../../web/tests/browser-flags.mjs';

const IDLE_MS = 3000; // pause between loads, after closing the previous one's context

const [mode, runs, ...dirs] = process.argv.slice(2);
if (!['webgpu', 'cpu'].includes(mode) || !(Number(runs) > 0) || dirs.length === 0) {
  console.error('usage: node tools/bench/first_heatmap.mjs webgpu|cpu RUNS WEB_DIR [WEB_DIR …]');
  process.exit(2);
}

const servers = await Promise.all(dirs.map((root) => startServer({ root })));
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
  args: [...QUIET, ...(mode === 'webgpu' ? WEBGPU : NO_WEBGPU)],
});
const loads = dirs.map(() => []);
try {
  for (let i = 0; i < Number(runs); i++) {
    for (const [k, server] of servers.entries()) {
      const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
      const page = await context.newPage();
      await page.goto(server.url);
      // a build without the hand-over has no engineSettledMs: its first heatmap is its last
      await page.waitForFunction(() => {
        const t = window.playgroundDebug?.timings;
        return t?.firstHeatmapMs > 0 && (!('engineSettledMs' in t) || t.engineSettledMs > 0);
      }, null, { timeout: 120_000 });
      loads[k].push(await page.evaluate(() => window.playgroundDebug.timings));
      await context.close();
      await new Promise((resolve) => setTimeout(resolve, IDLE_MS));
    }
  }
} finally {
  await browser.close();
  for (const server of servers) await server.close();
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const ms = (x) => Math.round(x).toLocaleString('en');
for (const [k, dir] of dirs.entries()) {
  const first = loads[k].map((t) => t.firstHeatmapMs);
  const settled = loads[k].map((t) => t.engineSettledMs ?? t.firstHeatmapMs);
  const ready = loads[k].map((t) => t.engineReadyMs);
  console.log(`${mode} ${dir}: first heatmap ${first.map(ms).join(' / ')} ms, median ${ms(median(first))}; ` +
    `engine settled median ${ms(median(settled))}; engine ready median ${ms(median(ready))}`);
}
