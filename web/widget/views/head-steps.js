// Widget "head-steps": one attention head step by step, from X to Q, K, V, the scores, the mask,
// the softmax, the weighted values and the output projection (the page's head view).

import { createHeadView } from '../../views/head.js';
import { traceKeys, viewData } from '../../trace-data.js';
import { widgetTrace } from '../trace.js';

/**
 * @param {HTMLElement} container
 * @returns {{ update: (props: object, model: object, isStale: () => boolean) => Promise<object[]|null> }}
 */
export function createHeadStepsWidget(container) {
  const view = createHeadView(container, { onHighlight: (pos) => view.highlight(pos) });
  return {
    async update(props, model, isStale) {
      const { config, vocab } = model;
      const { layer, head } = props;
      const { input, trace } = await widgetTrace(model, props.text, { keys: traceKeys(config, layer, head, ['head']) });
      if (isStale()) return null;
      view.update(viewData(trace, { config, vocab, layer, head, input }, ['head']).head);
      return input.messages;
    },
  };
}
