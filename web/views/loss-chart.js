// The loss chart of every trainer on the page (the Train page's run and the widget's trainer),
// drawn on a canvas: the training loss of every step (faint), its running average (solid), the
// validation loss at each evaluation (dots), and a dashed line at ln V, the loss of guessing
// uniformly, where an untrained model starts. Crisp at any pixel density; axes with round ticks;
// the legend is HTML; the latest numbers are in the canvas's label (and, compact, in a line under it).

import { el } from './dom.js';
import { sizeCanvas, themeColours, watchWidth } from './canvas.js';
import { count, fmt } from './format.js';
import { exportButtons } from './export.js';
import { lineChartSvg } from './chart.js';
import { t } from '../i18n/i18n.js';

const HEIGHT = 260; // px
const HEIGHT_NARROW = 200; // px, below NARROW
const HEIGHT_COMPACT = 150; // px, in a widget
const NARROW = 480; // px of chart width
const PAD = { left: 40, right: 12, top: 10, bottom: 28 }; // px around the plot
const FONT = '11px system-ui, sans-serif'; // i18n-exempt: a font
const SMOOTHING = 0.9; // weight of the past in the running average (bias-corrected, as TensorBoard)
const X_TICKS = 6; // about this many ticks on the step axis
const Y_TICKS = 5;
const DOT = 3; // px, radius of a validation point

/** Round tick values covering [lo, hi]: steps of 1, 2 or 5 × 10^k. */
export function ticks(lo, hi, count) {
  if (!(hi > lo)) return [lo];
  const raw = (hi - lo) / count;
  const p = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((m) => m * p).find((s) => s >= raw) ?? 10 * p;
  const out = [];
  for (let v = Math.ceil(lo / step) * step; v <= hi + step * 1e-9; v += step) out.push(Number(v.toPrecision(12)));
  return out;
}

/** The running average of `values` (bias-corrected exponential moving average). */
export function smooth(values, weight = SMOOTHING) {
  const out = new Float64Array(values.length);
  let avg = 0;
  let norm = 0;
  for (let i = 0; i < values.length; i++) {
    avg = weight * avg + (1 - weight) * values[i];
    norm = weight * norm + (1 - weight);
    out[i] = avg / norm;
  }
  return out;
}

/**
 * @param {HTMLElement} container
 * @param {{ compact?: boolean }} [options] compact: a smaller chart with the latest numbers in a line under it (the widget's)
 * @returns {{ element: HTMLElement, update: (d: { steps: number[], loss: number[], val: { step: number, val: number }[],
 *   xMax: number, chance: number|null }) => void, smoothed: () => number|null }}
 *   steps, loss: each step's index (from 0) and training loss; val: the evaluations; xMax: the run's length
 */
