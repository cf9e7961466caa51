// Residual stream view: the length of each token's vector after every step that adds to it
// (embeddings, then each block's attention and MLP), as a stages × tokens heatmap.

import { formulaBlock, liveText, tData } from './dom.js';
import { createHeatmap } from './heatmap.js';
import { fmt } from './format.js';
import { t } from '../i18n/i18n.js';

/**
 * @param {HTMLElement} container
 * @param {{ onHighlight?: (pos: number|null) => void }} [options]
 */
export function createResidualView(container, { onHighlight = () => {} } = {}) {
  const intro = liveText('p');
  const formula = formulaBlock();
  container.append(intro.element, formula.element);
  const map = createHeatmap(container, {
    title: t('views.residual.title'),
    kind: 'positive',
    rowName: 'stage',
    colName: 'token',
    tokenAxis: 'col',
    onHighlight,
    describe: (r, c, v) => t('views.residual.describe', { stage: stages[r], c, label: labels[c], value: fmt(v) }),
  });
  const summary = liveText('p', 'callout');
  container.append(summary.element);
  let stages = [];
  let labels = [];

  return {
    /** @param {{ labels: string[], T: number, C: number, stages: string[], norms: Float32Array }} d norms is stages × T */
    update(d) {
      ({ stages, labels } = d);
      const { T, C, norms } = d;
      intro.set(t('views.residual.intro', { C }));
      formula.set(t('views.residual.formula', { C }), stages.join('  →  '));
      map.update({ data: norms, rows: stages.length, cols: T, rowLabels: stages, colLabels: labels, shape: t('views.residual.shape', { stages: stages.length, T }) });
      const last = T - 1;
      const first = norms[last];
      const end = norms[(stages.length - 1) * T + last];
      summary.set(tData('views.residual.summary', { label: labels[last], first: fmt(first, 3), end: fmt(end, 3) }, ['label']));
    },
    highlight(pos) {
      map.highlight(pos);
    },
  };
}
