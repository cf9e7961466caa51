// Real GPT-2 weights: the Hugging Face files a user drops on the page (model.safetensors, its
// tokenizer files vocab.json and merges.txt, and optionally config.json) become a model in the
// engine worker. Only the file names decide which file is which (GPT-2's original names
// encoder.json and vocab.bpe are accepted too); anything missing is said by name.

import { loadGpt2Engine } from './engine/client.js';
import { formatSize } from './train/files.js';

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

/**
 * Loads the GPT-2 in `list` into the worker. Throws an Error whose message names what is
 * missing or wrong (the engine's typed refusals come through as they are).
 * @returns {Promise<{ engine: object, trained: false, example: string, about: string }>}
 */
export async function loadGpt2(worker, list, { backend = 'auto' } = {}) {
  const { files, missing, unknown } = sortGpt2Files(list);
  if (missing.length) {
    const also = unknown.length ? ` (not used: ${unknown.join(', ')})` : '';
    throw new Error(`To open a GPT-2, choose its ${missing.join(' and ')} too${also}.`);
  }
  const tooBig = Object.entries(files).find(([role, f]) => f.size > (role === 'weights' ? MAX_GPT2_WEIGHTS_BYTES : MAX_TOKENIZER_BYTES));
  if (tooBig) {
    const [role, f] = tooBig;
    const limit = role === 'weights' ? MAX_GPT2_WEIGHTS_BYTES : MAX_TOKENIZER_BYTES;
    throw new Error(`${f.name} has ${formatSize(f.size)}; the page opens ${role === 'weights' ? 'weights' : 'tokenizer and config files'} of ${formatSize(limit)} at most ` +
      '(the engine holds the file and its weights as 32-bit floats in 4 GiB of memory).');
  }
  const [weights, config, vocab, merges] = await Promise.all([
    files.weights.arrayBuffer().then((b) => new Uint8Array(b)),
    files.config ? files.config.text() : null,
    files.vocab.text(),
    files.merges.text(),
  ]);
  const engine = await loadGpt2Engine(worker, { weights, config, vocab, merges, backend });
  const about =
    `GPT-2 weights from ${files.weights.name} (Hugging Face): about ${(engine.params / 1e6).toFixed(1)} M parameters, GPT-2's byte-level BPE ` +
    `tokenizer from ${files.vocab.name} and ${files.merges.name}. A space is shown as Ġ, as GPT-2's files spell it.`;
  return { engine, trained: false, example: 'Hello, my name is', about };
}
