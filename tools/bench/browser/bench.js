// The page side of the browser benchmark: `window.bench.ours(options)` trains our engine (its
// worker, WebGPU) and `window.bench.tfjs(options)` trains the TensorFlow.js GPT
// (gpt-tfjs.js, WebGPU backend) on the same text with the same config, batch and optimizer.
// Each returns milliseconds per step over `steps` steps after `warmup` steps.
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

async function ours({ config, batch, warmup, steps, text }) {
  const worker = startWorker();
  engine = await createEngine(worker, { config, seed: 1, data: { text }, backend: 'webgpu' });
  if (engine.backend !== 'webgpu') throw new Error(`our engine fell back to ${engine.backend}: ${engine.fallbackReason}`);
  await engine.startTraining({ ...TRAIN, batch_size: batch });
  await engine.trainSteps(warmup);
  const t0 = performance.now();
  const stats = await engine.trainSteps(steps);
  const ms = (performance.now() - t0) / steps;
  return { ms, loss: stats.at(-1).loss, vocab: engine.config.vocab_size, adapter: engine.adapter };
}

/** Our engine keeps training (for the memory run): `n` more steps. */
async function oursMore(n) {
  const stats = await engine.trainSteps(n);
  return stats.at(-1).loss;
}

async function tfjs({ config, batch, warmup, steps, text }) {
  const tf = globalThis.tf;
  if (!(await tf.setBackend('webgpu'))) throw new Error('TensorFlow.js could not start its WebGPU backend');
  await tf.ready();
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
  const gpt = createGpt(tf, cfg, 1);
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
  await run(warmup);
  const t0 = performance.now();
  const loss = await run(steps);
  const ms = (performance.now() - t0) / steps;
  const info = { ms, loss, vocab: cfg.vocab_size, backend: tf.getBackend(), tensors: tf.memory().numTensors,
    parameters: gpt.parameterCount };
  gpt.variables.forEach((v) => v.dispose());
  return info;
}

window.bench = { ours, oursMore, tfjs, makeText };
document.querySelector('#status').textContent = 'ready';
