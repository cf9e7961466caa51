// A widget's text through the shared model: encode, prepare (the page's rules for unknown
// characters and the context length), and one forward call for the keys the widget shows.

import { prepareInput } from '../input.js';

/** A text the model cannot run on (no known character): a message for the widget's box. */
export class InputError extends Error {
  constructor(message) {
    super(message);
    this.name = 'InputError';
  }
}

/**
 * @param {{ engine: object, config: object, vocab: string[] }} model
 * @param {string} text
 * @param {string[]} keys trace keys to read back (none: encode only)
 * @returns {Promise<{ input: object, trace: Record<string, {shape: number[], data: Float32Array}> }>}
 *   input: prepareInput's result (ids, labels, items, messages)
 */
export async function traceText(model, text, keys) {
  const { engine, config, vocab } = model;
  const input = prepareInput(text, await engine.encode(text), config.block_size, vocab);
  if (input.ids.length === 0) throw new InputError(input.messages.map((m) => m.text).join(' '));
  const trace = keys.length > 0 ? await engine.forward(input.ids, keys) : {};
  return { input, trace };
}
