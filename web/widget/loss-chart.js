// The trainer's loss curve on <canvas>: training loss per step as a line, validation loss as
// dots, on fixed axes (0 to the first loss, 0 to the run's steps) so the curve's fall reads at
// a glance. A line of text under it gives the latest numbers, so nothing is in the picture only.

import { el } from '../views/dom.js';
import { sizeCanvas, themeColours } from '../views/heatmap.js';
import { niceCeil } from '../views/colormap.js';
import { fmt } from '../views/format.js';

const HEIGHT = 150; // px
const LEFT = 34; // px for the loss labels
const BOTTOM = 16; // px for the step labels
const TOP = 6; // px
const GRID_LINES = 3; // horizontal lines above zero
const FONT = '11px ui-monospace, SFMono-Regular, Menlo, Consolas, monospace';
const DOT = 2.5; // px, radius of a validation point

/**
 * @param {HTMLElement} parent
 * @returns {{ element: HTMLElement, update: (d: { train: number[][], val: number[][], steps: number }) => void }}
 *   train and val: [step, loss] pairs; steps: the run's length (the x axis)
 */
export function createLossChart(parent) {
  const canvas = el('canvas', { className: 'loss-canvas', attrs: { role: 'img', 'aria-label': 'loss curve' } });
  const readout = el('output', { className: 'hm-readout', attrs: { 'aria-live': 'off' } });
  const element = el(
    'figure',
    { className: 'loss' },
    el('figcaption', {}, el('span', { className: 'hm-title', text: 'loss' }), ' ',
      el('span', { className: 'swatch swatch-bar' }), ' training   ',
      el('span', { className: 'swatch swatch-val' }), ' validation'),
    canvas,
    readout,
  );
  parent.append(element);
  let d = null;
  let width = 0;

  function draw() {
    if (!d || width === 0) return;
    const { ink, soft, accent, maskFg } = themeColours(element);
    const ctx = sizeCanvas(canvas, width, HEIGHT);
    const first = d.train[0]?.[1] ?? d.val[0]?.[1] ?? 1;
    const top = niceCeil(Math.max(first, ...d.val.map((p) => p[1])));
    const x = (step) => LEFT + ((width - LEFT - 4) * step) / d.steps;
    const y = (loss) => TOP + (HEIGHT - TOP - BOTTOM) * (1 - Math.min(loss, top) / top);
    ctx.font = FONT;
    ctx.fillStyle = soft;
    ctx.strokeStyle = maskFg;
    ctx.lineWidth = 1;
    ctx.textAlign = 'right';
    ctx.textBaseline = 'middle';
    for (let i = 0; i <= GRID_LINES; i++) {
      const v = (top * i) / GRID_LINES;
      ctx.fillText(fmt(v, 2), LEFT - 4, y(v));
      ctx.beginPath();
      ctx.moveTo(LEFT, Math.round(y(v)) + 0.5);
      ctx.lineTo(width - 4, Math.round(y(v)) + 0.5);
      ctx.stroke();
    }
    ctx.textAlign = 'center';
    ctx.textBaseline = 'bottom';
    for (const step of [0, d.steps]) ctx.fillText(step === 0 ? '0' : `${step} steps`, Math.min(width - 30, Math.max(LEFT, x(step))), HEIGHT);
    ctx.strokeStyle = accent;
    ctx.lineWidth = 1.5;
    ctx.beginPath();
    d.train.forEach(([s, l], i) => (i === 0 ? ctx.moveTo(x(s), y(l)) : ctx.lineTo(x(s), y(l))));
    ctx.stroke();
    ctx.fillStyle = ink;
    for (const [s, l] of d.val) {
      ctx.beginPath();
      ctx.arc(x(s), y(l), DOT, 0, 2 * Math.PI);
      ctx.fill();
    }
  }

  new ResizeObserver((entries) => {
    const w = Math.floor(entries[entries.length - 1].contentRect.width);
    if (w !== width) { width = w; draw(); }
  }).observe(element);
  window.matchMedia?.('(prefers-color-scheme: dark)').addEventListener('change', draw);

  return {
    element,
    update(data) {
      d = data;
      const t = d.train.at(-1);
      const v = d.val.at(-1);
      readout.textContent = [
        t ? `step ${t[0]}: training loss ${fmt(t[1], 4)}` : 'not trained yet',
        v ? `validation loss ${fmt(v[1], 4)} (at step ${v[0]})` : '',
      ].filter(Boolean).join(' · ');
      draw();
    },
  };
}
