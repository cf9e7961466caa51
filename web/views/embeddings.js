// Embeddings view: token embedding + position embedding = the input of the first block, as
// three T×C heatmaps on one colour scale.

import { el, formulaBlock, liveText } from './dom.js';
import { createHeatmap } from './heatmap.js';
import { domainFor } from './colormap.js';
import { dims } from './format.js';
import { createPositionsExplainer } from './positions.js';

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
  const plus = el('span', { className: 'eq-op', text: '+' });
  row.append(a, plus, b, el('span', { className: 'eq-op', text: '=' }), c);
  const explainer = createPositionsExplainer(container);
  const maps = [
    createHeatmap(a, { ...common, title: 'token embedding W_te[id]' }),
    createHeatmap(b, { ...common, title: 'position embedding W_pe[t]' }),
    createHeatmap(c, { ...common, title: 'input X₀' }),
  ];

  return {
    /**
     * @param {{ labels: string[], T: number, C: number, V: number, blockSize: number, tok: Float32Array,
     *   pos: Float32Array|null, sum: Float32Array, arch?: { positions: string } }} d  pos: null for rotary models
     */
    update({ labels, T, C, V, blockSize, tok, pos, sum, arch }) {
      const positions = arch?.positions ?? 'learned';
      const tokText = `Each token id picks one row of a learned table W_te ${dims(V, C)}: a vector of C = ${C} numbers for that character. `;
      intro.set(
        tokText +
          {
            learned: `A second table W_pe ${dims(blockSize, C)} holds one learned vector per position 0…${blockSize - 1}. The two are added.`,
            sinusoidal: `A second, fixed table PE ${dims(blockSize, C)} of sine and cosine waves (below) gives each position 0…${blockSize - 1} its vector; nothing in it is learned. The two are added.`,
            rotary: `This model uses rotary positions: nothing is added here. Positions enter inside attention, where each query and key is turned by an angle that grows with its position (see the attention head).`,
          }[positions],
      );
      why.set(
        `Why positions? Attention compares every token with every other one and sums what it finds, which does not depend on ` +
          `their order: without positions, "dog bites man" and "man bites dog" would look alike. ` +
          (positions === 'rotary'
            ? `Turning queries and keys by position makes the score of two tokens depend on how far apart they are.`
            : `The same character at two positions gets the same token row but a different position row, so their sums differ.`),
      );
      const posName = positions === 'sinusoidal' ? 'PE' : 'W_pe';
      formula.set(
        positions === 'rotary'
          ? `X₀ = W_te[ids]   : ${dims('T', 'C')} = ${dims(T, C)}`
          : `X₀ = W_te[ids] + ${posName}[0…T−1]   : ${dims('T', 'C')} + ${dims('T', 'C')} = ${dims('T', 'C')} = ${dims(T, C)}`,
      );
      const domain = domainFor('signed', pos ? [tok, pos, sum] : [tok, sum]);
      const shape = dims(T, C);
      const m = { rows: T, cols: C, rowLabels: labels, shape, domain };
      maps[0].update({ ...m, data: tok });
      b.hidden = plus.hidden = !pos;
      if (pos) maps[1].update({ ...m, data: pos, title: positions === 'sinusoidal' ? 'sinusoidal positions PE[t]' : 'position embedding W_pe[t]' });
      maps[2].update({ ...m, data: sum });
      explainer.update({ T, C, blockSize, used: positions === 'sinusoidal' });
    },
    highlight(pos) {
      for (const map of maps) map.highlight(pos);
    },
  };
}
