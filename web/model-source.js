// Where the page's model comes from. Every other file asks this one, so switching the
// default to a trained checkpoint changes only this file.

import { createEngine } from './engine/client.js';

/** Printable ASCII (space to ~) and the newline: 96 characters, one token each. */
const VOCAB = '\n' + Array.from({ length: 95 }, (_, i) => String.fromCharCode(32 + i)).join('');

/** The model the page opens on: a seeded random model until the training issue provides a trained one. */
export const DEFAULT_MODEL = {
  config: { block_size: 64, n_layer: 2, n_head: 4, n_embd: 64 },
  seed: 1337, // weight initialisation
  vocab: VOCAB,
  trained: false,
  example: 'the cat sat on the mat.',
};

/**
 * Creates the default model in the engine worker.
 * @param {{ call: Function }} worker from startWorker()
 * @param {{ backend?: 'auto'|'webgpu'|'cpu' }} [options]
 * @returns {Promise<{ engine: object, trained: boolean, example: string, about: string }>}
 *   `about` says in one sentence what the weights are, for the page
 */
export async function loadDefaultModel(worker, { backend = 'auto' } = {}) {
  const { config, seed, vocab, trained, example } = DEFAULT_MODEL;
  const engine = await createEngine(worker, { config, seed, vocab, backend });
  const about =
    'The weights are random (seed ' + seed + '): this model has not been trained yet, so its attention patterns and ' +
    'predictions are noise. Every step below is still the real computation, with the real numbers.';
  return { engine, trained, example, about };
}
