// One engine worker for every widget on the page, started by the first widget that scrolls
// into view; one engine per distinct model URL, shared by the widgets that show it; the
// trainer's own engines in the same worker (the worker keeps one GPU device for all of them).
// The worker runs calls one at a time in arrival order, so it is the widgets' queue; a
// trainer asks for a few steps per call, so the other widgets' calls get their turn between.
//
// A widget holds its model through a lease (`leaseModel`) and gives it back when it shows
// another model or leaves the page. A model no widget holds stays loaded for a widget that
// shows it again while such models total IDLE_BUDGET bytes of weights at most; beyond that
// the least recently shown are freed. A download no widget waits for any more is aborted. If
// the worker crashes (its wasm instance trapped), every engine is gone: the widgets are told
// (`onEnginesLost`) and load their models again in the new worker.

import { errorText } from '../notices.js';
import { startWorker, createEngine, loadEngine, openHubModel } from '../engine/client.js';
import { FALLBACK_MODEL, EXAMPLE } from '../model-source.js';
import { fetchModel, isCheckpointUrl } from './model-url.js';
import { EXAMPLE_SOURCE } from '../views/seq2seq.js';

/* global TP_DEFAULT_MODEL */
// The build defines TP_DEFAULT_MODEL as the path (next to the bundle) of the trained default
// checkpoint when web/models/default.safetensors exists, and as null otherwise: then no request
// is made and widgets use the seeded random model.
const BUNDLED_MODEL = typeof TP_DEFAULT_MODEL === 'string' ? TP_DEFAULT_MODEL : null;

/** The trainer's model: small enough to train in seconds on a GPU, and on the CPU engine too. */
export const TRAINER_MODEL = { block_size: 32, n_layer: 2, n_head: 2, n_embd: 32 };

/** Bytes of weights (f32) the models no widget shows may keep loaded, together. */
export const IDLE_BUDGET = 64 * 2 ** 20;

let worker = null;
/** model URL ('' for the default) → { loading: Promise of a model, users, shownAt, bytes, abort } */
const models = new Map();
const record = { workerStarted: false, engines: [], freed: 0 }; // what was started and freed, for tests and the README's claims
const lostListeners = new Set();
let tasksList = null;

/** The page's one engine worker, started on first use; after a crash, every model is gone. */
function sharedWorker() {
  if (!worker) {
    worker = startWorker();
    record.workerStarted = true;
    worker.onCrash(() => {
      for (const entry of models.values()) entry.abort.abort();
      models.clear();
      tasksList = null;
      for (const listener of lostListeners) listener();
    });
  }
  return worker;
}

function limitsOf(config) {
  return { nLayer: config.n_layer, nHead: config.n_head, vocabSize: config.vocab_size };
}

/**
 * An engine made into a model the widgets share: engine, config, vocab, limits, example, about
 * (what its weights are: a message key and its parameters, shown in the widgets' language).
 */
function modelOf(engine, { source, about }) {
  record.engines.push({ handle: engine.handle, source, backend: engine.backend });
  const example = engine.config.family === 'encoder_decoder' ? EXAMPLE_SOURCE : EXAMPLE;
  return { engine, config: engine.config, vocab: engine.vocab, limits: limitsOf(engine.config), example, source, about };
}

async function randomModel(why) {
  const { config, seed, vocab } = FALLBACK_MODEL;
  const engine = await createEngine(sharedWorker(), { config, seed, vocab, backend: 'auto' });
  return modelOf(engine, { source: 'random', about: why === null
    ? { key: 'widget.about.random', params: { seed: String(seed) } }
    : { key: 'widget.about.randomFailed', params: { seed: String(seed), detail: why } } });
}

async function checkpointModel(url, signal) {
  const bytes = await fetchModel(url, { signal });
  // an encoder-decoder's is view="cross-attention"
  const engine = await loadEngine(sharedWorker(), bytes, { backend: 'auto', encdec: true, transfer: true });
  const name = new URL(url).pathname.split('/').pop();
  return modelOf(engine, { source: url, about: { key: 'widget.about.file', params: { name } } });
}

/** Tokens a hub model's rotary positions are used for here, as in Explore (hub-model.js). */
const HUB_CONTEXT = 256;

/**
 * A Hugging Face model at `base` (checkModelUrl allowed its origin), kept in Cache Storage as Explore keeps it;
 * a file that stalls or trickles is given up, as a checkpoint's download is (no "Loading…" for ever).
 */
