// A widget's text through its model, by the page's one trace call (../trace.js), and sliced
// into what one of the page's views draws (../trace-data.js). A text with no known character is
// shown in the widget's box like a bad attribute.

import { traceText } from '../trace.js';
import { traceKeys, viewData } from '../trace-data.js';

/** A text the model cannot run on (no known character): a message for the widget's box. */
export class InputError extends Error {
  constructor(message) {
    super(message);
    this.name = 'InputError';
  }
}

/**
 * @param {{ engine: object }} model
 * @param {string} text
 * @param {{ keys?: string[], sampling?: object|null }} [request] as traceText's
 * @returns {ReturnType<typeof traceText>} throws an InputError when the text has no token
 */
export async function widgetTrace(model, text, request) {
  const result = await traceText(model.engine, text, request);
  if (result.input.ids.length === 0) throw new InputError(result.input.messages.map((m) => m.text).join(' '));
  return result;
}

/**
 * The data the page's view `name` draws for `text` (one trace call with that view's keys).
 * @param {{ engine: object }} model
 * @param {string} text
 * @param {string} name a view of trace-data.js (tokens, head, attention, output, …)
 * @param {{ layer?: number, head?: number, sampling?: object|null }} [request] the layer and head shown; sampling as traceText's
 * @returns {Promise<{ input: object, data: object, sampling: Float32Array|null }>}
 */
export async function traceView(model, text, name, { layer = 0, head = 0, sampling = null } = {}) {
  const { config, steps, vocab } = model.engine;
  const request = { keys: traceKeys(model.engine, layer, head, [name]), sampling, lastRowOf: [steps.logits, steps.probs] }; // the output view reads the last position
  const { input, trace, sampling: probs } = await widgetTrace(model, text, request);
  return { input, data: viewData(trace, { config, steps, vocab, layer, head, input }, [name])[name], sampling: probs };
}
