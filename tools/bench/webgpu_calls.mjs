// Counts the WebGPU calls of one training step in the browser, for one build's web/ folder or for
// several side by side (issue 18: a build whose step is slower in Chromium while natively equal
// would pay per call, in Dawn: bind groups, buffers, passes, submits, writes). Counts do not
// depend on the machine's load, so two builds compare in any run. Beside them: the JS-side
// milliseconds of each call class in the worker (Dawn's validation and its hand-over to the GPU
// process), and the step's CPU seconds in Chromium's GPU process (on SwiftShader, the kernels).
//   node tools/bench/webgpu_calls.mjs [--roots DIR,DIR...] [--steps N] [--warmup N]
//     [--kernels R] [--variant LABEL=PATCH.mjs[,LABEL=PATCH.mjs...]] [--flags F,F...] [--out FILE]
// --roots: web/ folders of builds (default: this checkout's web/); each is served on its own
// port with the bench page (tools/bench/browser/) and its engine worker, into which
// tools/bench/webgpu-calls/count.js is imported first. The browser row's config of
// tools/bench/configs.json (small: L4 NH4 C128 T128, batch 16), `--warmup` steps (default 2), then
// the counts of `--steps` steps (default 2, one trainSteps call) divided by the steps.
// `--kernels R` (default 0: not) then runs each kernel's dispatches of the last step again, alone
// in their own submissions, R rounds in which the builds take turns kernel by kernel, and gives
// each kernel's fastest round: wall ms (submit to onSubmittedWorkDone) and the GPU process's CPU
// seconds, so that two builds' WGSL can be compared as Dawn, Tint and SwiftShader run it.
// `--variant LABEL=PATCH.mjs` (with --kernels R): kernel LABEL of the first build against a variant
// of its WGSL, the default export of PATCH.mjs (a function from the WGSL the engine compiled to
// the variant's; each dispatch's pipeline constants, such as a matmul's ACT, are kept), on the
// same dispatches and buffers, R rounds in turns: a kernel change tried
// without rebuilding the engine. Several, comma-separated, each against the kernel as built in
// turn; each gives its fastest round and the median of its rounds' variant/built CPU s.
// `--flags`: more Chromium switches, e.g. --enable-dawn-features=disable_robustness (Dawn's
// toggles: what each costs, by switching it off).
// Writes bench-results/webgpu-calls.json and prints tables, one column a build.
import { chromium } from 'playwright-core';
import { QUIET, WEBGPU } from '../../web/tests/browser-flags.mjs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { readFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { join, dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startServer } from '../../scripts/static-server.mjs';
import { benchMounts } from './mounts.mjs';
import { cpuSeconds, cpuSince } from './chromium-procs.mjs';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const args = process.argv.slice(2);
const arg = (name, fallback) => (args.includes(name) ? args[args.indexOf(name) + 1] : fallback);
const ROOTS = arg('--roots', join(ROOT, 'web')).split(',');
const STEPS = Number(arg('--steps', 2));
const WARMUP = Number(arg('--warmup', 2));
const KERNEL_ROUNDS = Number(arg('--kernels', 0));
const VARIANTS = arg('--variant', '').split(',').filter(Boolean);
const FLAGS = arg('--flags', '').split(',').filter(Boolean);
const OUT = arg('--out', join(ROOT, 'bench-results/webgpu-calls.json'));
const CONFIGS = JSON.parse(readFileSync(join(ROOT, 'tools/bench/configs.json'), 'utf8'));
const B = CONFIGS.browser;
const model = CONFIGS.configs.find((c) => c.name === B.config);
const config = { block_size: model.block_size, n_layer: model.n_layer, n_head: model.n_head, n_embd: model.n_embd };
const loadavg = () => Number(readFileSync('/proc/loadavg', 'utf8').split(' ')[0]);
const commit = (dir) => execFileSync('git', ['-C', dir, 'rev-parse', '--short', 'HEAD'], { encoding: 'utf8' }).trim();

/** The mounts of the bench page, and the build's engine worker with the counters imported first. */
function countingMounts(root) {
  return {
    '/webgpu-calls/': join(ROOT, 'tools/bench/webgpu-calls'),
    '/engine/worker.js': async (req, res) => {
      const source = await readFile(join(root, 'engine/worker.js'), 'utf8');
      res.writeHead(200, { 'Content-Type': 'text/javascript; charset=utf-8', 'Cache-Control': 'no-cache' });
      res.end(`import '/webgpu-calls/count.js';\n${source}`);
    },
    ...benchMounts(ROOT),
  };
}

