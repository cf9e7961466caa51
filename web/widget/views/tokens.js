// Widget "tokens": the text as token chips with their ids (the page's tokens view).

import { createTokensView } from '../../views/tokens.js';
import { viewData } from '../../trace-data.js';
import { widgetTrace } from '../trace.js';

/**
 * @param {HTMLElement} container
 * @returns {{ update: (props: object, model: object, isStale: () => boolean) => Promise<object[]|null> }}
 *   update resolves to notes about the input (unknown characters, context), or null when stale
 */
export function createTokensWidget(container) {
  const view = createTokensView(container, { onHighlight: (pos) => view.highlight(pos) });
  return {
    async update(props, model, isStale) {
      const { input } = await widgetTrace(model, props.text);
      if (isStale()) return null;
      const { config, vocab } = model;
      view.update(viewData({}, { config, vocab, layer: 0, head: 0, input }, ['tokens']).tokens);
      return input.messages;
    },
  };
}
