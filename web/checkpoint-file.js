// A checkpoint the Train page saved, opened in Explore: one .safetensors file of any family (a
// GPT, an encoder with its masked-LM or [CLS] head, an encoder-decoder), its config and
// characters in the header. The engine validates it and says what is wrong; the header's
// metadata only words what the page says about the weights and picks the text shown first.

import { loadEngine } from './engine/client.js';
import { MAX_CHECKPOINT_BYTES, readBytes, runInfo, safetensorsMetadata } from './train/files.js';
import { runInputs } from './train/data.js';
import { t } from './i18n/i18n.js';

/** Whether the files chosen are one checkpoint (a single .safetensors, no tokenizer files beside it). */
export const isCheckpointChoice = (files) => files.length === 1 && files[0].name.endsWith('.safetensors');

/**
 * Loads the checkpoint `file` into the worker. Throws the engine's refusal of a corrupt or
 * foreign file as it words it (explore/files-input.js says which file it was).
 * @param {{ call: Function }} worker
 * @param {File} file
 * @returns {Promise<{ engine: object, trained: false, example: string, about: string }>}
 */
export async function loadCheckpointFile(worker, file, { backend = 'auto' } = {}) {
  const bytes = await readBytes(file, MAX_CHECKPOINT_BYTES);
  const info = runInfo(safetensorsMetadata(bytes));
  // encdec: Explore shows an encoder-decoder through its own panel (explore/seq2seq-panel.js)
  const engine = await loadEngine(worker, bytes, { backend, encdec: true, transfer: true });
  return { engine, trained: false, example: await exampleOf(worker, engine, info), about: aboutFile(file, info) };
}

/**
 * The text Explore shows first, as the Train page's "Explore this model" picks it: a task's
 * example (its probe), else the first characters of the vocabulary; without the newline that
 * starts every example in the data.
 */
async function exampleOf(worker, engine, info) {
  const task = info.data && info.data !== 'text' ? info.data : null;
  const probe = task ? runInputs({ task }, await worker.call('tasks'), engine.config.block_size).probe : '';
  return (probe.trim() ? probe : engine.vocab.slice(0, 16).join('')).replace(/^\n/, '');
}

/** What the model panel says of the weights: the file, and the run the header says it came from. */
function aboutFile(file, { data, step }) {
  return t('page.checkpoint.about', {
    file: file.name,
    data: data === 'text' ? 'text' : data ? 'task' : 'own',
    task: data ?? '',
    hasStep: step === null ? 'no' : 'yes',
    step: step ?? 0,
  });
}
