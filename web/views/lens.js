// Logit lens view: what each layer would predict if the model stopped after it. The residual
// stream after every block goes through the final LayerNorm and the output head; the map shows
// how sure the top guess is (layers × positions), the table below what that guess is.

import { el, formulaBlock, liveText } from './dom.js';
import { scrollBox } from './scroll-box.js';
import { createHeatmap } from './heatmap.js';
import { pct, tokenLabel } from './format.js';
import { t } from '../i18n/i18n.js';
import { TOY_WORDS } from './model-words.js';

/**
 * @param {HTMLElement} container
 * @param {{ onHighlight?: (pos: number|null) => void }} [options]
 */
export function createLensView(container, { onHighlight = () => {} } = {}) {
  const intro = liveText('p', 'view-intro');
  const formula = formulaBlock();
  container.append(intro.element, formula.element);
  let d = null;
  const guesses = (l, t) => d.top[l][t].map((g) => `'${tokenLabel(d.vocab[g.id])}' ${pct(g.prob)}`).join(', ');
  const map = createHeatmap(container, {
    title: t('views.lens.title'),
    kind: 'unit',
    rowName: 'after block', // i18n-exempt: an axis heatmap.js names in words
    colName: 'token',
    tokenAxis: 'col',
    onHighlight,
    describe: (r, c) => t('views.lens.describe', { r, c, label: d.labels[c], guesses: guesses(r, c) }),
  });
  const table = el('table', { className: 'lens-table', attrs: { dir: 'ltr' } });
  container.append(scrollBox(table, t('views.lens.tableLabel')));

  return {
    /** @param {{ top: {id: number, prob: number}[][][], labels: string[], vocab: string[], C: number, V: number }} data */
    update(data) {
      d = data;
      const L = d.top.length;
      const T = d.labels.length;
      const words = d.words ?? TOY_WORDS;
      intro.set(t('views.lens.intro', words));
      formula.set(t('views.lens.formula', { ...words, T, V: d.V, last: L - 1 }));
      const probs = new Float32Array(L * T);
      for (let l = 0; l < L; l++) for (let t = 0; t < T; t++) probs[l * T + t] = d.top[l][t][0].prob;
      const rowLabels = Array.from({ length: L }, (_, l) => t('views.lens.block', { l }));
      map.update({ data: probs, rows: L, cols: T, rowLabels, colLabels: d.labels, domain: [0, 1], shape: t('views.lens.shape', { L, T }) });
      const head = el('tr', {}, el('th', { text: t('views.lens.input') }), ...d.labels.map((s) => el('th', { text: s, attrs: { translate: 'no' } })));
      const rows = d.top.map((row, l) =>
        el('tr', {}, el('th', { text: t(l === L - 1 ? 'views.lens.blockOutput' : 'views.lens.block', { l }) }), ...row.map((g) => el('td', { text: tokenLabel(d.vocab[g[0].id]), attrs: { title: pct(g[0].prob), translate: 'no' } }))),
      );
      table.replaceChildren(el('caption', { text: t('views.lens.caption') }), head, ...rows);
    },
    highlight(pos) {
      map.highlight(pos);
    },
    /** What is shown (for tests), and the map as an SVG figure. */
    data: () => d,
    svg: () => map.svg(),
  };
}
