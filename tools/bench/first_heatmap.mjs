// Time to the playground's first attention heatmap, for one or more builds of web/ side by side
// (before and after a change), the builds alternating (builds.mjs).
//   node tools/bench/first_heatmap.mjs webgpu|cpu RUNS WEB_DIR [WEB_DIR …]
// Prints per folder every load's firstHeatmapMs (ms from navigation start to the frame after
// the first heatmaps, drawn by whichever engine drew first), then the medians of it, of
// engineSettledMs (the first heatmaps of the engine the page stays on; the same where a build
// has no hand-over) and of engineReadyMs. `cpu` switches WebGPU off, as web/tests/page.cpu.
import { alternate, median } from './builds.mjs';

const [mode, runs, ...dirs] = process.argv.slice(2);
if (!['webgpu', 'cpu'].includes(mode) || !(Number(runs) > 0) || dirs.length === 0) {
  console.error('usage: node tools/bench/first_heatmap.mjs webgpu|cpu RUNS WEB_DIR [WEB_DIR …]');
  process.exit(2);
}

const loads = dirs.map(() => []);
await alternate(mode, dirs, Number(runs), async (page, k) => {
  // a build without the hand-over has no engineSettledMs: its first heatmap is its last
  await page.waitForFunction(() => {
    const t = window.playgroundDebug?.timings;
    return t?.firstHeatmapMs > 0 && (!('engineSettledMs' in t) || t.engineSettledMs > 0);
  }, null, { timeout: 120_000 });
  loads[k].push(await page.evaluate(() => window.playgroundDebug.timings));
});

const ms = (x) => Math.round(x).toLocaleString('en');
for (const [k, dir] of dirs.entries()) {
  const first = loads[k].map((t) => t.firstHeatmapMs);
  const settled = loads[k].map((t) => t.engineSettledMs ?? t.firstHeatmapMs);
  const ready = loads[k].map((t) => t.engineReadyMs);
  console.log(`${mode} ${dir}: first heatmap ${first.map(ms).join(' / ')} ms, median ${ms(median(first))}; ` +
    `engine settled median ${ms(median(settled))}; engine ready median ${ms(median(ready))}`);
}
