// The page's side of the engine worker: each call returns a promise of the worker's answer.

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

function bind(worker, info) {
  const h = info.handle;
  return {
    ...info,
    encode: (text) => worker.call('encode', h, text),
    decode: (ids) => worker.call('decode', h, Array.from(ids)),
    forward: (ids, keys) => worker.call('forward', h, Array.from(ids), keys),
    sample: (logits, temperature, topK, topP) => worker.call('sample', h, logits, temperature, topK, topP),
    setSeed: (seed) => worker.call('setSeed', h, seed),
    generate: (prompt, n, temperature, topK, topP) => worker.call('generate', h, Array.from(prompt), n, temperature, topK, topP),
    setData: (data, seed) => worker.call('setData', h, data, seed),
    startTraining: (config, optimizer) => worker.call('startTraining', h, config, optimizer ?? null),
    trainSteps: (n) => worker.call('trainSteps', h, n),
    evaluate: (batches) => worker.call('evaluate', h, batches),
    step: () => worker.call('step', h),
    exportCheckpoint: () => worker.call('exportCheckpoint', h),
    exportOptimizer: () => worker.call('exportOptimizer', h),
    /** Test hook: 'nan' poisons a weight, 'device-lost' destroys the GPU device. */
    injectFault: (kind) => worker.call('injectFault', h, kind),
    /** Encoder-decoder only: `source` run with teacher forcing and step by step, and its cross-attention. */
    translate: (source) => worker.call('translate', h, source),
    /** The next training batch's forward and backward trace of block `layer` (CPU reference). */
    backwardTrace: (layer) => worker.call('backwardTrace', h, layer),
    /** Gradient norms and AdamW update sizes per parameter tensor, for the last step. */
    gradStats: () => worker.call('gradStats', h),
    logitLens: (ids, k) => worker.call('logitLens', h, Array.from(ids), k),
    /** { heads: [[layer, head]], layers: [layer] }; {} switches everything back on. */
    setAblation: (spec) => worker.call('setAblation', h, spec),
    dispose: () => worker.call('dispose', h),
  };
}
