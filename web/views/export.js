// Figure export: every heatmap and chart on the page can be saved as SVG (vector, for a paper)
// or PNG (for a post), with its title, shape, axis labels and colour legend. Figures are built
// as SVG elements from data (never from markup strings, so text a user typed stays text), on a
// white background with the light colour scale, whatever the page's theme; PNG is that SVG
// drawn at 2× onto a canvas.

import { el } from './dom.js';
import { colourTable } from './colormap.js';
import { fmt } from './format.js';
import { t } from '../i18n/i18n.js';

const NS = 'http://www.w3.org/2000/svg';
const FONT = 'ui-monospace, SFMono-Regular, Menlo, Consolas, monospace'; // i18n-exempt: a font list
const INK = '#15181d';
const SOFT = '#4a4f57';
const MASK = '#e4e6ea';
const CELL = 18; // px, a cell's side in the exported heatmap (at most)
const MAX_SIDE = 720; // px, the cells' block fits in this
const RAMP = 160; // px, the legend's ramp
const PNG_SCALE = 2;

/**
 * Creates an SVG element.
 * @param {string} tag
 * @param {Record<string, string|number>} [attrs]
 * @param {...(Node|string|null)} children strings become text nodes
 */
export function svgEl(tag, attrs = {}, ...children) {
  const node = document.createElementNS(NS, tag);
  for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, String(v));
  for (const c of children) if (c !== null && c !== undefined) node.append(c);
  return node;
}

function text(x, y, s, attrs = {}) {
  return svgEl('text', { x, y, 'font-family': FONT, 'font-size': 11, fill: SOFT, ...attrs }, s);
}

/** A horizontal colour ramp for `domain` with its two end values, at (x, y). */
export function legendSvg(x, y, domain, { masked = false } = {}) {
  const { rgb, index } = colourTable(domain, false);
  const g = svgEl('g', { class: 'legend' });
  g.append(text(x, y + 9, fmt(domain[0], 3), { 'text-anchor': 'start' }));
  const x0 = x + 60;
  const n = 32;
  for (let i = 0; i < n; i++) {
    const j = 3 * index(domain[0] + ((i + 0.5) / n) * (domain[1] - domain[0]));
    g.append(svgEl('rect', { x: x0 + (i * RAMP) / n, y, width: RAMP / n + 0.5, height: 10, fill: `rgb(${rgb[j]},${rgb[j + 1]},${rgb[j + 2]})` }));
  }
  g.append(text(x0 + RAMP + 6, y + 9, fmt(domain[1], 3)));
  if (masked) {
    g.append(svgEl('rect', { x: x0 + RAMP + 70, y, width: 10, height: 10, fill: MASK }));
    g.append(text(x0 + RAMP + 84, y + 9, t('views.export.masked')));
  }
  return g;
}

/**
 * A heatmap as a standalone SVG: title and shape, row and column labels, cells, legend.
 * @param {{ title: string, shape?: string, data: ArrayLike<number>, rows: number, cols: number, domain: [number, number],
 *   rowLabels?: string[]|null, colLabels?: string[]|null, causal?: boolean }} m
 * @returns {SVGSVGElement}
 */
export function heatmapSvg(m) {
  const cell = Math.max(2, Math.min(CELL, MAX_SIDE / Math.max(m.rows, m.cols)));
  const labelled = cell >= 10;
  const x0 = labelled && m.rowLabels ? 12 + 7 * Math.max(...m.rowLabels.map((s) => s.length)) : 8;
  const y0 = 28 + (labelled && m.colLabels ? 16 : 0);
  const w = Math.max(x0 + cell * m.cols + 8, 360);
  const h = y0 + cell * m.rows + 36;
  const svg = svgEl('svg', { xmlns: NS, width: w, height: h, viewBox: `0 0 ${w} ${h}` });
  svg.append(svgEl('rect', { width: w, height: h, fill: '#fff' }));
  svg.append(text(8, 16, `${m.title}${m.shape ? `  ${m.shape}` : ''}`, { fill: INK, 'font-size': 13, class: 'title' }));
  const { rgb, index } = colourTable(m.domain, false);
  const cells = svgEl('g', { class: 'cells' });
  for (let r = 0; r < m.rows; r++) {
    for (let c = 0; c < m.cols; c++) {
      const masked = m.causal && c > r;
      const j = 3 * index(m.data[r * m.cols + c]);
      const fill = masked ? MASK : `rgb(${rgb[j]},${rgb[j + 1]},${rgb[j + 2]})`;
      cells.append(svgEl('rect', { x: x0 + c * cell, y: y0 + r * cell, width: cell + 0.3, height: cell + 0.3, fill }));
    }
  }
  svg.append(cells);
  if (labelled && m.rowLabels) m.rowLabels.forEach((s, r) => svg.append(text(x0 - 4, y0 + (r + 0.7) * cell, s, { 'text-anchor': 'end', class: 'row-label' })));
  if (labelled && m.colLabels) m.colLabels.forEach((s, c) => svg.append(text(x0 + (c + 0.5) * cell, y0 - 4, s, { 'text-anchor': 'middle', class: 'col-label' })));
  svg.append(legendSvg(8, y0 + cell * m.rows + 14, m.domain, { masked: Boolean(m.causal) }));
  return svg;
}

