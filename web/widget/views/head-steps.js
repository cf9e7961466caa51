// Widget "head-steps": one attention head step by step, from X to Q, K, V, the scores, the mask,
// the softmax, the weighted values and the output projection (the page's head view): one step at
// a time (layout="compact", the default), or all of them (layout="full").

import { createHeadView } from '../../views/head.js';
import { traceView } from '../trace.js';

/**
 * @param {HTMLElement} container
 * @returns {{ update: (props: object, model: object, isStale: () => boolean) => Promise<object[]|null> }}
 */
export function createHeadStepsWidget(container) {
  const view = createHeadView(container, { onHighlight: (pos) => view.highlight(pos) });
  return {
    async update(props, model, isStale) {
      const { input, data } = await traceView(model, props.text, 'head', props);
      if (isStale()) return null;
      view.setCompact(props.layout === 'compact');
      view.update(data);
      return input.messages;
    },
  };
}
