// The browser half of `make bench`: headless Chromium with WebGPU (SwiftShader where there is
// no GPU), one page, one run.
//   1. training tokens/s of our engine vs the same GPT in TensorFlow.js (WebGPU backend):
//      same config, batch, optimizer and text (tools/bench/browser/);
//   2. the playground page: time to the first attention heatmap after navigation (localhost);
//   3. the wasm engine's size, raw and gzipped;
//   4. memory over a long run of small training steps: the wasm heap of the engine worker and
//      the resident memory of Chromium's GPU process (where SwiftShader keeps GPU buffers);
//   5. CPU training tokens/s (issue 21): our wasm CPU engine against the same GPT in TensorFlow.js
//      on its wasm backend (SIMD), both single-threaded (a page without COOP/COEP: our
//      single-threaded wasm, TF.js's SIMD wasm) and on navigator.hardwareConcurrency threads (a
//      cross-origin-isolated page: our threaded wasm, TF.js's threaded SIMD wasm), each config of
//      configs.json's "browser_cpu" (tiny, small); the four trainers, each in its own page, take
//      their timed steps in turns, so the machine's changing load falls on all four alike;
//   6. (--parts before, not in the default) before and after a change: our training tokens/s of
//      one build against another's (--before-root, --after-root: the web/ folders of worktrees of
//      two commits, each built there with scripts/build-web.sh; the after side is this checkout's
//      web/ unless given), the browser row's config, on the CPU engine (one thread) and on
//      WebGPU, the pages taking their steps in turns as in 5.
// Writes bench-results/browser.json.
//   node tools/bench/browser_bench.mjs [--out FILE] [--parts training,memory,page,cpu] [--memory-steps N]
//     [--cpu-configs tiny,small] [--cpu-warmup N] [--cpu-steps N] [--cpu-runs ours_1,tfjs_1,ours_n,tfjs_n]
//     [--before-root DIR] [--after-root DIR] [--before-backends cpu,webgpu] [--before-steps N]
// Needs web/pkg (scripts/build-web.sh) and the npm packages (npm ci).
import { chromium } from 'playwright-core';
import { QUIET, WEBGPU } from '../../web/tests/browser-flags.mjs';
import { mkdir, writeFile } from 'node:fs/promises';
import { readFileSync, readdirSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { gzipSync } from 'node:zlib';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startServer, CROSS_ORIGIN_ISOLATION } from '../../scripts/static-server.mjs';
import { benchMounts } from './mounts.mjs';
import { gpuProcessRssMb, cpuSeconds, cpuSince } from './chromium-procs.mjs';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const args = process.argv.slice(2);
const arg = (name, fallback) => (args.includes(name) ? args[args.indexOf(name) + 1] : fallback);
const OUT = arg('--out', join(ROOT, 'bench-results/browser.json'));
const CONFIGS = JSON.parse(readFileSync(join(ROOT, 'tools/bench/configs.json'), 'utf8'));
const B = CONFIGS.browser;
const MEMORY_STEPS = Number(arg('--memory-steps', B.memory_steps));
// --parts training,memory,page,cpu (default: all four; the wasm size is always measured)
const PARTS = arg('--parts', 'training,memory,page,cpu').split(',');
const CPU = CONFIGS.browser_cpu;
const CPU_CONFIGS = arg('--cpu-configs', CPU.configs.join(',')).split(',');
const CPU_WARMUP = Number(arg('--cpu-warmup', CPU.warmup_steps));
const CPU_STEPS = Number(arg('--cpu-steps', CPU.steps));
// --cpu-runs ours_1,tfjs_1,ours_n,tfjs_n (default: all four; a subset to look at one comparison).
// --cpu-steps: the timed steps of each, one a round.
const CPU_RUNS = arg('--cpu-runs', 'ours_1,tfjs_1,ours_n,tfjs_n').split(',');
// --parts before: the two builds' web/ folders (their engine, worker and wasm; the bench page and
// TF.js are this checkout's), the backends, and the timed steps of each (one a round)
const BEFORE_ROOT = arg('--before-root', null);
const AFTER_ROOT = arg('--after-root', join(ROOT, 'web'));
const BEFORE_BACKENDS = arg('--before-backends', 'cpu,webgpu').split(',');
const BEFORE_STEPS = Number(arg('--before-steps', 6));
/** The 1-minute load average of the machine. */
const loadavg = () => Number(readFileSync('/proc/loadavg', 'utf8').split(' ')[0]);

