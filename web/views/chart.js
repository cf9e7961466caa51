// A small line chart as SVG, built from data: axes with a few ticks, one line per series, a
// legend, optional log scale on y. The same element is shown on the page and saved by the
// export buttons (colours are explicit, so the saved file looks like the page in light mode).

import { svgEl } from './export.js';
import { fmt } from './format.js';
import { t } from '../i18n/i18n.js';

const FONT = 'ui-monospace, SFMono-Regular, Menlo, Consolas, monospace'; // i18n-exempt: a font list
const PAD = { left: 58, right: 12, top: 26, bottom: 34 };
/** Distinguishable with the common colour-vision deficiencies (Okabe–Ito). */
export const SERIES_COLOURS = ['#0072b2', '#e69f00', '#009e73', '#cc79a7', '#56b4e9', '#d55e00', '#000000', '#f0e442'];

function niceTicks(lo, hi, n) {
  const step0 = (hi - lo) / Math.max(1, n);
  const p = 10 ** Math.floor(Math.log10(step0 || 1));
  const step = [1, 2, 5, 10].map((m) => m * p).find((s) => s >= step0) ?? 10 * p;
  const out = [];
  for (let v = Math.ceil(lo / step) * step; v <= hi + step * 1e-9; v += step) out.push(Number(v.toPrecision(12)));
  return out;
}

/** A chart width that fits `node` (drawn 1:1, so its text stays readable on a phone). */
export function chartWidth(node) {
  return Math.max(300, Math.min(640, Math.floor(node.clientWidth || 560)));
}

/**
 * @param {{ title: string, xLabel: string, yLabel: string, logY?: boolean, width?: number, height?: number,
 *   series: { name: string, x: number[], y: number[], dashed?: boolean, colour?: string, nameIsData?: boolean }[] }} c
 *   nameIsData: the name is data (a tensor's name), not a message: kept from translation
 *   a series' colour defaults to the palette's next
 * @returns {SVGSVGElement}
 */
export function lineChartSvg(c) {
  const w = c.width ?? 560;
  const h = c.height ?? 260;
  const perRow = w < 420 ? 2 : 3; // legend entries per line
  const legendH = 18 * Math.ceil(c.series.length / perRow);
  const svg = svgEl('svg', { xmlns: 'http://www.w3.org/2000/svg', width: w, height: h + legendH, viewBox: `0 0 ${w} ${h + legendH}`, class: 'chart-svg', role: 'img', 'aria-label': c.title });
  const txt = (x, y, s, a = {}) => svgEl('text', { x, y, 'font-family': FONT, 'font-size': 11, fill: '#4a4f57', ...a }, s);
  svg.append(svgEl('rect', { width: '100%', height: '100%', fill: '#fff' }));
  svg.append(txt(8, 15, c.title, { fill: '#15181d', 'font-size': 13, class: 'title' }));
  const xs = c.series.flatMap((s) => s.x);
  const tf = c.logY ? (v) => Math.log10(v) : (v) => v;
  const ys = c.series.flatMap((s) => s.y).filter((v) => Number.isFinite(v) && (!c.logY || v > 0)).map(tf);
  if (!xs.length || !ys.length) {
    svg.append(txt(w / 2, h / 2, t('views.chart.empty'), { 'text-anchor': 'middle' }));
    return svg;
  }
  const [xLo, xHi] = [Math.min(...xs), Math.max(...xs, Math.min(...xs) + 1)];
  let [yLo, yHi] = [Math.min(...ys), Math.max(...ys)];
  if (!c.logY) yLo = Math.min(0, yLo);
  if (yHi - yLo < 1e-12) [yLo, yHi] = [yLo - 1, yHi + 1];
  const pw = w - PAD.left - PAD.right;
  const ph = h - PAD.top - PAD.bottom;
  const X = (v) => PAD.left + ((v - xLo) / (xHi - xLo)) * pw;
  const Y = (v) => PAD.top + ph - ((tf(v) - yLo) / (yHi - yLo)) * ph;
  const axes = svgEl('g', { stroke: '#d9dce1' }); // grid and axes, under the lines
  svg.append(axes);
  for (const t of niceTicks(yLo, yHi, 4)) {
    const y = PAD.top + ph - ((t - yLo) / (yHi - yLo)) * ph;
    axes.append(svgEl('line', { x1: PAD.left, x2: w - PAD.right, y1: y, y2: y }));
    svg.append(txt(PAD.left - 4, y + 4, c.logY ? `1e${t}` : fmt(t, 3), { 'text-anchor': 'end' }));
  }
  for (const t of niceTicks(xLo, xHi, 5)) svg.append(txt(X(t), h - PAD.bottom + 14, fmt(t, 4), { 'text-anchor': 'middle' }));
  axes.append(svgEl('line', { x1: PAD.left, x2: PAD.left, y1: PAD.top, y2: PAD.top + ph, stroke: '#4a4f57' }));
  axes.append(svgEl('line', { x1: PAD.left, x2: w - PAD.right, y1: PAD.top + ph, y2: PAD.top + ph, stroke: '#4a4f57' }));
  svg.append(txt(PAD.left + pw / 2, h - 4, c.xLabel, { 'text-anchor': 'middle', class: 'x-label' }));
  svg.append(txt(12, PAD.top + ph / 2, c.yLabel, { 'text-anchor': 'middle', transform: `rotate(-90 12 ${PAD.top + ph / 2})`, class: 'y-label' }));
  c.series.forEach((s, i) => {
    const colour = s.colour ?? SERIES_COLOURS[i % SERIES_COLOURS.length];
    const pts = s.x.map((x, j) => [x, s.y[j]]).filter(([, y]) => Number.isFinite(y) && (!c.logY || y > 0));
    const d = pts.map(([x, y], j) => `${j ? 'L' : 'M'}${X(x).toFixed(1)},${Y(y).toFixed(1)}`).join('');
    svg.append(svgEl('path', { d, fill: 'none', stroke: colour, 'stroke-width': 1.8, ...(s.dashed ? { 'stroke-dasharray': '5 3' } : {}) }));
    if (pts.length === 1) svg.append(svgEl('circle', { cx: X(pts[0][0]), cy: Y(pts[0][1]), r: 2.5, fill: colour }));
    const lx = 8 + (i % perRow) * ((w - 16) / perRow);
    const ly = h + 12 + 18 * Math.floor(i / perRow);
    svg.append(svgEl('line', { x1: lx, x2: lx + 16, y1: ly - 4, y2: ly - 4, stroke: colour, 'stroke-width': 2.5, ...(s.dashed ? { 'stroke-dasharray': '5 3' } : {}) }));
    svg.append(txt(lx + 20, ly, s.name, { class: 'series-name', ...(s.nameIsData ? { translate: 'no' } : {}) }));
  });
  return svg;
}
