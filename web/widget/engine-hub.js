// One engine worker for every widget on the page, started by the first widget that scrolls
// into view; one engine per distinct model URL, shared by the widgets that show it; the
// trainer's own engines in the same worker (the worker keeps one GPU device for all of them).
// The worker runs calls one at a time in arrival order, so it is the widgets' queue; a
// trainer asks for a few steps per call, so the other widgets' calls get their turn between.

import { startWorker, createEngine, loadEngine } from '../engine/client.js';
import { FALLBACK_MODEL, EXAMPLE } from '../model-source.js';
import { fetchModel } from './model-url.js';
import { EXAMPLE_SOURCE } from '../views/seq2seq.js';

/* global TP_DEFAULT_MODEL */
// The build defines TP_DEFAULT_MODEL as the path (next to the bundle) of the trained default
// checkpoint when web/models/default.safetensors exists, and as null otherwise: then no request
// is made and widgets use the seeded random model.
const BUNDLED_MODEL = typeof TP_DEFAULT_MODEL === 'string' ? TP_DEFAULT_MODEL : null;

/** The trainer's model: small enough to train in seconds on a GPU, and on the CPU engine too. */
export const TRAINER_MODEL = { block_size: 32, n_layer: 2, n_head: 2, n_embd: 32 };

let worker = null;
const models = new Map(); // model URL ('' for the default) → Promise of a model
const record = { workerStarted: false, engines: [] }; // what was started, for tests and the README's claims
let tasksList = null;

/** The page's one engine worker, started on first use. */
function sharedWorker() {
  if (!worker) {
    worker = startWorker();
    record.workerStarted = true;
  }
  return worker;
}

function limitsOf(config) {
  return { nLayer: config.n_layer, nHead: config.n_head, vocabSize: config.vocab_size };
}

/** An engine made into a model the widgets share: engine, config, vocab, limits, example, about. */
function modelOf(engine, { source, about }) {
  record.engines.push({ handle: engine.handle, source, backend: engine.backend });
  const example = engine.config.family === 'encoder_decoder' ? EXAMPLE_SOURCE : EXAMPLE;
  return { engine, config: engine.config, vocab: engine.vocab, limits: limitsOf(engine.config), example, source, about };
}

async function randomModel(why) {
  const { config, seed, vocab } = FALLBACK_MODEL;
  const engine = await createEngine(sharedWorker(), { config, seed, vocab, backend: 'auto' });
  return modelOf(engine, { source: 'random', about: `random weights (seed ${seed}), not trained${why}` });
}

async function checkpointModel(url, origins) {
  const bytes = await fetchModel(url, origins);
  const engine = await loadEngine(sharedWorker(), bytes, { backend: 'auto', encdec: true }); // an encoder-decoder's is view="cross-attention"
  const name = new URL(url).pathname.split('/').pop();
  return modelOf(engine, { source: url, about: `weights from ${name}` });
}

/** The default model: the bundled checkpoint, or the seeded random model where there is none or it fails. */
async function defaultModel(scriptUrl, origins) {
  if (!BUNDLED_MODEL) return randomModel('');
  try {
    return await checkpointModel(new URL(BUNDLED_MODEL, scriptUrl).href, origins);
  } catch (err) {
    return randomModel(`: the trained model could not be loaded (${err.message})`);
  }
}

/**
 * The shared model for a URL (null: the default), loaded once per page.
 * @param {string|null} url validated with checkModelUrl
 * @param {{ scriptUrl: string, origins: string[] }} where the widget's script lives, allowed origins
 * @returns {Promise<{ engine: object, config: object, vocab: string[], limits: object, example: string, source: string, about: string }>}
 */
export function sharedModel(url, { scriptUrl, origins }) {
  const key = url ?? '';
  if (!models.has(key)) {
    const loading = url ? checkpointModel(url, origins) : defaultModel(scriptUrl, origins);
    loading.catch(() => models.delete(key)); // a failed load is tried again by the next widget that asks
    models.set(key, loading);
  }
  return models.get(key);
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

/** A copy of what has been started so far: `{ workerStarted, engines: [{ handle, source, backend }] }`. */
export function hubRecord() {
  return { workerStarted: record.workerStarted, engines: record.engines.map((e) => ({ ...e })) };
}