/**
 * A horizontal bar chart as a standalone SVG: title, one row per item with its label, a bar for
 * `value`, a tick for `reference` (optional) and the value in words.
 * @param {{ title: string, items: { label: string, value: number, reference?: number, text: string }[],
 *   scale: number, legend: [string, string?] }} m `scale` is the value a full bar stands for
 */
export function barsSvg(m) {
  const [rowH, labelW, barW] = [20, 70, 320];
  const width = labelW + barW + 90;
  const height = 40 + rowH * m.items.length + 24;
  const svg = svgEl('svg', { xmlns: NS, width, height, viewBox: `0 0 ${width} ${height}` });
  svg.append(svgEl('rect', { x: 0, y: 0, width, height, fill: '#ffffff' }));
  svg.append(text(8, 20, m.title, { 'font-size': 13, fill: INK, 'font-weight': 600 }));
  m.items.forEach((item, i) => {
    const y = 34 + i * rowH;
    const w = (barW * Math.min(item.value, m.scale)) / m.scale;
    svg.append(text(8, y + 13, item.label, { fill: INK }));
    svg.append(svgEl('rect', { x: labelW, y: y + 3, width: barW, height: 12, fill: MASK }));
    svg.append(svgEl('rect', { x: labelW, y: y + 3, width: w, height: 12, fill: '#3b6fb6' }));
    if (item.reference !== undefined) {
      const x = labelW + (barW * Math.min(item.reference, m.scale)) / m.scale;
      svg.append(svgEl('rect', { x: x - 1, y, width: 2, height: 18, fill: INK }));
    }
    svg.append(text(labelW + barW + 8, y + 13, item.text, { fill: INK }));
  });
  const ly = 40 + rowH * m.items.length + 8;
  svg.append(svgEl('rect', { x: 8, y: ly, width: 10, height: 10, fill: '#3b6fb6' }));
  svg.append(text(24, ly + 9, m.legend[0]));
  if (m.legend[1]) {
    svg.append(svgEl('rect', { x: 250, y: ly - 2, width: 2, height: 14, fill: INK }));
    svg.append(text(258, ly + 9, m.legend[1]));
  }
  return svg;
}

/**
 * An attention map as lines from each query (left) to the keys it reads (right), as strong as
 * the weight: the export of the attention-lines view.
 * @param {{ title: string, labels: string[], T: number, att: ArrayLike<number>, causal: boolean }} m att is T×T
 */
export function linesSvg(m) {
  const [row, labelW, gap, span] = [16, 40, 8, 220];
  const x0 = labelW + gap;
  const x1 = x0 + span;
  const width = x1 + gap + labelW;
  const top = 44;
  const height = top + m.T * row + 8;
  const y = (i) => top + (i + 0.5) * row;
  const svg = svgEl('svg', { xmlns: NS, width, height, viewBox: `0 0 ${width} ${height}` });
  svg.append(svgEl('rect', { width, height, fill: '#fff' }));
  svg.append(text(8, 16, m.title, { fill: INK, 'font-size': 13, class: 'title' }));
  svg.append(text(x0, 34, t('views.export.query'), { 'text-anchor': 'end' }), text(x1, 34, t('views.export.key')));
  const lines = svgEl('g', { class: 'lines', stroke: '#3b6fb6', 'stroke-linecap': 'round' });
  for (let i = 0; i < m.T; i++) {
    for (let j = 0; j < (m.causal ? i + 1 : m.T); j++) {
      const w = m.att[i * m.T + j];
      if (w < 0.005) continue;
      lines.append(svgEl('line', { x1: x0, y1: y(i), x2: x1, y2: y(j), 'stroke-width': (0.5 + 3 * w).toFixed(2), 'stroke-opacity': Math.min(1, w).toFixed(3) }));
    }
  }
  svg.append(lines);
  m.labels.forEach((s, i) => {
    svg.append(text(x0 - 4, y(i) + 4, s, { 'text-anchor': 'end', fill: INK, class: 'query-label' }));
    svg.append(text(x1 + 4, y(i) + 4, s, { fill: INK, class: 'key-label' }));
  });
  return svg;
}

