// The short soak of `make test` (`make soak` is the long one): the Train page trains a tiny model
// on the CPU engine (6,000 steps) and on WebGPU (240 steps, SwiftShader), with its evaluations,
// samples, probes and autosaves; the engine worker's live GPU buffers, its wasm memory and the
// page's JS heap are sampled every 0.1 s (CPU) or back to back (WebGPU) and must stay flat
// (soak-run.mjs defines flat).
// Writes test-results/soak-short.json.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setup, ARTIFACTS } from './harness.mjs';
import { soak } from './soak-run.mjs';

const RUNS = [
  // A sample (a forced GC and the counters) takes about 0.4 s on the CPU run and 2 s on WebGPU
  // (SwiftShader), so the runs are long enough for well over 8 samples on a fast machine too.
  { engine: 'cpu', steps: 6000, everyMs: 100 },
  { engine: 'webgpu', steps: 240, everyMs: 0 },
];
const results = [];

let env;
before(async () => { env = await setup({ webgpu: true }); }); // the CPU run chooses the CPU engine
after(async () => { await env?.close(); });

for (const run of RUNS) {
  test(`soak (short): ${run.steps} steps on ${run.engine}: GPU buffers, wasm memory and JS heap stay flat`, async () => {
    const r = await soak(env, run);
    results.push(r);
    writeFileSync(join(ARTIFACTS, 'soak-short.json'), JSON.stringify(results, null, 2));
    const v = r.verdict;
    console.log(`soak ${run.engine}: ${r.samples.length} samples over ${r.seconds.toFixed(0)} s; ` +
      Object.entries(v).filter(([, x]) => typeof x === 'object').map(([k, x]) => `${k} ${(100 * x.growth).toFixed(1)}%`).join(', '));
    assert.ok(r.samples.length >= 8, `${r.samples.length} samples`);
    for (const [key, x] of Object.entries(v)) if (typeof x === 'object') assert.ok(x.flat, `${key} grew from ${x.second} to ${x.last}`);
    if (run.engine === 'webgpu') {
      assert.ok(r.samples.every((s) => s.gpuLive === r.samples[0].gpuLive), `live GPU buffers: ${r.samples.map((s) => s.gpuLive).join(' ')}`);
    } else {
      assert.ok(r.samples.every((s) => s.gpuLive === null), 'the CPU run made no GPU device');
    }
    assert.deepEqual(r.errors, []);
  });
}