async function hubModel(base, signal) {
  const engine = await openHubModel(sharedWorker(), base, { backend: 'auto', signal, context: HUB_CONTEXT, watch: true });
  const name = new URL(base).pathname.replace(/^\/+/, '');
  return modelOf(engine, { source: base, about: { key: 'widget.about.hub', params: { name } } });
}

/** The default model: the bundled checkpoint, or the seeded random model where there is none or it fails. */
async function defaultModel(scriptUrl, signal) {
  if (!BUNDLED_MODEL) return randomModel(null);
  try {
    return await checkpointModel(new URL(BUNDLED_MODEL, scriptUrl).href, signal);
  } catch (err) {
    if (signal.aborted) throw err;
    return randomModel(errorText(err));
  }
}

/** Frees models no widget holds, least recently shown first, until they fit IDLE_BUDGET. */
function evict() {
  const idle = [...models].filter(([, e]) => e.users === 0 && e.bytes !== null).sort((a, b) => b[1].shownAt - a[1].shownAt);
  let kept = 0;
  for (const [key, entry] of idle) {
    kept += entry.bytes;
    if (kept <= IDLE_BUDGET) continue;
    models.delete(key);
    record.freed += 1;
    entry.loading.then((m) => m.engine.dispose()).catch(() => {});
  }
}

function release(key, entry) {
  entry.users -= 1;
  entry.shownAt = performance.now();
  if (entry.users > 0 || models.get(key) !== entry) return;
  if (entry.bytes === null) { // still downloading or loading, and no widget waits for it
    entry.abort.abort();
    models.delete(key);
    entry.loading.then((m) => m.engine.dispose()).catch(() => {});
    return;
  }
  evict();
}

/**
 * A lease on the shared model for a URL (null: the default), loaded once while widgets hold it.
 * @param {string|null} url validated with checkModelUrl
 * @param {{ scriptUrl: string }} where the widget's script lives (the default model is beside it)
 * @returns {{ model: Promise<{ engine: object, config: object, vocab: string[], limits: object, example: string,
 *   source: string, about: { key: string, params: object } }>, release: () => void }} release: the widget no longer shows it (once)
 */
export function leaseModel(url, { scriptUrl }) {
  const key = url ?? '';
  let entry = models.get(key);
  if (!entry) {
    const abort = new AbortController();
    const loading = !url ? defaultModel(scriptUrl, abort.signal)
      : isCheckpointUrl(url) ? checkpointModel(url, abort.signal) : hubModel(url, abort.signal);
    entry = { loading, users: 0, shownAt: performance.now(), bytes: null, abort };
    const made = entry;
    loading.then((m) => {
      made.bytes = 4 * m.engine.params; // f32 weights
      if (made.users === 0 && models.get(key) === made) evict();
    }, () => {
      if (models.get(key) === made) models.delete(key); // a failed load is tried again by the next widget that asks
    });
    models.set(key, entry);
  }
  entry.users += 1;
  const held = entry;
  let released = false;
  return {
    model: entry.loading,
    release() {
      if (released) return;
      released = true;
      release(key, held);
    },
  };
}

/** Calls `listener` when the worker crashed and every model was lost (the widgets load theirs again). */
export function onEnginesLost(listener) {
  lostListeners.add(listener);
}

/**
 * A fresh model for the trainer, with a generated task as its data, in the shared worker.
 * @param {{ task: string, seed: number }} options
 */
export async function trainerEngine({ task, seed }) {
  const engine = await createEngine(sharedWorker(), { config: TRAINER_MODEL, seed, data: { task }, backend: 'auto' });
  record.engines.push({ handle: engine.handle, source: `trainer:${task}`, backend: engine.backend });
  return engine;
}

/** The generated tasks with their one-line lessons, asked of the worker once. */
export function tasks() {
  tasksList ??= sharedWorker().call('tasks');
  return tasksList;
}

/** The distribution the sampler draws from: softmax(logits / τ) after top-k and top-p. */
export function samplingProbabilities(logits, temperature, topK, topP) {
  return sharedWorker().call('samplingProbabilities', logits, temperature, topK, topP);
}

/**
 * A copy of what has been started so far: `{ workerStarted, engines: [{ handle, source, backend }],
 * loaded: [model URL ('' for the default)], freed }`; loaded: the models loaded now; freed: how many were freed.
 */
export function hubRecord() {
  return {
    workerStarted: record.workerStarted,
    engines: record.engines.map((e) => ({ ...e })),
    loaded: [...models.keys()],
    freed: record.freed,
  };
}

/** The engine worker's wasm memory and engine count (the memory ceiling tests read it). */
export function hubCounters() {
  return worker ? worker.call('counters') : Promise.resolve(null);
}
