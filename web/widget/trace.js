// A widget's text through its model, by the page's one trace call (../trace.js). A text with no
// known character is shown in the widget's box like a bad attribute.

import { traceText } from '../trace.js';

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
