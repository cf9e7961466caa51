// The page side of the browser benchmark: `window.bench.ours(options)` trains our engine (its
// worker; WebGPU, or with `backend: 'cpu'` the wasm CPU engine) and `window.bench.tfjs(options)`
// trains the TensorFlow.js GPT (gpt-tfjs.js; WebGPU backend, or with `backend: 'wasm'` TF.js's
// wasm backend) on the same text with the same config, batch and optimizer.
// Each returns milliseconds per step over `steps` steps after `warmup` steps.
// Threads on the CPU: both sides use them only where the page is cross-origin isolated (served
// with COOP/COEP): our worker then loads the threaded wasm (a pool of navigator.hardwareConcurrency
// Web Workers) and TF.js its threaded SIMD wasm (XNNPACK's pool, as many threads as logical
// cores); elsewhere our single-threaded wasm and TF.js's SIMD wasm without threads.
import { startWorker, createEngine } from '/engine/client.js';
import { createGpt } from './gpt-tfjs.js';

/** The 65 characters of nanoGPT's shakespeare_char vocabulary (whitespace first). */
const ALPHABET = " \n!$&',-.3:;?abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ";

/** A deterministic text over ALPHABET (xorshift; the values do not affect the speed). */
export function makeText(length, seed = 1) {
  let s = seed >>> 0 || 1;
  const next = () => { s ^= s << 13; s >>>= 0; s ^= s >>> 17; s ^= s << 5; s >>>= 0; return s; };
  let out = ALPHABET; // every character at least once, so the vocabulary has all 65
  while (out.length < length) {
    const word = 1 + (next() % 9);
    for (let i = 0; i < word; i++) out += ALPHABET[2 + (next() % (ALPHABET.length - 2))];
    out += next() % 8 === 0 ? '\n' : ' ';
  }
  return out;
}

const TRAIN = { learning_rate: 1e-3, min_lr: 1e-3, warmup_steps: 0, max_steps: 1_000_000, weight_decay: 0.1,
  beta1: 0.9, beta2: 0.99, eps: 1e-8, grad_clip: 1.0, seed: 7 };

let engine = null; // the last engine, kept for the memory run

/**
 * Our engine, ready to train: `run(n)` takes n steps and answers the last loss.
 * `backend`: 'webgpu' or 'cpu' (the wasm CPU engine; threaded where the page is isolated).
 */
async function oursTrainer({ config, batch, text, backend }) {
  const worker = startWorker();
  engine = await createEngine(worker, { config, seed: 1, data: { text }, backend });
  if (engine.backend !== backend) throw new Error(`our engine fell back to ${engine.backend}: ${engine.fallbackReason}`);
  await engine.startTraining({ ...TRAIN, batch_size: batch });
  return {
    run: async (n) => (n === 0 ? NaN : (await engine.trainSteps(n)).at(-1).loss),
    info: { vocab: engine.config.vocab_size, adapter: engine.adapter, threads: engine.threads, threads_reason: engine.threadsReason,
      isolated: self.crossOriginIsolated },
    dispose: () => worker.terminate(),
  };
}

/**
 * The TF.js GPT, ready to train: `run(n)` takes n steps and answers the last loss (read back,
 * which waits for the GPU).
 * `backend`: 'webgpu' or 'wasm' (TF.js's wasm backend, SIMD; its threaded build where
 * the page is cross-origin isolated, with `threads` threads: by default
 * navigator.hardwareConcurrency, as many as our pool has).
 * TF.js's threaded wasm caps its XNNPACK pool at half of navigator.hardwareConcurrency (it
 * assumes two hardware threads a core; tfjs-backend-wasm/src/cc/backend.cc), read once when its
 * module starts: on a 2-core machine that is 1 thread, whatever setThreadsCount says. So the page
 * reports twice `threads` to it, here on the main thread where TF.js runs (our engine's worker
 * has its own navigator); the result's `threads` is the pool TF.js says it made.
 */
