// Where the page's model comes from. Every other file asks this one.
//
// The default is web/models/default.safetensors: a small GPT the project trains itself with
// `make models` (its own engine, on generated sentences of a toy language), so the attention
// maps mean something before anyone trains anything. If that file cannot be fetched, a
// seeded random model of the same shape stands in, and the page says so.

import { createEngine, loadEngine } from './engine/client.js';
import { t, formatNumber } from './i18n/i18n.js';

const DEFAULT_URL = new URL('./models/default.safetensors', import.meta.url);

/** Printable ASCII (space to ~) and the newline: 96 characters, one token each. */
const VOCAB = '\n' + Array.from({ length: 95 }, (_, i) => String.fromCharCode(32 + i)).join('');

/** The stand-in when the trained file is missing: same shape, random weights. */
export const FALLBACK_MODEL = {
  config: { block_size: 64, n_layer: 2, n_head: 4, n_embd: 64 },
  seed: 1337, // weight initialisation
  vocab: VOCAB,
};

/** A sentence of the language the default model learned: the verb agrees with its subject. */
export const EXAMPLE = 'the big cat sees some small dogs .'; // i18n-exempt: a sentence of the model's own toy language

let defaultBytes = null; // promise of fetchDefault(), fetched once per page

/**
 * The default checkpoint's bytes, or null when it is not there (fetched on the first call).
 * @returns {Promise<Uint8Array|null>}
 */
export function prefetchDefault() {
  defaultBytes ??= fetchDefault();
  return defaultBytes;
}

async function fetchDefault() {
  try {
    const res = await fetch(DEFAULT_URL);
    return res.ok ? new Uint8Array(await res.arrayBuffer()) : null;
  } catch {
    return null;
  }
}

/**
 * Creates the default model in the engine worker.
 * @param {{ call: Function }} worker from startWorker()
 * @param {{ backend?: 'auto'|'webgpu'|'cpu', language?: Promise<unknown> }} [options]
 *   language: settles once the page's catalogs are loaded (boot.js starts this before them)
 * @returns {Promise<{ engine: object, trained: boolean, example: string, about: string }>}
 *   `about` says in one sentence what the weights are, for the page
 */
export async function loadDefaultModel(worker, { backend = 'auto', language = Promise.resolve() } = {}) {
  const bytes = await prefetchDefault();
  if (bytes) {
    const engine = await loadEngine(worker, bytes, { backend, seed: 1 });
    await language; // `about` is in the reader's language: t() throws before a catalog is loaded
    const m = engine.metadata;
    const about = t('page.model.trained', {
      steps: m.step ?? '?',
      data: m.data ?? 'task: grammar', // i18n-exempt: the checkpoint's own metadata format
      loss: formatNumber(Number(m.val_loss), { minimumFractionDigits: 3, maximumFractionDigits: 3 }),
    });
    return { engine, trained: true, example: EXAMPLE, about };
  }
  const { config, seed, vocab } = FALLBACK_MODEL;
  const engine = await createEngine(worker, { config, seed, vocab, backend });
  await language;
  const about = t('page.model.random', { seed: String(seed) });
  return { engine, trained: false, example: EXAMPLE, about };
}
