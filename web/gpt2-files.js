// Real GPT-2 weights: the Hugging Face files a user drops on the page (model.safetensors, its
// tokenizer files vocab.json and merges.txt, and optionally config.json) become a model in the
// engine worker. Only the file names decide which file is which (GPT-2's original names
// encoder.json and vocab.bpe are accepted too); anything missing is said by name.

import { loadGpt2Engine } from './engine/client.js';
import { formatSize } from './train/files.js';
import { t, formatNumber, language, PSEUDO_RTL } from './i18n/i18n.js';

/**
 * The largest weights file opened, in bytes: the engine's memory (4 GiB for a wasm engine) holds
 * the file and its weights widened to f32 at once, so 1.5 GiB of F32 weights, or less of F16
 * (the engine refuses those by name when they do not fit). GPT-2 medium (1.4 GiB) opens.
 */
export const MAX_GPT2_WEIGHTS_BYTES = 1.5 * 2 ** 30;
const MAX_TOKENIZER_BYTES = 64 * 2 ** 20; // vocab.json, merges.txt, config.json: GPT-2's are 1 MB

/** The file roles and the names each may have. */
const ROLES = {
  weights: ['model.safetensors'],
  config: ['config.json'],
  vocab: ['vocab.json', 'encoder.json'],
  merges: ['merges.txt', 'vocab.bpe'],
};

/**
 * Sorts dropped files into their roles; returns { files, missing: [name...], unknown: [name...] }.
 * @param {File[]} list
 */
export function sortGpt2Files(list) {
  const files = {};
  const unknown = [];
  for (const f of list) {
    const role = Object.keys(ROLES).find((r) => ROLES[r].includes(f.name) || (r === 'weights' && f.name.endsWith('.safetensors')));
    if (role) files[role] = f;
    else unknown.push(f.name);
  }
  const missing = ['weights', 'vocab', 'merges'].filter((r) => !files[r]).map((r) => ROLES[r][0]);
  return { files, missing, unknown };
}

/** File names as one list in the page's language ("a, b and c"). */
function fileList(names) {
  const code = language() === PSEUDO_RTL ? 'en' : language();
  return new Intl.ListFormat(code, { type: 'conjunction' }).format(names);
}

/**
 * Loads the GPT-2 in `list` into the worker. Throws an Error whose message names what is
 * missing or wrong (the engine's typed refusals come through as they are).
 * @returns {Promise<{ engine: object, trained: false, example: string, about: string }>}
 */
export async function loadGpt2(worker, list, { backend = 'auto' } = {}) {
  const { files, missing, unknown } = sortGpt2Files(list);
  if (missing.length) {
    throw new Error(unknown.length
      ? t('page.gpt2.missingUnused', { missing: fileList(missing), unused: unknown.join(', ') })
      : t('page.gpt2.missing', { missing: fileList(missing) }));
  }
  const tooBig = Object.entries(files).find(([role, f]) => f.size > (role === 'weights' ? MAX_GPT2_WEIGHTS_BYTES : MAX_TOKENIZER_BYTES));
  if (tooBig) {
    const [role, f] = tooBig;
    const limit = role === 'weights' ? MAX_GPT2_WEIGHTS_BYTES : MAX_TOKENIZER_BYTES;
    throw new Error(t('page.gpt2.tooBig', { file: f.name, size: formatSize(f.size), role: role === 'weights' ? 'weights' : 'other', limit: formatSize(limit) }));
  }
  const [weights, config, vocab, merges] = await Promise.all([
    files.weights.arrayBuffer().then((b) => new Uint8Array(b)),
    files.config ? files.config.text() : null,
    files.vocab.text(),
    files.merges.text(),
  ]);
  const engine = await loadGpt2Engine(worker, { weights, config, vocab, merges, backend });
  const about = t('page.gpt2.about', {
    weights: files.weights.name,
    millions: formatNumber(engine.params / 1e6, { minimumFractionDigits: 1, maximumFractionDigits: 1 }),
    vocab: files.vocab.name,
    merges: files.merges.name,
  });
  return { engine, trained: false, example: 'Hello, my name is', about }; // i18n-exempt: GPT-2's example prompt, in the language it learned
}
