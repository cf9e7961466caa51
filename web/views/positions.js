// Sinusoidal positions explained: the fixed table of "Attention Is All You Need" as a heatmap
// (position × channel) and a few of its channels as curves over the positions, with why these
// waves tell positions apart. The engine computes the same table (crates/playground-core/src/
// cpu/positions.rs) in f64; here it is recomputed in JS to draw it for any model.

import { el, liveText } from './dom.js';
import { fixed } from './format.js';
import { createHeatmap } from './heatmap.js';
import { faintLines, sizeCanvas, strokePath, themeColours } from './canvas.js';
import { t } from '../i18n/i18n.js';

const BASE = 10000;
const PLOT_W = 360; // px
const PLOT_H = 150; // px
const CURVES = 4; // channels drawn as curves: sin of pairs 0, 1, 2, … spread over the width

/** PE (T×C): PE[p, 2i] = sin(p / BASE^(2i/C)), PE[p, 2i+1] = cos(p / BASE^(2i/C)). */
export function sinusoidalTable(T, C) {
  const out = new Float32Array(T * C);
  for (let p = 0; p < T; p++) {
    for (let ch = 0; ch < C; ch++) {
      const angle = p / BASE ** ((2 * Math.floor(ch / 2)) / C);
      out[p * C + ch] = ch % 2 === 0 ? Math.sin(angle) : Math.cos(angle);
    }
  }
  return out;
}

/** The even channels drawn as curves: the fastest pair, the slowest, and some between. */
function curveChannels(C) {
  const pairs = Math.max(1, Math.floor(C / 2));
  const n = Math.min(CURVES, pairs);
  return [...new Set(Array.from({ length: n }, (_, k) => 2 * Math.round((k * (pairs - 1)) / Math.max(1, n - 1))))];
}

/**
 * @param {HTMLElement} container
 * @returns {{ element: HTMLElement, update: (d: { T: number, C: number, blockSize: number, used: boolean }) => void }}
 */
export function createPositionsExplainer(container) {
  const why = liveText('p');
  const map = el('div', { className: 'pos-map' });
  const plot = el('canvas', { className: 'pos-plot', attrs: { role: 'img', 'aria-label': t('views.positions.plotLabel') } });
  const legend = liveText('p', 'note');
  const curves = el('figure', { className: 'gelu' }, el('figcaption', {}, el('span', { className: 'hm-title', text: t('views.positions.curvesTitle') })), plot, legend.element);
  const summary = el('summary', { text: t('views.positions.summary') });
  const element = el('details', { className: 'positions-explainer' }, summary, why.element, el('div', { className: 'ffn-layout' }, map, curves));
  container.append(element);
  const heat = createHeatmap(map, { title: t('views.positions.mapTitle'), kind: 'signed', rowName: 'position', colName: 'channel', maxHeight: 260 });

  function draw(table, T, C) {
    const { soft: ink, accent } = themeColours(curves);
    const ctx = sizeCanvas(plot, PLOT_W, PLOT_H);
    const sx = (p) => (T <= 1 ? 0 : (p / (T - 1)) * PLOT_W);
    const sy = (v) => PLOT_H / 2 - v * (PLOT_H / 2 - 6);
    faintLines(ctx, ink, [[0, sy(0), PLOT_W, sy(0)]]);
    const channels = curveChannels(C);
    channels.forEach((ch, k) => {
      ctx.globalAlpha = 1 - (0.6 * k) / Math.max(1, channels.length);
      ctx.strokeStyle = k === 0 ? accent : ink;
      ctx.lineWidth = 2;
      strokePath(ctx, Array.from({ length: T }, (_, p) => [sx(p), sy(table[p * C + ch])]));
    });
    ctx.globalAlpha = 1;
    legend.set(t('views.positions.legend', {
      channels: channels.join(', '),
      pairs: channels.map((c) => c / 2).join(', '),
      wavelengths: channels.map((c) => fixed(2 * Math.PI * BASE ** (c / C), 1)).join(t('views.positions.listSeparator')),
    }));
  }

  return {
    element,
    /** used: the model adds this table (sinusoidal positions); otherwise it is shown as an explainer. */
    update({ T, C, blockSize, used }) {
      const rows = Math.max(2, Math.min(blockSize, Math.max(T, 32)));
      const table = sinusoidalTable(rows, C);
      element.open = used;
      why.set(t('views.positions.why', { used: used ? 'yes' : 'no' }));
      heat.update({ data: table, rows, cols: C, rowLabels: Array.from({ length: rows }, (_, p) => String(p)), shape: `${rows}×${C}`, domain: [-1, 1] });
      draw(table, rows, C);
    },
  };
}
