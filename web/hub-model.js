// A model from the Hugging Face hub for Explore: the repo a user names (owner/name, as
// HuggingFaceTB/SmolLM2-135M) downloaded with engine/hub.js, loaded in the worker and described.

import { openHubModel } from './engine/client.js';
import { hubBase } from './engine/hub.js';
import { REPO } from './state.js';
import { t, formatNumber } from './i18n/i18n.js';
/** Tokens a rotary model attends over here, of the many more it may have been trained for. */
const CONTEXT = 256;

/**
 * @param {{ call: Function }} worker
 * @param {string} repo
 * @param {{ signal?: AbortSignal, onProgress?: Function, backend?: string }} [options]
 * @returns {Promise<{ engine: object, trained: false, example: string, about: string, hub: string }>}
 */
export async function loadHub(worker, repo, { signal, onProgress, backend = 'auto' } = {}) {
  if (!REPO.test(repo) || repo.includes('..')) {
    throw new Error(t('page.hub.badName', { repo: JSON.stringify(repo) }));
  }
  const engine = await openHubModel(worker, hubBase(repo), { signal, onProgress, backend, context: CONTEXT });
  const c = engine.config;
  const about = t('page.hub.about', {
    repo, layers: c.n_layer, heads: c.n_head, kv: c.n_kv_head ?? 0, width: c.n_embd, vocab: c.vocab_size, context: c.block_size,
  });
  return { engine, trained: false, example: 'The capital of France is', about, hub: repo }; // i18n-exempt: the example prompt, in the language such models know best
}

/** "12.3 of 270.0 MB" for a download's progress. */
export function progressText({ file, loaded, total, cached }) {
  const mb = (n) => formatNumber(n / 1e6, { minimumFractionDigits: 1, maximumFractionDigits: 1 });
  if (cached) return t('page.hub.cached', { file });
  return total ? t('page.hub.progress', { file, loaded: mb(loaded), total: mb(total) }) : t('page.hub.progressOpen', { file, loaded: mb(loaded) });
}
