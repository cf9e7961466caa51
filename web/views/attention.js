// Attention in every layer and head: a layer × head grid of small maps to pick from, the
// chosen map large with token labels (the masked half hatched), and the same weights as lines
// from each token to the tokens it reads.

import { el, formulaBlock, liveText } from './dom.js';
import { createHeatmap } from './heatmap.js';
import { drawMiniMap } from './canvas.js';
import { createAttentionLines } from './attention-lines.js';
import { dims, fmt } from './format.js';

const MINI = 56; // px, side of a map in the picker

/**
 * @param {HTMLElement} container
 * @param {{ onSelect?: (layer: number, head: number) => void, onHighlight?: (pos: number|null) => void }} [options]
 */
export function createAttentionView(container, { onSelect = () => {}, onHighlight = () => {} } = {}) {
  const intro = liveText('p', 'view-intro');
  const formula = formulaBlock();
  const grid = el('div', { className: 'head-grid', attrs: { role: 'group', 'aria-label': 'pick a layer and head' } });
  const pair = el('div', { className: 'map-row map-row-wide' });
  container.append(intro.element, formula.element, el('div', { className: 'attention-layout' }, grid, pair));
  const big = createHeatmap(pair, {
    title: 'A',
    kind: 'unit',
    square: true,
    maxHeight: 480,
    rowName: 'query',
    colName: 'key',
    onHighlight,
    describe: (r, c, v, masked) => `query ${r} '${labels[r]}', key ${c} '${labels[c]}': ${masked ? '0 (masked)' : fmt(v)}`,
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
    const cells = [el('span'), ...Array.from({ length: nHead }, (_, h) => el('span', { className: 'grid-label', text: `head ${h}` }))];
    buttons = [];
    for (let l = 0; l < nLayer; l++) {
      cells.push(el('span', { className: 'grid-label', text: `layer ${l}` }));
      const row = [];
      for (let h = 0; h < nHead; h++) {
        const canvas = el('canvas', { attrs: { 'aria-hidden': 'true' } });
        const b = el('button', { className: 'mini', attrs: { type: 'button', 'aria-label': `layer ${l}, head ${h}`, 'aria-pressed': 'false' }, on: { click: () => onSelect(l, h) } }, canvas);
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
      intro.set(
        `Every layer has its own ${nHead} heads, so this model has ${nLayer} × ${nHead} = ${nLayer * nHead} attention maps. ` +
          `Pick one from the grid. In a map, row i is a query (the token doing the looking) and column j a key (a token it ` +
          `looks at); ${causal ? 'the hatched half is the future, masked out' : 'this is an encoder, so nothing is masked: each token sees both sides'}, and every row sums to 1. ` +
          'Beside it (below, on a phone), the same weights as lines.',
      );
      formula.set(`A = softmax(${causal ? 'mask(Q·Kᵀ / √HS)' : 'Q·Kᵀ / √HS'})   : ${dims('T', 'T')} = ${dims(T, T)} per head, layer ${layer} head ${head} shown`);
      buildGrid(nLayer, nHead);
      maps.forEach((row, l) => row.forEach((att, h) => {
        const b = buttons[l][h];
        b.setAttribute('aria-pressed', String(l === layer && h === head));
        drawMiniMap(b.firstChild, { data: att, rows: T, cols: T, kind: 'unit', causal, size: MINI });
      }));
      big.update({ data: maps[layer][head], rows: T, cols: T, rowLabels: labels, colLabels: labels, causal, shape: `layer ${layer}, head ${head} ${dims(T, T)}` });
      lines.update({ labels, T, att: maps[layer][head], causal, title: `layer ${layer}, head ${head}` });
    },
    highlight(pos) {
      big.highlight(pos);
      lines.highlight(pos);
    },
  };
}
