// Widget "attention": one head's attention map (query × key, the future masked) and the same
// weights as lines from each token to the tokens it reads (the page's heatmap and lines views).

import { el } from '../../views/dom.js';
import { t } from '../../i18n/i18n.js';
import { createHeatmap } from '../../views/heatmap.js';
import { createAttentionLines } from '../../views/attention-lines.js';
import { dims, fmt, tokenLabel } from '../../views/format.js';
import { widgetTrace } from '../trace.js';
import { attentionKey } from '../../trace-data.js';

const MAX_HEIGHT = 420; // px, the most the map takes vertically

/**
 * @param {HTMLElement} container
 * @returns {{ update: (props: object, model: object, isStale: () => boolean) => Promise<object[]|null> }}
 */
export function createAttentionWidget(container) {
  const row = el('div', { className: 'map-row' });
  container.append(row);
  let labels = [];
  const highlight = (pos) => {
    map.highlight(pos);
    lines.highlight(pos);
  };
  const map = createHeatmap(row, {
    title: 'A',
    kind: 'unit',
    square: true,
    maxHeight: MAX_HEIGHT,
    rowName: t('widget.attention.query'),
    colName: t('widget.attention.key'),
    onHighlight: highlight,
    describe: (r, c, v, masked) => (masked
      ? t('widget.attention.describeMasked', { r, c, row: labels[r], col: labels[c] })
      : t('widget.attention.describe', { r, c, row: labels[r], col: labels[c], value: fmt(v) })),
  });
  const lines = createAttentionLines(row, { onHighlight: highlight });
  return {
    async update(props, model, isStale) {
      const key = attentionKey(model.engine, props.layer, props.head);
      const { input, trace } = await widgetTrace(model, props.text, { keys: [key] });
      if (isStale()) return null;
      labels = input.labels.map(tokenLabel);
      const T = input.ids.length;
      const att = trace[key].data;
      map.update({ data: att, rows: T, cols: T, rowLabels: labels, colLabels: labels, causal: true, shape: dims(T, T) });
      lines.update({ labels, T, att });
      return input.messages;
    },
  };
}