export function createLossChart(container, { compact = false } = {}) {
  const chanceText = document.createTextNode(t('views.lossChart.chance', { name: 'ln V' })); // ln K for a classifier's K classes
  const canvas = el('canvas', { className: 'chart-canvas', attrs: { role: 'img', 'aria-label': t('views.lossChart.label', { state: t('views.lossChart.noSteps') }) } });
  const empty = el('p', { className: 'chart-empty', text: t('views.lossChart.empty') });
  const legend = el(
    'p',
    { className: 'chart-legend' },
    el('span', {}, el('span', { className: 'key key-train' }), t('views.lossChart.legendTrain')),
    el('span', {}, el('span', { className: 'key key-val' }), t('views.lossChart.legendVal')),
    el('span', {}, el('span', { className: 'key key-chance' }), chanceText),
  );
  const svg = () =>
    d && (d.steps.length || d.val.length)
      ? lineChartSvg({
        title: t('views.lossChart.title'),
        xLabel: t('views.lossChart.step'),
        yLabel: t('views.lossChart.yLabel'),
        series: [
          { name: t('views.lossChart.seriesStep'), x: d.steps, y: d.loss },
          { name: t('views.lossChart.seriesAverage'), x: d.steps, y: avg },
          { name: t('views.lossChart.seriesVal'), x: d.val.map((p) => p.step), y: d.val.map((p) => p.val) },
          ...(d.chance ? [{ name: t('views.lossChart.seriesChance', { name: d.chanceName ?? 'ln V' }), x: [d.steps[0] ?? 0, d.xMax], y: [d.chance, d.chance], dashed: true }] : []),
        ],
      })
      : null;
  legend.append(exportButtons(svg, () => 'loss'));
  const readout = compact ? el('output', { className: 'hm-readout', attrs: { 'aria-live': 'off' } }) : null;
  const element = el('figure', { className: compact ? 'chart loss' : 'chart' }, el('div', { className: 'chart-box', attrs: { dir: 'ltr' } }, canvas, empty), legend, readout);
  container.append(element);

  let d = null;
  let avg = []; // running average of d.loss, extended as the history grows
  let avgOf = null; // the loss array `avg` belongs to
  let acc = { avg: 0, norm: 0 };
  let width = 0;

  /** Extends the running average to the new steps (recomputes when the history was replaced). */
  function follow(loss) {
    if (loss !== avgOf || loss.length < avg.length) {
      avg = [];
      avgOf = loss;
      acc = { avg: 0, norm: 0 };
    }
    for (let i = avg.length; i < loss.length; i++) {
      acc.avg = SMOOTHING * acc.avg + (1 - SMOOTHING) * loss[i];
      acc.norm = SMOOTHING * acc.norm + (1 - SMOOTHING);
      avg.push(acc.avg / acc.norm);
    }
  }

  function draw() {
    if (!d || width === 0) return;
    const h = compact ? HEIGHT_COMPACT : width < NARROW ? HEIGHT_NARROW : HEIGHT;
    const c = themeColours(element);
    const ctx = sizeCanvas(canvas, width, h);
    const n = d.steps.length;
    empty.hidden = n > 0 || d.val.length > 0;
    const x0 = d.steps[0] ?? d.val[0]?.step ?? 0;
    const xLo = Math.min(x0, d.val[0]?.step ?? x0);
    const xHi = Math.max(d.xMax, d.steps[n - 1] ?? 0, xLo + 1);
    let yHi = d.chance ?? 0;
    for (let i = 0; i < n; i++) if (Number.isFinite(d.loss[i])) yHi = Math.max(yHi, d.loss[i]);
    for (const p of d.val) if (Number.isFinite(p.val)) yHi = Math.max(yHi, p.val);
    const yTicks = ticks(0, yHi > 0 ? yHi * 1.05 : 1, Y_TICKS);
    const yTop = yTicks[yTicks.length - 1] < yHi ? yHi * 1.05 : yTicks[yTicks.length - 1];
    const pw = width - PAD.left - PAD.right;
    const ph = h - PAD.top - PAD.bottom;
    const X = (s) => PAD.left + ((s - xLo) / (xHi - xLo)) * pw;
    const Y = (v) => PAD.top + ph - (Math.min(v, yTop) / yTop) * ph;

    ctx.font = FONT;
    ctx.lineWidth = 1;
    ctx.strokeStyle = c.line;
    ctx.fillStyle = c.soft;
    ctx.textAlign = 'right';
    ctx.textBaseline = 'middle';
    for (const tick of yTicks) {
      const y = Math.round(Y(tick)) + 0.5;
      ctx.beginPath();
      ctx.moveTo(PAD.left, y);
      ctx.lineTo(width - PAD.right, y);
      ctx.stroke();
      ctx.fillText(fmt(tick, 3), PAD.left - 6, y);
    }
    ctx.textAlign = 'center';
    ctx.textBaseline = 'top';
    const xTicks = ticks(xLo, xHi, width < NARROW ? 4 : X_TICKS).filter((tick) => Number.isInteger(tick));
    for (const tick of xTicks) {
      const x = Math.round(X(tick)) + 0.5;
      ctx.beginPath();
      ctx.moveTo(x, PAD.top + ph);
      ctx.lineTo(x, PAD.top + ph + 4);
      ctx.stroke();
      ctx.fillText(count(tick), x, PAD.top + ph + 6);
    }
    ctx.textAlign = 'right';
    ctx.fillText(t('views.lossChart.step'), width - PAD.right, PAD.top + ph + 6 + 11);

    if (d.chance) {
      ctx.save();
      ctx.setLineDash([4, 4]);
      ctx.strokeStyle = c.soft;
      const y = Math.round(Y(d.chance)) + 0.5;
      ctx.beginPath();
      ctx.moveTo(PAD.left, y);
      ctx.lineTo(width - PAD.right, y);
      ctx.stroke();
      ctx.restore();
    }

    ctx.save();
    ctx.beginPath();
    ctx.rect(PAD.left, PAD.top - DOT, pw, ph + 2 * DOT);
    ctx.clip();
    if (n > 0) {
      // every step, faint: min and max per pixel column when there are more steps than pixels
      ctx.globalAlpha = 0.28;
      ctx.strokeStyle = c.ui;
      ctx.lineWidth = 1;
      ctx.beginPath();
      const perPixel = n / pw;
      if (perPixel > 2) {
        let col = -1;
        let lo = Infinity;
        let hi = -Infinity;
        const flush = () => { if (col >= 0) { ctx.moveTo(col + 0.5, Y(lo)); ctx.lineTo(col + 0.5, Y(hi) - 0.5); } };
        for (let i = 0; i < n; i++) {
          const x = Math.floor(X(d.steps[i]));
          if (x !== col) { flush(); col = x; lo = Infinity; hi = -Infinity; }
          if (Number.isFinite(d.loss[i])) { lo = Math.min(lo, d.loss[i]); hi = Math.max(hi, d.loss[i]); }
        }
        flush();
      } else {
        for (let i = 0; i < n; i++) ctx[i ? 'lineTo' : 'moveTo'](X(d.steps[i]), Y(d.loss[i]));
      }
      ctx.stroke();
      ctx.globalAlpha = 1;
      // the running average
      ctx.lineWidth = 2;
      ctx.lineJoin = 'round';
      ctx.beginPath();
      const stride = Math.max(1, Math.floor(perPixel));
      for (let i = 0; i < n; i += stride) ctx[i ? 'lineTo' : 'moveTo'](X(d.steps[i]), Y(avg[i]));
      ctx.lineTo(X(d.steps[n - 1]), Y(avg[n - 1]));
      ctx.stroke();
    }
    if (d.val.length > 0) {
      ctx.strokeStyle = c.accent;
      ctx.fillStyle = c.accent;
      ctx.lineWidth = 1.5;
      ctx.beginPath();
      d.val.forEach((p, i) => ctx[i ? 'lineTo' : 'moveTo'](X(p.step), Y(p.val)));
      ctx.stroke();
      for (const p of d.val) {
        ctx.beginPath();
        ctx.arc(X(p.step), Y(p.val), DOT, 0, 2 * Math.PI);
        ctx.fill();
      }
    }
    ctx.restore();
    ctx.strokeStyle = c.soft;
    ctx.lineWidth = 1;
    ctx.beginPath();
    ctx.moveTo(PAD.left + 0.5, PAD.top);
    ctx.lineTo(PAD.left + 0.5, PAD.top + ph + 0.5);
    ctx.lineTo(width - PAD.right, PAD.top + ph + 0.5);
    ctx.stroke();
  }

  function describe() {
    const n = d.steps.length;
    const v = d.val[d.val.length - 1];
    const parts = [];
    if (n) parts.push(t('views.lossChart.labelTrain', { step: d.steps[n - 1] + 1, loss: fmt(avg[n - 1], 3) }));
    if (v) parts.push(t('views.lossChart.labelVal', { loss: fmt(v.val, 3), step: v.step }));
    canvas.setAttribute('aria-label', t('views.lossChart.label', { state: parts.join(t('views.lossChart.separator')) || t('views.lossChart.noSteps') }));
    if (!readout) return;
    readout.textContent = [
      n ? t('views.lossChart.readoutTrain', { step: d.steps[n - 1] + 1, loss: fmt(d.loss[n - 1], 4) }) : t('views.lossChart.untrained'),
      v ? t('views.lossChart.readoutVal', { loss: fmt(v.val, 4), step: v.step }) : '',
    ].filter(Boolean).join(' · ');
  }

  watchWidth(element, (w) => {
    width = w;
    draw();
  });

  return {
    element,
    /** @param {{ steps, loss, val, xMax, chance, chanceName? }} data chanceName: 'ln V' (the default) or 'ln K' */
    update(data) {
      d = data;
      chanceText.textContent = t('views.lossChart.chance', { name: d.chanceName ?? 'ln V' });
      follow(d.loss);
      describe();
      draw();
    },
    /** The running average at the latest step (null before the first). */
    smoothed: () => (avg.length ? avg[avg.length - 1] : null),
    /** The chart as a standalone SVG figure (what the SVG button saves). */
    svg,
  };
}
