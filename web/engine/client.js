// The page's side of the engine worker: each call returns a promise of the worker's answer.

/**
 * Starts the engine worker and returns a function `call(method, ...args)`.
 * @returns {{ call: (method: string, ...args: any[]) => Promise<any>, terminate: () => void }}
 */
export function startWorker() {
  const worker = new Worker(new URL('./worker.js', import.meta.url), { type: 'module' });
  const pending = new Map(); // id -> { resolve, reject }
  let nextId = 1;
  worker.onmessage = (event) => {
    const { id, result, error } = event.data;
    const p = pending.get(id);
    if (!p) return;
    pending.delete(id);
    if (error !== undefined) p.reject(new Error(error));
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
 * Creates a model in the worker and returns an object bound to it.
 * @param {{ call: Function }} worker from startWorker()
 * @param {object} options { config, seed, vocab, backend }
 */
export async function createEngine(worker, options) {
  const info = await worker.call('create', options);
  const h = info.handle;
  return {
    ...info,
    encode: (text) => worker.call('encode', h, text),
    decode: (ids) => worker.call('decode', h, Array.from(ids)),
    forward: (ids, keys) => worker.call('forward', h, Array.from(ids), keys),
    sample: (logits, temperature, topK, topP) => worker.call('sample', h, logits, temperature, topK, topP),
    setSeed: (seed) => worker.call('setSeed', h, seed),
    dispose: () => worker.call('dispose', h),
  };
}
