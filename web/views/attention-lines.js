// Token-to-token line view of one attention map: queries on the left, keys on the right, a
// line from query i to key j as strong as the weight A[i, j]. Pointing at a query, or moving
// with the arrow keys, shows only its lines and names where its attention goes.

import { el } from './dom.js';
import { fmt } from './format.js';
import { t } from '../i18n/i18n.js';
import { drawSoon, sizeCanvas, themeColours } from './canvas.js';
import { exportButtons, fileStem, linesSvg } from './export.js';

const ROW = 16; // px per token
const LABEL_W = 34; // px for each column of labels
const GAP = 8; // px between a label column and the lines
const WIDTH = 240; // px
const FONT = '12px ui-monospace, SFMono-Regular, Menlo, Consolas, monospace'; // i18n-exempt: a font
const TOP_KEYS = 3; // keys named in the readout
const FAINT = 0.12; // opacity factor of the lines of queries that are not selected

/**
 * @param {HTMLElement} parent
 * @param {{ onHighlight?: (pos: number|null) => void }} [options]
 * @returns {{ element: HTMLElement, update: (d: {labels: string[], T: number, att: Float32Array, causal?: boolean, title?: string}) => void,
 *   highlight: (pos: number|null) => void }} `causal` (default true): keys after the query are masked; `title` names
 *   the map in exports ("layer 0, head 1")
 */
export function createAttentionLines(parent, { onHighlight = () => {} } = {}) {
  const canvas = el('canvas', { className: 'lines-canvas', attrs: { tabindex: '0', role: 'img', 'aria-label': t('views.lines.label') } });
  const readout = el('output', { className: 'hm-readout', attrs: { 'aria-live': 'polite' } });
  const element = el(
    'figure',
    { className: 'lines' },
    el(
      'figcaption',
      {},
      el('span', { className: 'hm-title', text: t('views.lines.title') }),
      ' ',
      el('span', { className: 'hm-shape', text: t('views.lines.shape') }),
      exportButtons(() => d && linesSvg(figure()), () => fileStem(`attention-lines ${d?.title ?? ''}`)), // i18n-exempt: a file name
    ),
    el('div', { className: 'lines-scroll', attrs: { dir: 'ltr' } }, canvas),
    readout,
  );
  parent.append(element);
  let d = null;
  let selected = null;

  /** The map as the export draws it. */
  const figure = () => ({ ...d, title: d.title ? t('views.lines.titleOf', { title: d.title }) : t('views.lines.title'), causal: d.causal ?? true });
  /** Keys query i may read: those up to i under a causal mask, all of them without one. */
  const keysOf = (i) => ((d.causal ?? true) ? i + 1 : d.T);

  function draw() {
    if (!d) return;
    const { labels, T, att } = d;
    const { ink, accent } = themeColours(element);
    const ctx = sizeCanvas(canvas, WIDTH, T * ROW + 4);
    const y = (i) => 2 + (i + 0.5) * ROW;
    const x0 = LABEL_W + GAP;
    const x1 = WIDTH - LABEL_W - GAP;
    ctx.lineCap = 'round';
    ctx.strokeStyle = accent;
    for (let i = 0; i < T; i++) {
      const dim = selected !== null && i !== selected;
      for (let j = 0; j < keysOf(i); j++) {
        const w = att[i * T + j];
        if (w < 0.005) continue;
        ctx.globalAlpha = Math.min(1, w * (dim ? FAINT : 1));
        ctx.lineWidth = 0.5 + 3 * w;
        ctx.beginPath();
        ctx.moveTo(x0, y(i));
        ctx.lineTo(x1, y(j));
        ctx.stroke();
      }
    }
    ctx.globalAlpha = 1;
    ctx.font = FONT;
    ctx.textBaseline = 'middle';
    for (let i = 0; i < T; i++) {
      ctx.fillStyle = i === selected ? accent : ink;
      ctx.textAlign = 'right';
      ctx.fillText(labels[i], LABEL_W, y(i));
      ctx.fillStyle = ink;
      ctx.textAlign = 'left';
      ctx.fillText(labels[i], WIDTH - LABEL_W, y(i));
    }
    describe();
  }

  function describe() {
    if (selected === null) {
      readout.textContent = t('views.lines.idle');
      return;
    }
    const { labels, T, att } = d;
    const i = selected;
    const top = [...Array(keysOf(i)).keys()].sort((a, b) => att[i * T + b] - att[i * T + a]).slice(0, TOP_KEYS);
    const keys = top.map((j) => t('views.lines.key', { j, label: labels[j], weight: fmt(att[i * T + j], 3) })).join(t('views.lines.separator'));
    readout.textContent = t('views.lines.readout', { i, label: labels[i], keys });
  }

  function select(i, notify) {
    if (i === selected) return;
    selected = i;
    draw();
    if (notify) onHighlight(i);
  }

  canvas.addEventListener('pointermove', (e) => {
    if (!d) return;
    const i = Math.floor((e.clientY - canvas.getBoundingClientRect().top - 2) / ROW);
    if (i >= 0 && i < d.T) select(i, true);
  });
  canvas.addEventListener('pointerleave', () => { if (canvas.getRootNode().activeElement !== canvas) { select(null, true); } });
  canvas.addEventListener('focus', () => { if (d) select(selected ?? d.T - 1, true); });
  canvas.addEventListener('blur', () => select(null, true));
  canvas.addEventListener('keydown', (e) => {
    if (!d || selected === null) return;
    const step = { ArrowUp: -1, ArrowDown: 1, ArrowLeft: -1, ArrowRight: 1 }[e.key];
    if (!step) return;
    e.preventDefault();
    select(Math.max(0, Math.min(d.T - 1, selected + step)), true);
  });
  window.matchMedia?.('(prefers-color-scheme: dark)').addEventListener('change', draw); // i18n-exempt: a media query

  return {
    element,
    update(data) {
      d = data;
      if (selected !== null && selected >= d.T) selected = null;
      drawSoon(draw, canvas);
    },
    highlight(pos) {
      select(pos, false);
    },
  };
}
