// Embeddings view: token embedding + position embedding = the input of the first block, as
// three T×C heatmaps on one colour scale.

import { el, formulaBlock, liveText } from './dom.js';
import { createHeatmap } from './heatmap.js';
import { domainFor } from './colormap.js';
import { dims } from './format.js';

/**
 * @param {HTMLElement} container
 * @param {{ onHighlight?: (pos: number|null) => void }} [options]
 */
export function createEmbeddingsView(container, { onHighlight = () => {} } = {}) {
  const intro = liveText('p');
  const why = liveText('p');
  const formula = formulaBlock();
  const row = el('div', { className: 'eq-row' });
  container.append(intro.element, why.element, formula.element, row);
  const common = { kind: 'signed', rowName: 'token', colName: 'channel', onHighlight };
  const cell = () => el('div', { className: 'eq-term' });
  const [a, b, c] = [cell(), cell(), cell()];
  row.append(a, el('span', { className: 'eq-op', text: '+' }), b, el('span', { className: 'eq-op', text: '=' }), c);
  const maps = [
    createHeatmap(a, { ...common, title: 'token embedding W_te[id]' }),
    createHeatmap(b, { ...common, title: 'position embedding W_pe[t]' }),
    createHeatmap(c, { ...common, title: 'input X₀' }),
  ];

  return {
    /** @param {{ labels: string[], T: number, C: number, V: number, blockSize: number, tok: Float32Array, pos: Float32Array, sum: Float32Array }} d */
    update({ labels, T, C, V, blockSize, tok, pos, sum }) {
      intro.set(
        `Each token id picks one row of a learned table W_te ${dims(V, C)}: a vector of C = ${C} numbers for that character. ` +
          `A second table W_pe ${dims(blockSize, C)} holds one vector per position 0…${blockSize - 1}. The two are added.`,
      );
      why.set(
        `Why add positions? Attention compares every token with every other one and sums what it finds, which does not depend on ` +
          `their order: without position vectors, "dog bites man" and "man bites dog" would look alike. ` +
          `The same character at two positions gets the same token row but a different position row, so their sums differ.`,
      );
      formula.set(
        `X₀ = W_te[ids] + W_pe[0…T−1]   : ${dims('T', 'C')} + ${dims('T', 'C')} = ${dims('T', 'C')} = ${dims(T, C)}`,
      );
      const domain = domainFor('signed', [tok, pos, sum]);
      const shape = dims(T, C);
      const m = { rows: T, cols: C, rowLabels: labels, shape, domain };
      maps[0].update({ ...m, data: tok });
      maps[1].update({ ...m, data: pos });
      maps[2].update({ ...m, data: sum });
    },
    highlight(pos) {
      for (const map of maps) map.highlight(pos);
    },
  };
}