function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

/** The median; of an even count, the mean of the middle two. */
function median2(xs) {
  const s = [...xs].sort((a, b) => a - b);
  const h = Math.floor(s.length / 2);
  return s.length % 2 ? s[h] : (s[h - 1] + s[h]) / 2;
}

const stamp = () => new Date().toISOString().replace(/\.\d+Z$/, 'Z');

/**
 * Trainers that take their timed steps in turns: one page each (`runs`: { key, label, url, side,
 * backend }), each warmed up, then `steps` rounds of one step of every page, every other round
 * each pair of pages the other way round, so a change of the machine's load falls on all alike.
 * Answers the rounds (the milliseconds of each page's step, the load average before and after)
 * and each run's median step.
 */
async function alternate(browser, errors, runs, { config, tokens, batch, warmup, steps }) {
  const started = stamp();
  const pages = [];
  try {
    for (const run of runs) {
      const context = await browser.newContext();
      const p = await context.newPage();
      p.on('pageerror', (e) => errors.push(`${run.key}: ${e}`));
      p.on('console', (m) => { if (m.type() === 'error') errors.push(`${run.key}: ${m.text()}`); });
      await p.goto(run.url + 'bench/');
      await p.waitForFunction(() => window.bench !== undefined);
      const info = await p.evaluate((o) => window.bench.prepare({ ...o, text: window.bench.makeText(200_000) }),
        { side: run.side, backend: run.backend, config, batch, warmup });
      pages.push({ run, context, page: p, info, steps: [] });
    }
    const rounds = [];
    for (let round = 0; round < steps; round++) {
      const order = pages.map((_, i) => (round % 2 === 0 || (i ^ 1) >= pages.length ? i : i ^ 1));
      const load_before = loadavg();
      for (const k of order) {
        const cpu = cpuSeconds();
        const step = await pages[k].page.evaluate(() => window.bench.steps(1));
        const used = cpuSince(cpu);
        // the step's CPU seconds in the page's renderer (its worker: the wasm, the CPU engine)
        // and in the GPU process (SwiftShader's kernels): its work, apart from the wait for a core
        pages[k].steps.push({ ...step, cpu_s: (used['gpu-process'] ?? 0) + (used.renderer ?? 0) });
      }
      rounds.push({ round, load_before, load_after: loadavg(), ms: Object.fromEntries(pages.map((x) => [x.run.key, x.steps.at(-1).ms])),
        cpu_s: Object.fromEntries(pages.map((x) => [x.run.key, x.steps.at(-1).cpu_s])) });
      console.log(`    round ${round + 1}: ${pages.map((x) => `${x.run.key} ${x.steps.at(-1).ms.toFixed(0)} ms (${x.steps.at(-1).cpu_s.toFixed(2)} CPU s)`).join(', ')}; load ${load_before.toFixed(2)}-${rounds.at(-1).load_after.toFixed(2)}`);
    }
    const sides = Object.fromEntries(pages.map(({ run, info, steps: taken }) => {
      const ms = median2(taken.map((x) => x.ms));
      return [run.key, { ms, tokens_per_s: tokens / ms * 1e3, mean_ms: taken.reduce((t, x) => t + x.ms, 0) / taken.length,
        step_ms: taken.map((x) => x.ms), cpu_s: median2(taken.map((x) => x.cpu_s)), step_cpu_s: taken.map((x) => x.cpu_s),
        first_loss: info.first_loss, loss: taken.at(-1).loss, ...info }];
    }));
    for (const [key, s] of Object.entries(sides)) {
      console.log(`    ${runs.find((r) => r.key === key).label.padEnd(22)} ${s.ms.toFixed(1).padStart(9)} ms/step ${s.tokens_per_s.toFixed(0).padStart(7)} tokens/s ${s.cpu_s.toFixed(2).padStart(6)} CPU s/step  loss ${s.first_loss.toFixed(3)} -> ${s.loss.toFixed(3)}  threads ${s.threads}`);
    }
    return { rounds, sides, started, ended: stamp() };
  } finally {
    for (const x of pages) await x.context.close();
  }
}

