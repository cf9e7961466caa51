// A model of the Hugging Face hub for Explore: the model a user names (owner/name, as
// HuggingFaceTB/SmolLM2-135M, or a base URL in the hub's layout) checked against the page's
// CSP, downloaded with engine/hub.js, loaded in the worker and described.

import { openHubModel } from './engine/client.js';
import { hubBase, HUB_ORIGIN } from './engine/hub.js';
import { REPO, isModelName } from './state.js';
import { localError } from './notices.js';
import { t } from './i18n/i18n.js';
/** Tokens a rotary model attends over here, of the many more it may have been trained for. */
const CONTEXT = 256;

/**
 * @param {{ call: Function }} worker
 * @param {string} name owner/name or a base URL (see hubSource)
 * @param {{ signal?: AbortSignal, onProgress?: Function, onEstimate?: Function, backend?: string }} [options]
 *   onEstimate: see openHubModel
 * @returns {Promise<{ engine: object, trained: false, example: string, about: string, hub: string }>} hub: the name as the address keeps it
 */
export async function loadHub(worker, name, { signal, onProgress, onEstimate, backend = 'auto' } = {}) {
  const source = hubSource(name);
  const engine = await openHubModel(worker, source.base, { signal, onProgress, onEstimate, backend, context: CONTEXT });
  const c = engine.config;
  const where = source.name === source.base ? 'url' : 'hub'; // a base URL says where it is from itself
  const about = t('page.hub.about', {
    repo: source.name, where, layers: c.n_layer, heads: c.n_head, kv: c.n_kv_head ?? 0, width: c.n_embd, vocab: c.vocab_size, context: c.block_size,
  });
  return { engine, trained: false, example: 'The capital of France is', about, hub: source.name }; // i18n-exempt: the example prompt, in the language such models know best
}

/**
 * Where the model a user names lives: `owner/name` on the hub, or `<base>` such that its files are
 * `<base>/resolve/main/<file>`. A base URL is accepted only where the page's CSP lets it connect
 * (checked before any request, so the refusal names the origin instead of a CSP error in the console).
 * @param {string} raw
 * @returns {{ name: string, base: string }} name: as the address and the cached list keep it
 *   (a base URL on the hub itself becomes its owner/name)
 */
export function hubSource(raw) {
  const given = raw.trim().replace(/\/+$/, '');
  if (!isModelName(given)) throw localError(`${JSON.stringify(given)} is not a model name or base URL`, 'page.hub.badName', { repo: JSON.stringify(given) }); // i18n-exempt: English for logs
  if (REPO.test(given)) return { name: given, base: hubBase(given) };
  const url = new URL(given);
  const base = `${url.origin}${url.pathname.replace(/\/+$/, '')}`;
  if (!connectAllowed(url)) {
    throw localError(`${url.origin} is not an origin this page may download from`, 'page.hub.originRefused', // i18n-exempt: English for logs
      { origin: url.origin, own: location.origin });
  }
  const repo = url.origin === HUB_ORIGIN ? url.pathname.slice(1).replace(/\/+$/, '') : '';
  return REPO.test(repo) && !repo.includes('..') ? { name: repo, base: hubBase(repo) } : { name: base, base };
}

/** The name the cached model at `base` is opened by (hubSource's `name`). */
export function nameOfBase(base) {
  const repo = base.startsWith(`${HUB_ORIGIN}/`) ? base.slice(HUB_ORIGIN.length + 1) : '';
  return REPO.test(repo) ? repo : base;
}

/**
 * True where the page's Content-Security-Policy (its <meta>, web/index.html) lets it connect to
 * `url`'s origin: its connect-src sources `'self'`, `https://host` and `https://*.domain`. A page
 * without one (a host of its own) may connect anywhere.
 */
function connectAllowed(url) {
  const csp = document.querySelector('meta[http-equiv="Content-Security-Policy"]')?.content;
  const directive = csp?.split(';').map((d) => d.trim().split(/\s+/)).find(([name]) => name === 'connect-src');
  if (!directive) return true;
  return directive.slice(1).some((source) => {
    if (source === "'self'") return url.origin === location.origin;
    const m = /^(https?):\/\/(\*\.)?([^/:]+)$/.exec(source);
    if (!m || url.protocol !== `${m[1]}:` || url.port !== '') return false;
    return m[2] ? url.hostname.endsWith(`.${m[3]}`) : url.hostname === m[3];
  });
}
