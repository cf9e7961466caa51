// The page's side of the engine worker: each call returns a promise of the worker's answer.

import { engineMethodNames } from './methods.js';

/**
 * Starts the engine worker and returns a function `call(method, ...args)`.
 * @returns {{ call: (method: string, ...args: any[]) => Promise<any>, terminate: () => void }}
 */
export function startWorker() {
  const worker = new Worker(workerScript(), { type: 'module' });
  const pending = new Map(); // id -> { resolve, reject }
  let nextId = 1;
  worker.onmessage = (event) => {
    const { id, result, error, name } = event.data;
    const p = pending.get(id);
    if (!p) return;
    pending.delete(id);
    if (error !== undefined) p.reject(Object.assign(new Error(error), { name }));
    else p.resolve(result);
  };
  worker.onerror = (event) => {
    const err = new Error(`engine worker failed: ${event.message || 'could not start'}`);
    for (const p of pending.values()) p.reject(err);
    pending.clear();
  };
  return {
    call(method, ...args) {
      const id = nextId++;
      return new Promise((resolve, reject) => {
        pending.set(id, { resolve, reject });
        worker.postMessage({ id, method, args });
      });
    },
    terminate() {
      worker.terminate();
    },
  };
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
 * @param {{ backend?: string, seed?: number, encdec?: boolean }} [options] encdec: open an encoder-decoder
 *   as one (training and `translate`, no traces), as the Train page does
 */
export async function loadEngine(worker, bytes, { backend = 'auto', seed = 1, encdec = false } = {}) {
  return bind(worker, await worker.call('load', bytes, backend, seed, encdec));
}

/**
 * Loads a Hugging Face GPT-2 (weights bytes, config.json text or null, vocab.json and
 * merges.txt text) in the worker; inference only.
 */
export async function loadGpt2Engine(worker, { weights, config, vocab, merges, backend = 'auto', seed = 1 }) {
  return bind(worker, await worker.call('loadGpt2', weights, config, vocab, merges, backend, seed));
}

/** The engine `info` describes, as an object whose methods (engine/methods.js) call it in the worker. */
function bind(worker, info) {
  const h = info.handle;
  const methods = engineMethodNames().map((name) => [name, (...args) => worker.call(name, h, ...args)]);
  return { ...info, ...Object.fromEntries(methods), dispose: () => worker.call('dispose', h) };
}
