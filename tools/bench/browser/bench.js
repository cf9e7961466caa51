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

/** `backend`: 'webgpu' (default) or 'cpu' (the wasm CPU engine; threaded where the page is isolated). */
async function ours({ config, batch, warmup, steps, text, backend = 'webgpu' }) {
  const worker = startWorker();
  engine = await createEngine(worker, { config, seed: 1, data: { text }, backend });
  if (engine.backend !== backend) throw new Error(`our engine fell back to ${engine.backend}: ${engine.fallbackReason}`);
  await engine.startTraining({ ...TRAIN, batch_size: batch });
  const first = warmup > 0 ? (await engine.trainSteps(warmup))[0].loss : NaN;
  const t0 = performance.now();
  const stats = await engine.trainSteps(steps);
  const ms = (performance.now() - t0) / steps;
  return { ms, loss: stats.at(-1).loss, first_loss: first, vocab: engine.config.vocab_size, adapter: engine.adapter,
    threads: engine.threads, threads_reason: engine.threadsReason, isolated: self.crossOriginIsolated };
}

/** Our engine keeps training (for the memory run): `n` more steps. */
async function oursMore(n) {
  const stats = await engine.trainSteps(n);
  return stats.at(-1).loss;
}

/**
 * `backend`: 'webgpu' (default) or 'wasm' (TF.js's wasm backend, SIMD; its threaded build where
 * the page is cross-origin isolated, with `threads` threads: by default
 * navigator.hardwareConcurrency, as many as our pool has).
 * TF.js's threaded wasm caps its XNNPACK pool at half of navigator.hardwareConcurrency (it
 * assumes two hardware threads a core; tfjs-backend-wasm/src/cc/backend.cc), read once when its
 * module starts: on a 2-core machine that is 1 thread, whatever setThreadsCount says. So the page
 * reports twice `threads` to it, here on the main thread where TF.js runs (our engine's worker
 * has its own navigator); the result's `threads` is the pool TF.js says it made.
 */
async function tfjs({ config, batch, warmup, steps, text, backend = 'webgpu', threads = navigator.hardwareConcurrency }) {
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
  const first = await run(Math.min(1, warmup));
  await run(warmup - Math.min(1, warmup));
  const t0 = performance.now();
  const loss = await run(steps);
  const ms = (performance.now() - t0) / steps;
  const info = { ms, loss, first_loss: first, vocab: cfg.vocab_size, backend: tf.getBackend(), tensors: tf.memory().numTensors,
    parameters: gpt.parameterCount, ...wasmInfo };
  gpt.variables.forEach((v) => v.dispose());
  return info;
}

window.bench = { ours, oursMore, tfjs, makeText };
document.querySelector('#status').textContent = 'ready';
