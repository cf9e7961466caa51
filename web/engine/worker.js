// The engine worker: hosts the wasm engine off the main thread so the page never freezes.
// Protocol: the page posts { id, method, args }; the worker answers { id, result } or
// { id, error, name } (name: the kind of failure, e.g. "NonFinite", "DeviceLost"). Calls run one
// at a time, in arrival order (the wasm object allows one call in flight). Several engines can
// live here at once, addressed by a handle; each is a Playground, whatever its family (an
// encoder-decoder answers the training methods and `translate`).
// A trap of the wasm instance (RuntimeError: out of memory, a panic) leaves every engine in it
// unusable: the worker says `{ crashed }` and the page replaces it (engine/client.js).
import { engineMethods } from './methods.js';

// Which wasm engine runs here: the threaded build (rayon's pool of Web Workers, on which the
// CPU engine splits its ops) where the page is cross-origin isolated, as `make serve` serves
// it; the single-threaded build elsewhere, e.g. a widget on a host that sends no COOP/COEP.
// The widget's bundle ships only the single-threaded one (scripts/build-widget.sh defines
// globalThis.TP_THREADS as false, and the threaded branch is left out of the bundle).
// reason: in English, for logs; why: the page's words for it ('failed', 'unbuilt' or 'isolation'), with detail
const threading = { threads: 1, reason: null, why: null, detail: null };
let Playground;
let BpeTraining;

async function loadWasm() {
  if ((globalThis.TP_THREADS ?? true) && self.crossOriginIsolated) {
    try {
      const wasm = await import('../pkg-threads/playground_web.js');
      const exports = await wasm.default();
      await wasm.initThreadPool(navigator.hardwareConcurrency);
      threading.threads = wasm.cpuThreads();
      return [wasm, exports];
    } catch (err) {
      Object.assign(threading, { why: 'failed', detail: String(err?.message ?? err) });
      threading.reason = `the threaded engine did not start (${threading.detail})`; // i18n-exempt: English for logs (threading.why is the page's)
    }
  } else {
    threading.why = self.crossOriginIsolated ? 'unbuilt' : 'isolation';
    threading.reason = self.crossOriginIsolated
      ? 'this build of the engine has no threads' // i18n-exempt: English for logs (threading.why is the page's)
      : 'the page is not cross-origin isolated (its server sends no COOP/COEP headers), which WebAssembly threads need'; // i18n-exempt: as above
  }
  const wasm = await import('../pkg/playground_web.js');
  return [wasm, await wasm.default()];
}

const ready = loadWasm().then(([wasm, exports]) => {
  ({ Playground, BpeTraining } = wasm);
  // every engine method takes the engine's handle first (engine/methods.js lists them)
  for (const [name, fn] of Object.entries(engineMethods(Playground))) methods[name] = (handle, ...args) => fn(engine(handle), ...args);
  return exports;
});
const engines = new Map(); // handle -> Playground
const bpeRuns = new Map(); // handle -> BpeTraining
let nextHandle = 1;
let queue = Promise.resolve();
let crashed = null; // the trap's message, once the wasm instance has trapped

const isTrap = (err) => err instanceof WebAssembly.RuntimeError;

/** Tells the page once that the wasm instance trapped; every later call is refused. */
function crash(err) {
  if (crashed !== null) return;
  crashed = `${err?.name ?? 'RuntimeError'}: ${err?.message ?? err}`;
  self.postMessage({ crashed });
}
// an async engine call traps in a callback of the wasm futures' executor, not in the awaited call
self.addEventListener('error', (event) => {
  if (!isTrap(event.error)) return;
  event.preventDefault();
  crash(event.error);
});
self.addEventListener('unhandledrejection', (event) => {
  if (!isTrap(event.reason)) return;
  event.preventDefault();
  crash(event.reason);
});

/** Typed arrays in a result travel as transfers, not copies (each buffer once). */
function transferables(value, out = new Set()) {
  if (ArrayBuffer.isView(value)) out.add(value.buffer);
  else if (value && typeof value === 'object') for (const v of Object.values(value)) transferables(v, out);
  return out;
}

function engine(handle) {
  const pg = engines.get(handle);
  if (!pg) throw new Error(`no engine with handle ${handle}`);
  return pg;
}

function register(pg) {
  const handle = nextHandle++;
  engines.set(handle, pg);
  return describe(handle, pg);
}