async function tfjsTrainer({ config, batch, text, backend, threads = navigator.hardwareConcurrency }) {
  const tf = globalThis.tf;
  if (backend === 'wasm') { // before the backend starts
    tf.wasm.setWasmPaths('/vendor/tfjs-backend-wasm/');
    if (self.crossOriginIsolated) {
      if (navigator.hardwareConcurrency < 2 * threads) Object.defineProperty(navigator, 'hardwareConcurrency', { value: 2 * threads, configurable: true });
      tf.wasm.setThreadsCount(threads);
    }
  }
  if (!(await tf.setBackend(backend))) throw new Error(`TensorFlow.js could not start its ${backend} backend`);
  await tf.ready();
  const wasmInfo = backend === 'wasm' ? {
    simd: await tf.env().getAsync('WASM_HAS_SIMD_SUPPORT'),
    multithread: await tf.env().getAsync('WASM_HAS_MULTITHREAD_SUPPORT'),
    threads: tf.wasm.getThreadsCount(),
    isolated: self.crossOriginIsolated,
  } : {};
  const chars = [...new Set(text)].sort();
  const index = new Map(chars.map((ch, i) => [ch, i]));
  const ids = Int32Array.from(text, (ch) => index.get(ch));
  const cfg = { ...config, vocab_size: chars.length };
  const T = cfg.block_size;
  const trainEnd = Math.floor(ids.length * 0.9);
  let s = 7;
  const rand = () => { s ^= s << 13; s >>>= 0; s ^= s >>> 17; s ^= s << 5; s >>>= 0; return s; };
  const batchTensors = () => {
    const x = new Int32Array(batch * T);
    const y = new Int32Array(batch * T);
    for (let b = 0; b < batch; b++) {
      const o = rand() % (trainEnd - T - 1);
      x.set(ids.subarray(o, o + T), b * T);
      y.set(ids.subarray(o + 1, o + T + 1), b * T);
    }
    return [tf.tensor2d(x, [batch, T], 'int32'), tf.tensor2d(y, [batch, T], 'int32')];
  };
  // TF.js's wasm backend has no UnsortedSegmentSum, the kernel of gather's gradient: there the
  // token embedding is a one-hot row times the table (the same values and gradient)
  const gpt = createGpt(tf, cfg, 1, { oneHotEmbedding: backend === 'wasm' });
  const run = async (n) => {
    if (n === 0) return NaN;
    let loss = null;
    for (let i = 0; i < n; i++) {
      const [x, y] = batchTensors();
      loss?.dispose();
      loss = gpt.step(x, y);
      x.dispose();
      y.dispose();
    }
    const value = (await loss.data())[0]; // waits for the GPU
    loss.dispose();
    return value;
  };
  return {
    run,
    info: { vocab: cfg.vocab_size, backend: tf.getBackend(), parameters: gpt.parameterCount, ...wasmInfo },
    dispose: () => gpt.variables.forEach((v) => v.dispose()),
    tensors: () => tf.memory().numTensors,
  };
}

/** Trains `steps` steps after `warmup` and answers the milliseconds a timed step and the losses. */
async function timed(trainer, warmup, steps) {
  const first = await trainer.run(Math.min(1, warmup));
  await trainer.run(warmup - Math.min(1, warmup));
  const t0 = performance.now();
  const loss = await trainer.run(steps);
  return { ms: (performance.now() - t0) / steps, loss, first_loss: first };
}

/** Our engine (`backend` 'webgpu', the default, or 'cpu'). */
async function ours({ config, batch, warmup, steps, text, backend = 'webgpu' }) {
  const trainer = await oursTrainer({ config, batch, text, backend });
  return { ...(await timed(trainer, warmup, steps)), ...trainer.info };
}

/** The TF.js GPT (`backend` 'webgpu', the default, or 'wasm'). */
async function tfjs({ config, batch, warmup, steps, text, backend = 'webgpu', threads }) {
  const trainer = await tfjsTrainer({ config, batch, text, backend, threads });
  const result = await timed(trainer, warmup, steps);
  const info = { ...result, ...trainer.info, tensors: trainer.tensors() };
  trainer.dispose();
  return info;
}

/** Our engine keeps training (for the memory run): `n` more steps. */
async function oursMore(n) {
  const stats = await engine.trainSteps(n);
  return stats.at(-1).loss;
}

// One trainer per page, driven a few steps at a time from outside, so that the driver can
// alternate steps between pages (browser_bench.mjs's CPU part: the runs share the machine's load).
let session = null;

/** Makes this page's trainer (`side` 'ours' or 'tfjs'; the options as ours()/tfjs()) and takes the warm-up steps. */
async function prepare({ side, warmup, ...options }) {
  session = side === 'ours' ? await oursTrainer(options) : await tfjsTrainer(options);
  const first = await session.run(Math.min(1, warmup));
  await session.run(warmup - Math.min(1, warmup));
  return { first_loss: first, ...session.info };
}

/** `n` more steps of this page's trainer: milliseconds a step, and the last loss. */
async function steps(n) {
  const t0 = performance.now();
  const loss = await session.run(n);
  return { ms: (performance.now() - t0) / n, loss };
}

window.bench = { ours, oursMore, tfjs, makeText, prepare, steps };
document.querySelector('#status').textContent = 'ready';
