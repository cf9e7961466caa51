// Logit lens view: what each layer would predict if the model stopped after it. The residual
// stream after every block goes through the final LayerNorm and the output head; the map shows
// how sure the top guess is (layers × positions), the table below what that guess is.

import { el, formulaBlock, liveText } from './dom.js';
import { scrollBox } from './scroll-box.js';
import { createHeatmap } from './heatmap.js';
import { pct, tokenLabel } from './format.js';

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
    title: 'logit lens: top guess probability',
    kind: 'unit',
    rowName: 'after block',
    colName: 'token',
    tokenAxis: 'col',
    onHighlight,
    describe: (r, c) => `After block ${r}, at token ${c} '${d.labels[c]}', the next token would be: ${guesses(r, c)}`,
  });
  const table = el('table', { className: 'lens-table' });
  container.append(scrollBox(table, 'the logit lens table'));

  return {
    /** @param {{ top: {id: number, prob: number}[][][], labels: string[], vocab: string[], C: number, V: number }} data */
    update(data) {
      d = data;
      const L = d.top.length;
      const T = d.labels.length;
      intro.set(
        'The logit lens reads the residual stream in the middle of the model as if it were the end: after each block, the ' +
          'stream goes through the final LayerNorm and the output head. Early blocks often guess common characters; the last ' +
          'row is the model’s real prediction. Tap a cell for the top guesses.',
      );
      formula.set(`lens_l = softmax(LN_f(x_l) · W_teᵀ) : [T×C]·[C×V] = [${T}×${d.V}]   for every block l = 0 … ${L - 1}`);
      const probs = new Float32Array(L * T);
      for (let l = 0; l < L; l++) for (let t = 0; t < T; t++) probs[l * T + t] = d.top[l][t][0].prob;
      const rowLabels = Array.from({ length: L }, (_, l) => `block ${l}`);
      map.update({ data: probs, rows: L, cols: T, rowLabels, colLabels: d.labels, domain: [0, 1], shape: `[${L} blocks × ${T} tokens]` });
      const head = el('tr', {}, el('th', { text: 'input →' }), ...d.labels.map((s) => el('th', { text: s })));
      const rows = d.top.map((row, l) =>
        el('tr', {}, el('th', { text: l === L - 1 ? `block ${l} (output)` : `block ${l}` }), ...row.map((g) => el('td', { text: tokenLabel(d.vocab[g[0].id]), attrs: { title: pct(g[0].prob) } }))),
      );
      table.replaceChildren(el('caption', { text: 'Top guess for the next token, after each block' }), head, ...rows);
    },
    highlight(pos) {
      map.highlight(pos);
    },
    /** What is shown (for tests), and the map as an SVG figure. */
    data: () => d,
    svg: () => map.svg(),
  };
}
