// A model from the Hugging Face hub for Explore: the repo a user names (owner/name, as
// HuggingFaceTB/SmolLM2-135M) downloaded with engine/hub.js, loaded in the worker and described.

import { openHubModel } from './engine/client.js';
import { hubBase } from './engine/hub.js';
import { REPO } from './state.js';
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
    throw new Error(`${JSON.stringify(repo)} is not a model name of the hub: owner/name, as HuggingFaceTB/SmolLM2-135M`);
  }
  const engine = await openHubModel(worker, hubBase(repo), { signal, onProgress, backend, context: CONTEXT });
  const c = engine.config;
  const kv = c.n_kv_head ? ` sharing ${c.n_kv_head} key/value heads` : '';
  const about =
    `${repo} from the Hugging Face hub: ${c.n_layer} blocks of ${c.n_head} heads${kv}, width ${c.n_embd}, ` +
    `V = ${c.vocab_size.toLocaleString('en')} tokens, a context of ${c.block_size}. Tokens are shown as its tokenizer spells them ` +
    '(Ġ or ▁ stands for a space).';
  return { engine, trained: false, example: 'The capital of France is', about, hub: repo };
}

/** "12.3 of 270.0 MB" for a download's progress. */
export function progressText({ file, loaded, total, cached }) {
  const mb = (n) => (n / 1e6).toFixed(1);
  if (cached) return `${file}: from this browser's cache`;
  return total ? `${file}: ${mb(loaded)} of ${mb(total)} MB` : `${file}: ${mb(loaded)} MB`;
}
