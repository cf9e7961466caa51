// The one way the page, the Train page and the widgets fetch what their views draw: a text
// through an engine in one worker round trip (engine.trace: encode, a forward pass of the last
// block_size tokens with the keys asked for, and optionally the sampling distribution), with
// the page's rules for what the model is given (input.js: unknown characters, the context).

import { prepareInput } from './input.js';

/**
 * @param {{ trace: Function, config: { block_size: number }, vocab: string[], tokenizer?: string }} engine
 * @param {string} text
 * @param {{ keys?: string[], sampling?: { temperature: number, topK: number, topP: number }|null, lastRowOf?: string[] }} [request]
 *   keys: trace keys to read back (none: the text is only encoded); sampling: also the next-token distribution;
 *   lastRowOf: (T, V) keys of which only the last position is read (engine/methods.js: a large vocabulary's
 *   rows then stay in the worker)
 * @returns {Promise<{ input: object, trace: Record<string, { shape: number[], data: Float32Array }>, sampling: Float32Array|null }>}
 *   input: prepareInput's result (ids, labels, items, messages); trace: {} when the text has no token
 */
export async function traceText(engine, text, { keys = [], sampling = null, lastRowOf = [] } = {}) {
  const answer = await engine.trace(text, { keys, sampling, lastRowOf });
  const input = prepareInput(text, answer, engine.config.block_size, engine.vocab, { byToken: engine.tokenizer !== 'char' });
  return { input, trace: answer.trace ?? {}, sampling: answer.sampling };
}