/** A page of one build with its trainer made and warmed up; `worker` holds the counters. */
async function openBuild(browser, root) {
  const server = await startServer({ root, mounts: countingMounts(root) });
  const context = await browser.newContext();
  const page = await context.newPage();
  page.on('pageerror', (e) => console.error(`${root}: ${e}`));
  await page.goto(server.url + 'bench/');
  await page.waitForFunction(() => window.bench !== undefined);
  const info = await page.evaluate((o) => window.bench.prepare({ ...o, text: window.bench.makeText(200_000) }),
    { side: 'ours', backend: 'webgpu', config, batch: B.batch_size, warmup: WARMUP });
  const worker = page.workers().find((w) => w.url().endsWith('/engine/worker.js'));
  if (!(await worker.evaluate(() => self.webgpuCalls?.available))) throw new Error(`${root}: the worker has no WebGPU to count`);
  const setup = await worker.evaluate(() => self.webgpuCalls.snapshot());
  const close = async () => { await context.close(); await server.close(); };
  return { root, commit: commit(root), adapter: info.adapter, page, worker, setup, close };
}

/** The counts, wall ms and CPU seconds of `STEPS` steps of a build, each divided by the steps. */
async function countSteps(build) {
  await build.worker.evaluate(() => self.webgpuCalls.reset());
  const load = loadavg();
  const cpu = cpuSeconds();
  const { ms } = await build.page.evaluate((n) => window.bench.steps(n), STEPS);
  const used = cpuSince(cpu);
  const s = await build.worker.evaluate(() => self.webgpuCalls.snapshot());
  const div = (x) => x / STEPS;
  return {
    ms_per_step: ms, load: [load, loadavg()],
    cpu_s: Object.fromEntries(Object.entries(used).map(([k, x]) => [k, div(x)])),
    calls: Object.fromEntries(Object.entries(s.calls).map(([k, c]) => [k, { n: div(c.n), ms: div(c.ms) }])),
    dispatches: Object.fromEntries(Object.entries(s.dispatches).map(([k, n]) => [k, div(n)])),
    bytes_written: div(s.bytes_written), buffer_bytes: div(s.buffer_bytes), pipeline_switches: div(s.pipeline_switches),
  };
}

/**
 * Each kernel of the last step run again, the builds taking turns kernel by kernel, `rounds`
 * times: per build and label the fastest round's wall ms and GPU-process CPU seconds.
 */
async function timeKernels(builds, rounds) {
  const out = builds.map(() => ({}));
  for (let r = 0; r < rounds; r++) {
    const order = r % 2 ? [...builds.keys()].reverse() : [...builds.keys()];
    for (const label of [...new Set(builds.flatMap((b) => Object.keys(b.per_step.dispatches)))].sort()) {
      for (const i of order) {
        const b = builds[i];
        if (!b.per_step.dispatches[label]) continue;
        const oneStep = Object.values(b.per_step.dispatches).reduce((x, y) => x + y, 0);
        const cpu = cpuSeconds();
        const { n, ms } = await b.worker.evaluate(([count, l]) => self.webgpuCalls.replay(count, l), [oneStep, label]);
        const cpu_s = cpuSince(cpu)['gpu-process'] ?? 0;
        const k = (out[i][label] ??= { n, ms: Infinity, cpu_s: Infinity });
        k.ms = Math.min(k.ms, ms);
        k.cpu_s = Math.min(k.cpu_s, cpu_s);
      }
    }
  }
  return out;
}

/** One kernel of `build` as built and as the patch in `spec` (LABEL=PATCH.mjs) changes it, in turns. */
async function timeVariant(build, spec, rounds) {
  const [label, file] = spec.split('=');
  const patch = (await import(resolve(file))).default;
  const source = await build.worker.evaluate((l) => self.webgpuCalls.source(l), label);
  if (!source) throw new Error(`${build.root}: no kernel labelled ${label}`);
  const wgsl = patch(source);
  if (wgsl === source) throw new Error(`${file} changed nothing in ${label}`);
  const oneStep = Object.values(build.per_step.dispatches).reduce((x, y) => x + y, 0);
  const best = { built: { ms: Infinity, cpu_s: Infinity }, variant: { ms: Infinity, cpu_s: Infinity } };
  const cpuRounds = { built: [], variant: [] }; // every round's CPU s, for the median of the per-round ratios
  await build.worker.evaluate(([count, l, code]) => self.webgpuCalls.replay(count, l, code), [oneStep, label, wgsl]); // compiled once, untimed
  for (let r = 0; r < rounds; r++) {
    for (const which of r % 2 ? ['variant', 'built'] : ['built', 'variant']) {
      const cpu = cpuSeconds();
      const { n, ms } = await build.worker.evaluate(([count, l, code]) => self.webgpuCalls.replay(count, l, code),
        [oneStep, label, which === 'variant' ? wgsl : null]);
      const cpu_s = cpuSince(cpu)['gpu-process'] ?? 0;
      Object.assign(best[which], { n, ms: Math.min(best[which].ms, ms), cpu_s: Math.min(best[which].cpu_s, cpu_s) });
      cpuRounds[which].push(cpu_s);
    }
  }
  const ratios = cpuRounds.variant.map((v, i) => v / cpuRounds.built[i]).sort((x, y) => x - y);
  return { label, patch: file, wgsl, ...best, cpu_rounds: cpuRounds, cpu_ratio_median: ratios[Math.floor(ratios.length / 2)] };
}