const methods = {
  create: async (options) => register(await Playground.create(options)),
  /** `encdec`: the caller (the Train page, Explore, the widget) drives an encoder-decoder too; elsewhere one is refused by name. */
  load: async (bytes, backend, seed, encdec = false) => register(await Playground.load(bytes, backend, BigInt(seed), encdec)),
  loadGpt2: async (weights, config, vocab, merges, backend, seed) =>
    register(await Playground.loadGpt2(weights, config ?? undefined, vocab, merges, backend, BigInt(seed))),
  loadHub: async (source, config, tokenizer, tokenizerConfig, weightNames, weights, context, backend, seed) =>
    register(await Playground.loadHub(source, config, tokenizer, tokenizerConfig ?? undefined, weightNames, weights, context, backend, BigInt(seed))),
  hubEstimate: (config, downloadBytes, context) => Playground.hubEstimate(config, downloadBytes ?? undefined, context),
  tasks: () => Playground.tasks(),
  adapterInfo,
  dispose(handle) {
    engine(handle).free();
    engines.delete(handle);
    return true;
  },
  samplingProbabilities: (logits, temperature, topK, topP) => Playground.samplingProbabilities(logits, temperature, topK, topP),
  cost: (config, vocab, t, batch) => Playground.cost(config, vocab, t, batch),
  /** The soak test's leak check: the shared GPU device's buffers (null before one exists) and the wasm memory. */
  counters: async () => ({ gpuBuffers: Playground.gpuBuffers() ?? null, wasmBytes: (await ready).memory.buffer.byteLength, engines: engines.size }),
  // byte-level BPE trained on a text, one merge at a time (web/views/bpe.js)
  bpeStart(text, vocabSize) {
    const training = new BpeTraining(text, vocabSize);
    const handle = nextHandle++;
    bpeRuns.set(handle, training);
    return { handle, ids: training.ids() };
  },
  bpeStep(handle, n) {
    const training = bpeRuns.get(handle);
    if (!training) throw new Error(`no BPE training with handle ${handle}`);
    return { merges: training.step(n), ids: training.ids() };
  },
  bpeDispose(handle) {
    bpeRuns.get(handle)?.free();
    return bpeRuns.delete(handle);
  },
};

/**
 * The WebGPU adapter an engine here would get (the engine asks for the same one), or null where
 * the browser has none: whether it is a software fallback, its name where the browser tells it,
 * and the limits a model's buffers must fit.
 */
async function adapterInfo() {
  const adapter = await navigator.gpu?.requestAdapter({ powerPreference: 'high-performance' }).catch(() => null);
  if (!adapter) return null;
  const { isFallbackAdapter = false, vendor = '', architecture = '', description = '' } = adapter.info ?? {};
  const { maxBufferSize, maxStorageBufferBindingSize } = adapter.limits;
  return { fallback: isFallbackAdapter, vendor, architecture, description, limits: { maxBufferSize, maxStorageBufferBindingSize } };
}

function describe(handle, pg) {
  return {
    handle,
    backend: pg.backend(),
    adapter: pg.adapter() ?? null,
    fallbackReason: pg.fallbackReason() ?? null,
    config: pg.config(),
    params: pg.paramCount(),
    architecture: pg.architecture(),
    /** The model's stacks, blocks and sublayers with the trace keys of each (web/trace-data.js reads them). */
    steps: pg.traceSteps(),
    vocab: pg.vocab(),
    tokenizer: pg.tokenizer(),
    metadata: Object.fromEntries(pg.metadata()),
    threads: threading.threads,
    threadsReason: threading.reason,
    threadsWhy: threading.why,
    threadsDetail: threading.detail,
  };
}

self.onmessage = (event) => {
  const { id, method, args } = event.data;
  queue = queue.then(async () => {
    try {
      if (crashed !== null) throw Object.assign(new Error(`the engine crashed (${crashed})`), { name: 'EngineCrashed' });
      await ready;
      const fn = methods[method];
      if (!fn) throw new Error(`unknown engine method ${method}`);
      const result = await fn(...args);
      self.postMessage({ id, result }, [...transferables(result)]);
    } catch (err) {
      if (isTrap(err)) crash(err);
      self.postMessage({ id, error: String(err?.message ?? err), name: err?.name ?? 'Error' });
    }
  });
};
