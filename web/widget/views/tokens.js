// Widget "tokens": the text as token chips with their ids (the page's tokens view).

import { createTokensView } from '../../views/tokens.js';
import { traceView } from '../trace.js';

/**
 * @param {HTMLElement} container
 * @returns {{ update: (props: object, model: object, isStale: () => boolean) => Promise<object[]|null> }}
 *   update resolves to notes about the input (unknown characters, context), or null when stale
 */
export function createTokensWidget(container) {
  const view = createTokensView(container, { onHighlight: (pos) => view.highlight(pos) });
  return {
    async update(props, model, isStale) {
      const { input, data } = await traceView(model, props.text, 'tokens');
      if (isStale()) return null;
      view.update(data);
      return input.messages;
    },
  };
}