/**
 * Token chips as a figure: each token's position, text and id, wrapped into rows.
 * @param {{ title: string, tokens: { position: number, label: string, id: number }[] }} m
 */
export function tokensSvg(m) {
  const [charW, pad, chipH, gapX, gapY, maxW] = [7, 8, 44, 6, 8, 720];
  const boxes = [];
  let [x, y] = [8, 30];
  for (const t of m.tokens) {
    const w = pad * 2 + charW * Math.max(t.label.length, String(t.id).length, String(t.position).length, 1);
    if (x + w > maxW && x > 8) [x, y] = [8, y + chipH + gapY];
    boxes.push({ t, x, y, w });
    x += w + gapX;
  }
  const width = Math.max(360, ...boxes.map((b) => b.x + b.w + 8));
  const height = y + chipH + 12;
  const svg = svgEl('svg', { xmlns: NS, width, height, viewBox: `0 0 ${width} ${height}` });
  svg.append(svgEl('rect', { width, height, fill: '#fff' }));
  svg.append(text(8, 18, m.title, { fill: INK, 'font-size': 13, class: 'title' }));
  for (const { t, x, y, w } of boxes) {
    const mid = x + w / 2;
    svg.append(svgEl('rect', { x, y, width: w, height: chipH, rx: 6, fill: '#f3f5f8', stroke: '#c9ced6' }));
    svg.append(text(mid, y + 12, String(t.position), { 'text-anchor': 'middle', 'font-size': 9, class: 'token-position' }));
    svg.append(text(mid, y + 27, t.label, { 'text-anchor': 'middle', fill: INK, 'font-size': 13, class: 'token-text' }));
    svg.append(text(mid, y + 40, String(t.id), { 'text-anchor': 'middle', 'font-size': 9, class: 'token-id' }));
  }
  return svg;
}

/** The SVG's text, ready to save. */
export function svgText(svg) {
  return `<?xml version="1.0" encoding="UTF-8"?>\n${new XMLSerializer().serializeToString(svg)}`; // i18n-exempt: the XML declaration
}

/** The SVG drawn at 2× onto a canvas, as PNG bytes. */
export async function svgToPng(svg) {
  const w = Number(svg.getAttribute('width'));
  const h = Number(svg.getAttribute('height'));
  const bytes = new TextEncoder().encode(svgText(svg));
  let bin = '';
  for (let i = 0; i < bytes.length; i += 0x8000) bin += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  const img = new Image();
  img.src = `data:image/svg+xml;base64,${btoa(bin)}`; // data: images are allowed by the page's CSP, blob: ones are not
  await img.decode();
  const canvas = document.createElement('canvas');
  canvas.width = w * PNG_SCALE;
  canvas.height = h * PNG_SCALE;
  canvas.getContext('2d').drawImage(img, 0, 0, canvas.width, canvas.height);
  const blob = await new Promise((resolve) => canvas.toBlob(resolve, 'image/png'));
  return new Uint8Array(await blob.arrayBuffer());
}

function save(bytes, name, type) {
  const url = URL.createObjectURL(new Blob([bytes], { type }));
  const a = el('a', { attrs: { href: url, download: name } });
  a.hidden = true;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 60_000); // ms: long enough for the download to start
}

/** A file name from a figure title: "block0.head1.att" → "block0-head1-att". */
export function fileStem(title) {
  return String(title).replace(/[^a-z0-9]+/gi, '-').replace(/^-|-$/g, '').toLowerCase() || 'figure';
}

/**
 * Two small buttons, "SVG" and "PNG", that save the figure `build()` returns.
 * @param {() => SVGSVGElement|null} build the figure as it is now (null: nothing to save yet)
 * @param {() => string} name the file name without extension
 */
export function exportButtons(build, name) {
  const button = (label, run) =>
    el('button', { className: 'export-button', text: label, attrs: { type: 'button', translate: 'no', 'aria-label': t('views.export.saveAs', { format: label }) }, on: { click: run } });
  return el(
    'span',
    { className: 'export' },
    button('SVG', () => {
      const svg = build();
      if (svg) save(new TextEncoder().encode(svgText(svg)), `${name()}.svg`, 'image/svg+xml');
    }),
    button('PNG', async () => {
      const svg = build();
      if (svg) save(await svgToPng(svg), `${name()}.png`, 'image/png');
    }),
  );
}
