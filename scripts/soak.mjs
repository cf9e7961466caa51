// `make soak`: long training runs in headless Chromium, on the CPU engine and on WebGPU
// (SwiftShader), sampling GPU buffers, wasm memory and the JS heap (web/tests/soak-run.mjs);
// writes test-results/soak.json and soak-<engine>.csv, prints a table, and fails when a series
// grew. Steps per engine: SOAK_CPU_STEPS (default 30000: the CPU engine is fast on this tiny
// model) and SOAK_WEBGPU_STEPS (default 3000: SwiftShader is slow); a sample every SOAK_EVERY_S s.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setup, ARTIFACTS } from '../web/tests/harness.mjs';
import { soak } from '../web/tests/soak-run.mjs';

const STEPS = { cpu: Number(process.env.SOAK_CPU_STEPS ?? 30_000), webgpu: Number(process.env.SOAK_WEBGPU_STEPS ?? 3000) };
const everyMs = 1000 * Number(process.env.SOAK_EVERY_S ?? 5);
const engines = (process.env.SOAK_ENGINES ?? 'cpu,webgpu').split(',');

const results = [];
for (const engine of engines) {
  const env = await setup({ webgpu: engine === 'webgpu' });
  try {
    results.push(await soak(env, { engine, steps: STEPS[engine], everyMs, log: console.log }));
  } finally {
    await env.close();
  }
  const r = results.at(-1);
  const cols = ['step', 'seconds', 'gpuLive', 'gpuLiveBytes', 'gpuCreated', 'wasmBytes', 'heapBytes'];
  writeFileSync(join(ARTIFACTS, `soak-${engine}.csv`), [cols.join(','), ...r.samples.map((s) => cols.map((c) => s[c] ?? '').join(','))].join('\n') + '\n');
}
writeFileSync(join(ARTIFACTS, 'soak.json'), JSON.stringify(results, null, 2));

console.log('\nengine    steps  minutes  series        2nd quarter     last quarter    growth   per step  flat');
let ok = true;
for (const r of results) {
  for (const [key, v] of Object.entries(r.verdict)) {
    if (key === 'flat' || key === 'steps') continue;
    const show = (x) => (key === 'gpuLive' ? String(x) : `${(x / 2 ** 20).toFixed(3)} MiB`);
    console.log(`${r.engine.padEnd(8)} ${String(r.steps).padStart(6)}  ${(r.seconds / 60).toFixed(1).padStart(7)}  ${key.padEnd(12)}  ` +
      `${show(v.second).padStart(14)}  ${show(v.last).padStart(14)}  ${(100 * v.growth).toFixed(1).padStart(6)}%  ${v.perStep.toFixed(1).padStart(8)}  ${v.flat ? 'yes' : 'NO'}`);
  }
  if (r.errors.length) console.log(`${r.engine}: console errors: ${r.errors.join('\n')}`);
  ok &&= r.verdict.flat && r.errors.length === 0;
}
console.log(`\nreport: ${join(ARTIFACTS, 'soak.json')}`);
if (!ok) {
  console.error('soak: a series grew (or the page logged errors): see the table above');
  process.exit(1);
}
