// Embeddings view: token embedding + position embedding = the input of the first block, as
// three T×C heatmaps on one colour scale.

import { el, formulaBlock, liveText } from './dom.js';
import { createHeatmap } from './heatmap.js';
import { domainFor } from './colormap.js';
import { dims } from './format.js';
import { createPositionsExplainer } from './positions.js';
import { t } from '../i18n/i18n.js';

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
    createHeatmap(a, { ...common, title: t('views.embeddings.tokenTitle') }),
    createHeatmap(b, { ...common, title: t('views.embeddings.positionTitle') }),
    createHeatmap(c, { ...common, title: t('views.embeddings.inputTitle') }),
  ];

  return {
    /**
     * @param {{ labels: string[], T: number, C: number, V: number, blockSize: number, tok: Float32Array,
     *   pos: Float32Array|null, sum: Float32Array, arch?: { positions: string } }} d  pos: null for rotary models
     */
    update({ labels, T, C, V, blockSize, tok, pos, sum, arch }) {
      const positions = arch?.positions ?? 'learned';
      intro.set(t('views.embeddings.intro', { positions, table: dims(V, C), C, posTable: dims(blockSize, C), last: blockSize - 1 }));
      why.set(t('views.embeddings.why', { rotary: positions === 'rotary' ? 'yes' : 'no' }));
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
      if (pos) maps[1].update({ ...m, data: pos, title: t(positions === 'sinusoidal' ? 'views.embeddings.sinusoidalTitle' : 'views.embeddings.positionTitle') });
      maps[2].update({ ...m, data: sum });
      explainer.update({ T, C, blockSize, used: positions === 'sinusoidal' });
    },
    highlight(pos) {
      for (const map of maps) map.highlight(pos);
    },
  };
}