/** Tables: one row per call class, then per kernel; one column (or two) per build. */
function tables(builds) {
  const rows = (pick) => [...new Set(builds.flatMap((b) => Object.keys(pick(b) ?? {})))].sort();
  const cell = (x, digits = 1) => (x === undefined ? '–' : Number.isInteger(x) ? String(x) : x.toFixed(digits));
  const head = (title, cols) => [`| ${title} | ${builds.map((b) => cols.map((c) => `${b.commit} ${c}`).join(' | ')).join(' | ')} |`,
    `|---|${builds.map(() => cols.map(() => '---').join('|')).join('|')}|`];
  const lines = head('per step', ['n', 'JS ms']);
  for (const k of rows((b) => b.per_step.calls)) {
    lines.push(`| ${k} | ${builds.map((b) => `${cell(b.per_step.calls[k]?.n)} | ${cell(b.per_step.calls[k]?.ms)}`).join(' | ')} |`);
  }
  lines.push('', ...head('per step', ['']));
  for (const k of ['pipeline_switches', 'bytes_written', 'buffer_bytes']) lines.push(`| ${k} | ${builds.map((b) => cell(b.per_step[k])).join(' | ')} |`);
  for (const k of rows((b) => b.per_step.cpu_s)) lines.push(`| CPU s, ${k} | ${builds.map((b) => cell(b.per_step.cpu_s[k], 2)).join(' | ')} |`);
  lines.push(`| wall ms | ${builds.map((b) => cell(b.per_step.ms_per_step, 0)).join(' | ')} |`);
  lines.push('', ...head('dispatches by kernel', ['']));
  for (const k of rows((b) => b.per_step.dispatches)) lines.push(`| ${k} | ${builds.map((b) => cell(b.per_step.dispatches[k])).join(' | ')} |`);
  if (builds.every((b) => b.kernels)) {
    lines.push('', ...head('kernel, one step, each dispatch alone', ['n', 'ms', 'CPU s']));
    for (const k of rows((b) => b.kernels)) {
      lines.push(`| ${k} | ${builds.map((b) => `${cell(b.kernels[k]?.n)} | ${cell(b.kernels[k]?.ms, 0)} | ${cell(b.kernels[k]?.cpu_s, 2)}`).join(' | ')} |`);
    }
    const sum = (b, f) => Object.values(b.kernels).reduce((t, k) => t + k[f], 0);
    lines.push(`| all | ${builds.map((b) => ` | ${cell(sum(b, 'ms'), 0)} | ${cell(sum(b, 'cpu_s'), 2)}`).join(' | ')} |`);
  }
  return lines.join('\n');
}

const browser = await chromium.launch({ executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium', args: [...QUIET, ...WEBGPU, ...FLAGS] });
const result = { kind: 'webgpu-calls', date: new Date().toISOString().replace(/\.\d+Z$/, 'Z'), command: `node ${process.argv.slice(1).join(' ')}`,
  browser: `Chromium ${browser.version()}`, flags: FLAGS, config: B.config, model: config, batch_size: B.batch_size, warmup: WARMUP, steps: STEPS, builds: [] };
const open = [];
try {
  for (const root of ROOTS) open.push(await openBuild(browser, root));
  for (const b of open) {
    b.per_step = await countSteps(b);
    console.log(`  ${b.root} (${b.commit}): ${b.per_step.ms_per_step.toFixed(0)} ms a step, load ${b.per_step.load.map((x) => x.toFixed(2)).join('-')}`);
  }
  if (VARIANTS.length && KERNEL_ROUNDS > 0) {
    result.variants = [];
    for (const spec of VARIANTS) {
      const v = await timeVariant(open[0], spec, KERNEL_ROUNDS);
      result.variants.push(v);
      console.log(`  ${v.label} ${v.patch}: as built ${v.built.ms.toFixed(0)} ms, ${v.built.cpu_s.toFixed(2)} CPU s; `
        + `variant ${v.variant.ms.toFixed(0)} ms, ${v.variant.cpu_s.toFixed(2)} CPU s (${v.built.n} dispatches, fastest of ${KERNEL_ROUNDS}; variant/built CPU s, median round ${v.cpu_ratio_median.toFixed(3)}; load ${loadavg().toFixed(2)})`);
    }
  } else if (KERNEL_ROUNDS > 0) (await timeKernels(open, KERNEL_ROUNDS)).forEach((k, i) => { open[i].kernels = k; });
  result.builds = open.map(({ root, commit: c, adapter, setup, per_step, kernels }) => ({ root, commit: c, adapter, setup, per_step, kernels }));
} finally {
  for (const b of open) await b.close();
  await browser.close();
}
console.log(tables(result.builds));
await mkdir(dirname(OUT), { recursive: true });
await writeFile(OUT, JSON.stringify(result, null, 2));
console.log(`wrote ${OUT}`);
