// The page's side of the engine worker: each call returns a promise of the worker's answer.

import { engineMethodNames } from './methods.js';
import { downloadHubModel } from './hub.js';

/**
 * Starts the engine worker and returns a function `call(method, ...args)`, and `callMoving`,
 * which also moves the given buffers to the worker (they are empty here afterwards: a large file
 * is held once, not copied). A worker whose wasm instance trapped (out of memory, a panic:
 * `RuntimeError: unreachable`) has lost every engine it held and cannot run another call: it is
 * replaced by a fresh one at once, every call in flight rejects with an Error named
 * "EngineCrashed", and `onCrash` listeners are told, so each owner loads its model again. An
 * engine made before that rejects every call the same way.
 * @returns {{ call: (method: string, ...args: any[]) => Promise<any>,
 *   callMoving: (transfer: Transferable[], method: string, ...args: any[]) => Promise<any>,
 *   onCrash: (listener: (err: Error) => void) => void, generation: number, terminate: () => void }}
 */
export function startWorker() {
  const pending = new Map(); // id -> { resolve, reject }
  const listeners = new Set();
  let nextId = 1;
  let worker = null;
  let generation = 0;

  function spawn() {
    worker = new Worker(workerScript(), { type: 'module' });
    generation += 1;
    worker.onmessage = (event) => {
      const { id, result, error, name, crashed } = event.data;
      if (crashed !== undefined) return crash(crashed);
      const p = pending.get(id);
      if (!p) return;
      pending.delete(id);
      if (error !== undefined) p.reject(Object.assign(new Error(error), { name }));
      else p.resolve(result);
    };
    worker.onerror = (event) => {
      if (/RuntimeError/.test(event.message ?? '')) return crash(event.message); // a trap the worker could not report itself
      const err = new Error(`engine worker failed: ${event.message || 'could not start'}`);
      for (const p of pending.values()) p.reject(err);
      pending.clear();
    };
  }

  function crash(reason) {
    worker.terminate();
    const err = Object.assign(engineCrashed(`the engine crashed (${reason}) and was restarted; the models it held were lost`), { // i18n-exempt: English for logs; the page shows i18n
      reason, i18n: { key: 'page.engine.crashed', params: { reason } },
    });
    for (const p of pending.values()) p.reject(err);
    pending.clear();
    spawn();
    for (const listener of listeners) listener(err);
  }

  function callMoving(transfer, method, ...args) {
    const id = nextId++;
    return new Promise((resolve, reject) => {
      pending.set(id, { resolve, reject });
      worker.postMessage({ id, method, args }, transfer);
    });
  }

  spawn();
  return {
    call: (method, ...args) => callMoving([], method, ...args),
    callMoving,
    onCrash: (listener) => listeners.add(listener),
    /** Which worker this is: 1 for the first, one more after each crash. */
    get generation() {
      return generation;
    },
    terminate() {
      worker.terminate();
    },
  };
}

/** The error of a call to an engine that a crash took away (`reason`: the trap's own message, where known). */
function engineCrashed(message) {
  return Object.assign(new Error(message), { name: 'EngineCrashed' });
}

/**
 * The worker script beside this module. A worker's script must be same-origin, so where this
 * module comes from another origin (the widget on someone's blog, served from this site), a
 * same-origin blob worker imports it (the files then need CORS, as any cross-origin module does).
 */
function workerScript() {
  const url = new URL('./worker.js', import.meta.url);
  if (url.origin === location.origin) return url;
  return URL.createObjectURL(new Blob([`import ${JSON.stringify(url.href)};`], { type: 'text/javascript' }));
}

/**
 * Creates a freshly initialized model in the worker and returns an object bound to it.
 * @param {{ call: Function }} worker from startWorker()
 * @param {object} options { config, seed, vocab?, data?: {task}|{text}, backend }
 */
export async function createEngine(worker, options) {
  return bind(worker, await worker.call('create', options));
}

/**
 * Loads a model from checkpoint bytes (safetensors) in the worker.
 * @param {{ call: Function }} worker
 * @param {Uint8Array} bytes
 * @param {{ backend?: string, seed?: number, encdec?: boolean, transfer?: boolean }} [options] encdec: open an
 *   encoder-decoder as one (training and `translate`, no traces), as the Train page does; transfer: hand
 *   `bytes`' buffer over to the worker instead of copying it (the caller is done with them)
 */
export async function loadEngine(worker, bytes, { backend = 'auto', seed = 1, encdec = false, transfer = false } = {}) {
  return bind(worker, await worker.callMoving(transfer ? [bytes.buffer] : [], 'load', bytes, backend, seed, encdec));
}

/**
 * Loads a Hugging Face GPT-2 (weights bytes, config.json text or null, vocab.json and
 * merges.txt text) in the worker; inference only. The weights' buffer is handed over to the
 * worker (a copy of a large file would stall the page), so `weights` is empty afterwards.
 */
export async function loadGpt2Engine(worker, { weights, config, vocab, merges, backend = 'auto', seed = 1 }) {
  return bind(worker, await worker.callMoving([weights.buffer], 'loadGpt2', weights, config, vocab, merges, backend, seed));
}

/**
 * Downloads a Hugging Face model (GPT-2, Llama-family, Qwen2) from `base` (see engine/hub.js)
 * and loads it in the worker; inference only.
 * @param {{ call: Function }} worker
 * @param {string} base e.g. https://huggingface.co/HuggingFaceTB/SmolLM2-135M
 * @param {{ backend?: string, seed?: number, context?: number, signal?: AbortSignal,
 *   onProgress?: Function, onEstimate?: Function, cache?: boolean, watch?: boolean }} [options] context: the most tokens a rotary model
 *   attends over; watch: give up a file whose download stalls or trickles (engine/hub.js); onEstimate: `{ download_bytes, weights_bytes, activations_bytes, context }`, what the model will cost,
 *   from its config.json before any weight is downloaded (a model the engine cannot hold is refused then, by the engine)
 */
export async function openHubModel(worker, base, { backend = 'auto', seed = 1, context = 256, signal, onProgress, onEstimate = () => {}, cache, watch } = {}) {
  const approve = async ({ config, downloadBytes }) => onEstimate(await worker.call('hubEstimate', config, downloadBytes, context));
  const f = await downloadHubModel(base, { signal, onProgress, cache, watch, approve });
  signal?.throwIfAborted();
  // the weights move to the worker rather than being copied: a model's bytes are held once
  const moved = f.weights.map((w) => w.buffer);
  const info = await worker.callMoving(moved, 'loadHub', base, f.config, f.tokenizer, f.tokenizerConfig, f.weightNames, f.weights, context, backend, seed);
  return bind(worker, info);
}

/** The engine `info` describes, as an object whose methods (engine/methods.js) call it in the worker. */
function bind(worker, info) {
  const h = info.handle;
  const generation = worker.generation;
  const call = (name, ...args) => (worker.generation === generation
    ? worker.call(name, h, ...args)
    : Promise.reject(Object.assign(engineCrashed('this model was lost when the engine crashed'), { i18n: { key: 'page.engine.lost', params: {} } }))); // i18n-exempt: English for logs
  const methods = engineMethodNames().map((name) => [name, (...args) => call(name, ...args)]);
  return { ...info, ...Object.fromEntries(methods), dispose: () => call('dispose') };
}
