// Widget "attention-grid": every layer × head map to pick from, the picked one large with the
// lines beside it (the page's "all heads" view). The attributes choose the first pick.

import { createAttentionView } from '../../views/attention.js';
import { traceKeys, viewData } from '../../trace-data.js';
import { widgetTrace } from '../trace.js';

/**
 * @param {HTMLElement} container
 * @returns {{ update: (props: object, model: object, isStale: () => boolean) => Promise<object[]|null> }}
 */
export function createAttentionGridWidget(container) {
  let shown = null; // the data on screen, redrawn when the reader picks another map
  const view = createAttentionView(container, {
    onSelect: (layer, head) => {
      if (!shown) return;
      shown = { ...shown, layer, head };
      view.update(shown);
    },
    onHighlight: (pos) => view.highlight(pos),
  });
  return {
    async update(props, model, isStale) {
      const { config, vocab } = model;
      const { layer, head } = props;
      const { input, trace } = await widgetTrace(model, props.text, { keys: traceKeys(config, layer, head, ['attention']) });
      if (isStale()) return null;
      shown = viewData(trace, { config, vocab, layer, head, input }, ['attention']).attention;
      view.update(shown);
      return input.messages;
    },
  };
}