/**
 * Speed of run a over run b: the ratio of the median steps, and the ratio within each round (two
 * steps taken one after the other, under much the same load); `cpu`, `cpu_rounds`: the same by
 * the steps' CPU seconds (the work, not the wait for a core).
 */
function ratioOf(rounds, sides, a, b) {
  if (!sides[a] || !sides[b]) return undefined;
  const perRound = rounds.map((r) => r.ms[b] / r.ms[a]);
  return { median: sides[b].ms / sides[a].ms, of_means: sides[b].mean_ms / sides[a].mean_ms, per_round_median: median2(perRound), rounds: perRound,
    cpu: sides[b].cpu_s / sides[a].cpu_s, cpu_rounds: rounds.map((r) => r.cpu_s[b] / r.cpu_s[a]) };
}

const server = await startServer({ root: join(ROOT, 'web'), mounts: benchMounts(ROOT) });
const { url } = server;
async function save() {
  await mkdir(dirname(OUT), { recursive: true });
  await writeFile(OUT, JSON.stringify(result, null, 2));
}
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
  args: [...QUIET, ...WEBGPU, '--enable-precise-memory-info'],
});
const result = { kind: 'browser', date: new Date().toISOString().replace(/\.\d+Z$/, 'Z'), command: `node ${process.argv.slice(1).join(' ')}` };
try {
  const version = browser.version();
  const page = await (await browser.newContext()).newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(String(e)));
  page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
  await page.goto(url + 'bench/');
  await page.waitForFunction(() => window.bench !== undefined);
  const adapter = await page.evaluate(async () => {
    const a = await navigator.gpu?.requestAdapter();
    return a ? { vendor: a.info?.vendor, architecture: a.info?.architecture, description: a.info?.description, fallback: a.info?.isFallbackAdapter ?? a.isFallbackAdapter } : null;
  });
  result.machine = { browser: `Chromium ${version}`, adapter, cpu: readFileSync('/proc/cpuinfo', 'utf8').match(/model name\s*:\s*(.*)/)?.[1] };
  console.log(`Chromium ${version}, WebGPU adapter ${JSON.stringify(adapter)}`);

  const text = await page.evaluate(() => window.bench.makeText(200_000));

  // 1. training, ours then TensorFlow.js, same page
  if (PARTS.includes('training')) {
    const model = CONFIGS.configs.find((c) => c.name === B.config);
    const config = { block_size: model.block_size, n_layer: model.n_layer, n_head: model.n_head, n_embd: model.n_embd };
    const opts = { config, batch: B.batch_size, warmup: B.warmup_steps, steps: B.steps };
    const training = { config: B.config, model: config, batch_size: B.batch_size, warmup_steps: B.warmup_steps, steps: B.steps };
    const tokens = B.batch_size * model.block_size;
    const ours = await page.evaluate((o) => window.bench.ours(o), { ...opts, text });
    console.log(`  ours       ${ours.ms.toFixed(1)} ms/step, ${(tokens / ours.ms * 1e3).toFixed(0)} tokens/s (loss ${ours.loss.toFixed(3)}, V ${ours.vocab})`);
    const tfjs = await page.evaluate((o) => window.bench.tfjs(o), { ...opts, text });
    console.log(`  TF.js      ${tfjs.ms.toFixed(1)} ms/step, ${(tokens / tfjs.ms * 1e3).toFixed(0)} tokens/s (loss ${tfjs.loss.toFixed(3)}, V ${tfjs.vocab}, backend ${tfjs.backend})`);
    training.ours = { ...ours, tokens_per_s: tokens / ours.ms * 1e3 };
    training.tfjs = { ...tfjs, tokens_per_s: tokens / tfjs.ms * 1e3 };
    result.training = training;
    await save(); // the training takes longest: keep it if a later part fails
  }

  // 4. memory: the page's default training model ({T 16, 1 layer, C 16, batch 8}), long run
  if (PARTS.includes('memory')) {
    const mem = CONFIGS.memory;
    const memPage = await (await browser.newContext()).newPage();
    await memPage.goto(url + 'bench/');
    await memPage.waitForFunction(() => window.bench !== undefined);
    await memPage.evaluate((o) => window.bench.ours(o), {
      config: { block_size: mem.block_size, n_layer: mem.n_layer, n_head: mem.n_head, n_embd: mem.n_embd },
      batch: mem.batch_size, warmup: 1, steps: 1, text,
    });
    const worker = memPage.workers().find((w) => w.url().endsWith('/engine/worker.js'));
    const wasmBytes = () => worker.evaluate(async () => (await (await import('/pkg/playground_web.js')).default()).memory.buffer.byteLength);
    const chunk = Math.max(1, Math.floor(MEMORY_STEPS / 10));
    const samples = [];
    const t0 = Date.now();
    for (let done = 0; done < MEMORY_STEPS; done += chunk) {
      await memPage.evaluate((n) => window.bench.oursMore(n), chunk);
      samples.push({ step: done + chunk, wasm_mb: (await wasmBytes()) / 2 ** 20, gpu_process_rss_mb: gpuProcessRssMb(process.pid),
        page_heap_mb: (await memPage.evaluate(() => performance.memory?.usedJSHeapSize ?? 0)) / 2 ** 20 });
  }
  const first = samples[0];
  const last = samples.at(-1);
  result.memory = { steps: samples.at(-1).step, seconds: (Date.now() - t0) / 1e3, config: { ...mem, steps: undefined }, samples,
    wasm_growth_mb: last.wasm_mb - first.wasm_mb, gpu_process_growth_mb: last.gpu_process_rss_mb - first.gpu_process_rss_mb };
  console.log(`  memory over ${result.memory.steps} steps: wasm heap ${first.wasm_mb.toFixed(1)} -> ${last.wasm_mb.toFixed(1)} MB, GPU process ${first.gpu_process_rss_mb.toFixed(1)} -> ${last.gpu_process_rss_mb.toFixed(1)} MB`);
  await memPage.context().close();

  await save();
  }

  // 2. the playground page: first heatmap after navigation (drawn by the CPU engine where
  // WebGPU hands over), and WebGPU's own first heatmaps; three loads (the first is cold), each
  // on an idle browser, as in tools/bench/first_heatmap.mjs: WebGPU's work goes on in Chromium's
  // GPU process for about a second after a hand-over, and a load started in it waits
  if (PARTS.includes('page')) {
    const loads = [];
    const settled = [];
    for (let i = 0; i < 3; i++) {
      await new Promise((resolve) => setTimeout(resolve, 3000));
      const p = await (await browser.newContext()).newPage();
      await p.goto(url + 'index.html');
      await p.waitForFunction(() => window.playgroundDebug?.timings.engineSettledMs > 0, null, { timeout: 120_000 });
      const t = await p.evaluate(() => window.playgroundDebug.timings);
      loads.push(t.firstHeatmapMs);
      settled.push(t.engineSettledMs);
      await p.context().close();
    }
    result.page = { first_heatmap_ms: loads, first_heatmap_median_ms: median(loads), engine_settled_ms: settled, engine_settled_median_ms: median(settled) };
    console.log(`  first heatmap after navigation: ${loads.map((x) => x.toFixed(0)).join(', ')} ms; WebGPU's own: ${settled.map((x) => x.toFixed(0)).join(', ')} ms`);
  }

  // 5. CPU training: ours (wasm CPU engine) against TF.js's wasm backend, one thread and all.
  // The four trainers live in four pages at once, each warmed up, and take their timed steps in
  // turns (ours 1, TF.js 1, ours threaded, TF.js threaded; the next round each pair the other way
  // round), so a change of the machine's load falls on all four alike.
  if (PARTS.includes('cpu')) {
    // the single-threaded pair is served as a host without COOP/COEP serves it, the threaded
    // pair as `make serve` serves it (cross-origin isolated: SharedArrayBuffer, wasm threads)
    const isolated = await startServer({ root: join(ROOT, 'web'), mounts: benchMounts(ROOT), headers: CROSS_ORIGIN_ISOLATION });
    const runs = [
      { key: 'ours_1', label: 'ours, 1 thread', url, side: 'ours', backend: 'cpu' },
      { key: 'tfjs_1', label: 'TF.js wasm, 1 thread', url, side: 'tfjs', backend: 'wasm' },
      { key: 'ours_n', label: 'ours, threaded', url: isolated.url, side: 'ours', backend: 'cpu' },
      { key: 'tfjs_n', label: 'TF.js wasm, threaded', url: isolated.url, side: 'tfjs', backend: 'wasm' },
    ].filter((r) => CPU_RUNS.includes(r.key));
    result.cpu_training = { batch_size: CPU.batch_size, warmup_steps: CPU_WARMUP, steps: CPU_STEPS,
      order: 'four pages, each warmed up; then rounds of one step each: ours 1, TF.js 1, ours threaded, TF.js threaded, every other round each pair reversed',
      configs: [] };
    try {
      for (const name of CPU_CONFIGS) {
        const model = CONFIGS.configs.find((c) => c.name === name);
        if (!model) throw new Error(`no config ${name} in tools/bench/configs.json`);
        const config = { block_size: model.block_size, n_layer: model.n_layer, n_head: model.n_head, n_embd: model.n_embd };
        const tokens = CPU.batch_size * model.block_size;
        console.log(`  CPU training, ${name} (L${model.n_layer} NH${model.n_head} C${model.n_embd} T${model.block_size} B${CPU.batch_size}, ${tokens} tokens a step), ${CPU_WARMUP} warm-up steps, then ${CPU_STEPS} rounds of one step each`);
        const { rounds, sides, started, ended } = await alternate(browser, errors, runs, { config, tokens, batch: CPU.batch_size, warmup: CPU_WARMUP, steps: CPU_STEPS });
        const ratio = (a, b) => ratioOf(rounds, sides, a, b);
        const entry = { config: name, model: config, batch_size: CPU.batch_size, tokens_per_step: tokens, started, ended, rounds, ...sides,
          ratios: { ours_1_vs_tfjs_1: ratio('ours_1', 'tfjs_1'), ours_n_vs_ours_1: ratio('ours_n', 'ours_1'),
            ours_n_vs_tfjs_n: ratio('ours_n', 'tfjs_n'), tfjs_n_vs_tfjs_1: ratio('tfjs_n', 'tfjs_1') } };
        result.cpu_training.configs.push(entry);
        await save();
      }
    } finally {
      await isolated.close();
    }
    const rng = (r) => (r ? `${r.median.toFixed(2)} (rounds ${Math.min(...r.rounds).toFixed(2)}-${Math.max(...r.rounds).toFixed(2)})` : '–');
    console.log('\n  | config | ours 1 thread | TF.js wasm 1 thread | ours/TF.js (target ≥ 5) | ours threaded | threaded/1 (target ≥ 1.7) | TF.js threaded | ours/TF.js threaded |');
    console.log('  |---|---|---|---|---|---|---|---|');
    for (const c of result.cpu_training.configs) {
      const t = (s) => (s ? `${s.ms.toFixed(0)} ms, ${s.tokens_per_s.toFixed(0)} tok/s (${s.threads})` : '–');
      console.log(`  | ${c.config} | ${t(c.ours_1)} | ${t(c.tfjs_1)} | ${rng(c.ratios.ours_1_vs_tfjs_1)} | ${t(c.ours_n)} | ${rng(c.ratios.ours_n_vs_ours_1)} | ${t(c.tfjs_n)} | ${rng(c.ratios.ours_n_vs_tfjs_n)} |`);
    }
    console.log('  (median ms a step, tokens/s (threads); ratios: of the medians (lowest-highest within a round))');
  }

  // 6. before and after a change: this checkout's engine against another build's, same config
  if (PARTS.includes('before')) {
    if (!BEFORE_ROOT) throw new Error('--parts before needs --before-root DIR (the web/ folder of the other build)');
    const before = await startServer({ root: BEFORE_ROOT, mounts: benchMounts(ROOT) });
    const after = await startServer({ root: AFTER_ROOT, mounts: benchMounts(ROOT) });
    const commit = (dir) => execFileSync('git', ['-C', dir, 'rev-parse', 'HEAD'], { encoding: 'utf8' }).trim();
    const model = CONFIGS.configs.find((c) => c.name === B.config);
    const config = { block_size: model.block_size, n_layer: model.n_layer, n_head: model.n_head, n_embd: model.n_embd };
    const tokens = B.batch_size * model.block_size;
    const runs = BEFORE_BACKENDS.flatMap((backend) => [
      { key: `after_${backend}`, label: `after, ${backend}`, url: after.url, side: 'ours', backend },
      { key: `before_${backend}`, label: `before, ${backend}`, url: before.url, side: 'ours', backend },
    ]);
    console.log(`  before (${BEFORE_ROOT}, ${commit(BEFORE_ROOT)}) and after (${AFTER_ROOT}, ${commit(AFTER_ROOT)}): ${B.config} (L${model.n_layer} NH${model.n_head} C${model.n_embd} T${model.block_size} B${B.batch_size}), ${B.warmup_steps} warm-up steps, then ${BEFORE_STEPS} rounds`);
    try {
      const { rounds, sides, started, ended } = await alternate(browser, errors, runs,
        { config, tokens, batch: B.batch_size, warmup: B.warmup_steps, steps: BEFORE_STEPS });
      const ratios = Object.fromEntries(BEFORE_BACKENDS.map((b) => [b, ratioOf(rounds, sides, `after_${b}`, `before_${b}`)]));
      result.before_after = { before: { root: BEFORE_ROOT, commit: commit(BEFORE_ROOT) }, after: { root: AFTER_ROOT, commit: commit(AFTER_ROOT) },
        config: B.config, model: config, batch_size: B.batch_size, tokens_per_step: tokens, warmup_steps: B.warmup_steps, steps: BEFORE_STEPS,
        started, ended, rounds, ...sides, ratios };
      for (const b of BEFORE_BACKENDS) {
        const r = ratios[b];
        console.log(`    ${b}: after/before speed ${r.median.toFixed(3)} (per round median ${r.per_round_median.toFixed(3)}, rounds ${r.rounds.map((x) => x.toFixed(2)).join(' ')}); `
          + `by CPU seconds ${r.cpu.toFixed(3)} (rounds ${r.cpu_rounds.map((x) => x.toFixed(2)).join(' ')})`);
      }
      await save();
    } finally {
      await before.close();
      await after.close();
    }
  }

  result.errors = errors;
} finally {
  await browser.close();
  await server.close();
}

// 3. the wasm engine's size
const wasmFile = join(ROOT, 'web/pkg/playground_web_bg.wasm');
const wasm = readFileSync(wasmFile);
result.wasm = { file: 'web/pkg/playground_web_bg.wasm', bytes: wasm.length, gzip_bytes: gzipSync(wasm, { level: 9 }).length,
  js_bytes: readdirSync(join(ROOT, 'web/pkg')).filter((f) => f.endsWith('.js')).reduce((s, f) => s + readFileSync(join(ROOT, 'web/pkg', f)).length, 0) };
console.log(`  wasm ${result.wasm.bytes} bytes, ${result.wasm.gzip_bytes} gzipped`);

await save();
console.log(`wrote ${OUT}`);
