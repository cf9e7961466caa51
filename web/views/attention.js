// Attention in every layer and head: a layer × head grid of small maps to pick from, the
// chosen map large with token labels (the masked half hatched), and the same weights as lines
// from each token to the tokens it reads.

import { el, formulaBlock, liveText } from './dom.js';
import { createHeatmap } from './heatmap.js';
import { drawMiniMap } from './canvas.js';
import { createAttentionLines } from './attention-lines.js';
import { dims, fmt } from './format.js';
import { t } from '../i18n/i18n.js';

const MINI = 56; // px, side of a map in the picker

/**
 * @param {HTMLElement} container
 * @param {{ onSelect?: (layer: number, head: number) => void, onHighlight?: (pos: number|null) => void }} [options]
 */
export function createAttentionView(container, { onSelect = () => {}, onHighlight = () => {} } = {}) {
  const intro = liveText('p', 'view-intro');
  const formula = formulaBlock();
  const grid = el('div', { className: 'head-grid', attrs: { role: 'group', 'aria-label': t('views.attention.gridLabel') } });
  const pair = el('div', { className: 'map-row map-row-wide' });
  container.append(intro.element, formula.element, el('div', { className: 'attention-layout' }, grid, pair));
  const big = createHeatmap(pair, {
    title: 'A',
    mathTitle: true,
    kind: 'unit',
    square: true,
    maxHeight: 480,
    rowName: 'query',
    colName: 'key',
    onHighlight,
    describe: (r, c, v, masked) => t(masked ? 'views.attention.describeMasked' : 'views.attention.describe', { r, c, query: labels[r], key: labels[c], value: fmt(v) }),
  });
  const lines = createAttentionLines(pair, { onHighlight });
  let labels = [];
  let buttons = [];
  let shape = '';

  function buildGrid(nLayer, nHead) {
    const key = `${nLayer}x${nHead}`;
    if (shape === key) return;
    shape = key;
    grid.style.setProperty('--heads', String(nHead));
    const cells = [el('span'), ...Array.from({ length: nHead }, (_, h) => el('span', { className: 'grid-label', text: t('views.attention.head', { h }) }))];
    buttons = [];
    for (let l = 0; l < nLayer; l++) {
      cells.push(el('span', { className: 'grid-label', text: t('views.attention.layer', { l }) }));
      const row = [];
      for (let h = 0; h < nHead; h++) {
        const canvas = el('canvas', { attrs: { 'aria-hidden': 'true' } });
        const b = el('button', { className: 'mini', attrs: { type: 'button', 'aria-label': t('views.attention.layerHead', { l, h }), 'aria-pressed': 'false' }, on: { click: () => onSelect(l, h) } }, canvas);
        row.push(b);
        cells.push(b);
      }
      buttons.push(row);
    }
    grid.replaceChildren(...cells);
  }

  return {
    /**
     * @param {{ labels: string[], T: number, layer: number, head: number, maps: Float32Array[][], causal?: boolean }} d
     *   maps[l][h] is T×T; causal: false for an encoder, whose tokens see both sides (nothing hatched)
     */
    update(d) {
      labels = d.labels;
      const { T, layer, head, maps } = d;
      const causal = d.causal ?? true;
      const nLayer = maps.length;
      const nHead = maps[0].length;
      intro.set(t('views.attention.intro', { nHead, nLayer, maps: nLayer * nHead, causal: causal ? 'yes' : 'no' }));
      formula.set(t('views.attention.formula', { scores: causal ? 'mask(Q·Kᵀ / √HS)' : 'Q·Kᵀ / √HS', TT: dims('T', 'T'), shape: dims(T, T), layer, head }));
      buildGrid(nLayer, nHead);
      maps.forEach((row, l) => row.forEach((att, h) => {
        const b = buttons[l][h];
        b.setAttribute('aria-pressed', String(l === layer && h === head));
        drawMiniMap(b.firstChild, { data: att, rows: T, cols: T, kind: 'unit', causal, size: MINI });
      }));
      big.update({ data: maps[layer][head], rows: T, cols: T, rowLabels: labels, colLabels: labels, causal, shape: t('views.attention.shape', { layer, head, shape: dims(T, T) }) });
      lines.update({ labels, T, att: maps[layer][head], causal, title: t('views.attention.layerHead', { l: layer, h: head }) });
    },
    highlight(pos) {
      big.highlight(pos);
      lines.highlight(pos);
    },
  };
}
