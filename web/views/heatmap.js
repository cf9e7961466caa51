// A heatmap of one matrix on <canvas>: one cell per entry, sharp on high-density screens, with
// token labels, a legend with numbers, an optional causal-mask overlay, and values that can be
// read by pointing, tapping or with the keyboard (focus the map, move with the arrow keys); the
// readout under the map says what is under the cursor, so no information is hover-only.

import { el } from './dom.js';
import { colourTable, domainFor } from './colormap.js';
import { drawSoon, maskPattern, paintCells, sizeCanvas, themeColours, watchWidth } from './canvas.js';
import { fmt } from './format.js';
import { t } from '../i18n/i18n.js';
import { exportButtons, fileStem, heatmapSvg } from './export.js';

const CELL_MAX = 24; // px, the largest cell side
const ROW_MAX = 16; // px, the largest row height of a map whose cells need not be square
const LABEL_MIN = 10; // px, rows (columns) at least this tall (wide) get text labels
const LABEL_GAP = 4; // px between labels and cells
const TOP_LABELS = 14; // px, height of the column-label strip
const LABEL_FONT = '11px ui-monospace, SFMono-Regular, Menlo, Consolas, monospace'; // i18n-exempt: a font
const RAMP_WIDTH = 120; // px, the legend's colour ramp
const RAMP_WIDTH_NARROW = 56; // px, the ramp under a map with few columns
const RAMP_HEIGHT = 10; // px
const PAGE_STEP = 8; // cells moved by PageUp/PageDown

/** Fills the legend's ramp canvas, `w` px wide, with the scale of `domain` (unless it shows that already). */
function drawRamp(canvas, w, domain, dark) {
  const key = `${domain}|${dark}|${w}|${window.devicePixelRatio}`;
  if (canvas.dataset.scale === key) return;
  canvas.dataset.scale = key;
  const ctx = sizeCanvas(canvas, w, RAMP_HEIGHT);
  const { rgb, index } = colourTable(domain, dark);
  for (let x = 0; x < w; x++) {
    const i = 3 * index(domain[0] + ((x + 0.5) / w) * (domain[1] - domain[0]));
    ctx.fillStyle = `rgb(${rgb[i]},${rgb[i + 1]},${rgb[i + 2]})`;
    ctx.fillRect(x, 0, 1, RAMP_HEIGHT);
  }
}

/** The axis names views give (rowName, colName), as messages; another name is shown as given. */
const AXES = {
  token: 'views.heatmap.axis.token',
  query: 'views.heatmap.axis.query',
  key: 'views.heatmap.axis.key',
  channel: 'views.heatmap.axis.channel',
  dim: 'views.heatmap.axis.dim',
  unit: 'views.heatmap.axis.unit',
  position: 'views.heatmap.axis.position',
  stage: 'views.heatmap.axis.stage',
  'after block': 'views.heatmap.axis.afterBlock', // i18n-exempt: a name views pass, not shown
  'target position': 'views.heatmap.axis.target', // i18n-exempt: a name views pass, not shown
  'source position': 'views.heatmap.axis.source', // i18n-exempt: a name views pass, not shown
};

const labelWidths = new Map(); // label → px in LABEL_FONT, measured once per distinct label (a keystroke redraws every map)

/** px of the widest of `labels` in LABEL_FONT, plus the gap before the cells. */
function labelsWidth(ctx, labels) {
  let widest = 0;
  for (const s of labels) {
    if (!labelWidths.has(s)) {
      ctx.font = LABEL_FONT;
      labelWidths.set(s, ctx.measureText(s).width);
    }
    widest = Math.max(widest, labelWidths.get(s));
  }
  return widest + LABEL_GAP;
}

/**
 * Creates a heatmap inside `parent`.
 * @param {HTMLElement} parent
 * @param {object} options
 * @param {string} options.title caption, e.g. "Q" (words in the page's language)
 * @param {boolean} [options.mathTitle] the title is notation ("X = LN₁(x)"), not words: kept out of translation
 * @param {'unit'|'positive'|'signed'} [options.kind] colour scale: weights in [0, 1], values ≥ 0, or signed
 * @param {boolean} [options.square] cells are square (T×T maps); otherwise rows are at most ROW_MAX tall
 * @param {boolean} [options.narrow] a map with few columns: it may take less width in a row of maps
 * @param {number} [options.maxHeight] px, the most the cells may take vertically
 * @param {string} [options.rowName] what a row is, for the readout ("token", "query": one of AXES, or words in the page's language)
 * @param {string} [options.colName] what a column is ("channel", "key")
 * @param {'row'|'col'|null} [options.tokenAxis] which axis runs over token positions (for highlighting)
 * @param {(pos: number|null) => void} [options.onHighlight] the cursor moved to a token position (null: left)
 * @param {(r: number, c: number) => void} [options.onCursor] the cursor moved to cell (r, c)
 * @param {(r: number, c: number, v: number, masked: boolean) => string} [options.describe] custom readout text
 * @returns {{ element: HTMLElement, update: (m: object) => void, highlight: (pos: number|null) => void, cursor: () => ({r: number, c: number}|null) }}
 */
export function createHeatmap(parent, options) {
  const {
    title,
    mathTitle = false,
    kind = 'signed',
    square = false,
    narrow = false,
    maxHeight = 360,
    rowName = 'token',
    colName = 'channel',
    tokenAxis = 'row',
    onHighlight = () => {},
    onCursor = () => {},
    describe = null,
  } = options;

  const titleEl = el('span', { className: 'hm-title', text: title, attrs: mathTitle ? { translate: 'no' } : {} });
  const shapeEl = el('span', { className: 'hm-shape' });
  const canvas = el('canvas', { className: 'hm-canvas', attrs: { tabindex: '0', role: 'img', 'aria-label': t('views.heatmap.label', { title }) } });
  const ramp = el('canvas', { className: 'hm-ramp', attrs: { 'aria-hidden': 'true' } });
  const lo = el('span');
  const hi = el('span');
  const masked = el('span', { className: 'hm-masked', text: t('views.heatmap.masked') });
  masked.hidden = true;
  const readout = el('output', { className: 'hm-readout', attrs: { 'aria-live': 'polite' } });
  const idleText = t(narrow ? 'views.heatmap.idleNarrow' : 'views.heatmap.idle');
  readout.textContent = idleText;
  const svg = () => (m ? heatmapSvg({ ...m, title: titleEl.textContent, shape: shapeEl.textContent, domain }) : null);
  const element = el(
    'figure',
    { className: narrow ? 'hm hm-narrow' : 'hm' },
    el('figcaption', {}, titleEl, ' ', shapeEl, exportButtons(svg, () => fileStem(titleEl.textContent))),
    el('div', { className: 'hm-scroll', attrs: { dir: 'ltr' } }, canvas),
    el('div', { className: 'hm-legend', attrs: { dir: 'ltr' } }, lo, ramp, hi, masked),
    readout,
  );
  parent.append(element);

  const off = document.createElement('canvas');
  let m = null; // the matrix shown: { data, rows, cols, rowLabels, colLabels, causal, colGroups }
  let domain = [0, 1];
  let geo = null; // { x0, y0, cw, ch }
  let cursor = null; // { r, c }
  let showCursor = false;
  let highlighted = null; // token position highlighted from elsewhere
  let paintedDark = null;
  let width = 0; // px, the figure's content width, from the ResizeObserver (never read while drawing)

  function geometry(width) {
    const ctx = canvas.getContext('2d');
    const labelWidth = (labels) => labelsWidth(ctx, labels);
    let cw;
    let ch;
    let x0 = 0;
    if (square) {
      cw = Math.min(CELL_MAX, maxHeight / m.rows, width / m.cols);
      if (m.rowLabels && cw >= LABEL_MIN) {
        x0 = labelWidth(m.rowLabels);
        cw = Math.min(cw, (width - x0) / m.cols);
        if (cw < LABEL_MIN) x0 = 0;
      }
      ch = cw;
    } else {
      ch = Math.min(ROW_MAX, maxHeight / m.rows);
      if (m.rowLabels && ch >= LABEL_MIN) x0 = labelWidth(m.rowLabels);
      cw = Math.min(CELL_MAX, (width - x0) / m.cols);
    }
    const y0 = m.colLabels && cw >= LABEL_MIN ? TOP_LABELS : 0;
    return { x0, y0, cw, ch, w: x0 + cw * m.cols, h: y0 + ch * m.rows };
  }

  function draw() {
    if (!m || width === 0) return;
    const colours = themeColours(element);
    if (paintedDark !== colours.dark) {
      paintCells(off, m.data, m.rows, m.cols, colourTable(domain, colours.dark), m.causal);
      drawRamp(ramp, narrow ? RAMP_WIDTH_NARROW : RAMP_WIDTH, domain, colours.dark);
      paintedDark = colours.dark;
    }
    geo = geometry(width);
    const { x0, y0, cw, ch } = geo;
    const ctx = sizeCanvas(canvas, Math.ceil(geo.w), Math.ceil(geo.h));
    ctx.font = LABEL_FONT;
    ctx.fillStyle = colours.label;
    if (x0 > 0) {
      ctx.textAlign = 'right';
      ctx.textBaseline = 'middle';
      m.rowLabels.forEach((s, r) => ctx.fillText(s, x0 - LABEL_GAP, y0 + (r + 0.5) * ch));
    }
    if (y0 > 0) {
      ctx.textAlign = 'center';
      ctx.textBaseline = 'bottom';
      m.colLabels.forEach((s, c) => ctx.fillText(s, x0 + (c + 0.5) * cw, y0 - 2));
    }
    if (m.causal) {
      ctx.fillStyle = maskPattern(ctx, colours);
      for (let r = 0; r < m.rows && r + 1 < m.cols; r++) ctx.fillRect(x0 + (r + 1) * cw, y0 + r * ch, (m.cols - r - 1) * cw, ch);
    }
    ctx.imageSmoothingEnabled = false;
    ctx.drawImage(off, x0, y0, cw * m.cols, ch * m.rows);
    if (m.colGroups) drawGroups(ctx, colours);
    if (highlighted !== null) {
      if (tokenAxis === 'row' && highlighted < m.rows) outline(ctx, x0, y0 + highlighted * ch, cw * m.cols, ch);
      if (tokenAxis === 'col' && highlighted < m.cols) outline(ctx, x0 + highlighted * cw, y0, cw, ch * m.rows);
    }
    if (showCursor && cursor) outline(ctx, x0 + cursor.c * cw, y0 + cursor.r * ch, cw, ch);
  }

  /** Head boundaries inside a concatenation; the selected head's columns outlined. */
  function drawGroups(ctx, colours) {
    const { x0, y0, cw, ch } = geo;
    const { size, selected } = m.colGroups;
    ctx.strokeStyle = colours.group;
    ctx.lineWidth = 1;
    for (let c = size; c < m.cols; c += size) {
      ctx.beginPath();
      ctx.moveTo(x0 + c * cw, y0);
      ctx.lineTo(x0 + c * cw, y0 + ch * m.rows);
      ctx.stroke();
    }
    if (selected !== null) outline(ctx, x0 + selected * size * cw, y0, size * cw, ch * m.rows);
  }

  /** A rectangle visible on any cell colour: a dark line with a light line inside. */
  function outline(ctx, x, y, w, h) {
    ctx.lineWidth = 3;
    ctx.strokeStyle = 'rgba(0,0,0,0.85)';
    ctx.strokeRect(x + 0.5, y + 0.5, w - 1, h - 1);
    ctx.lineWidth = 1.25;
    ctx.strokeStyle = '#fff';
    ctx.strokeRect(x + 0.5, y + 0.5, w - 1, h - 1);
  }

  function readoutText(r, c) {
    const v = m.data[r * m.cols + c];
    const isMasked = Boolean(m.causal && c > r);
    if (describe) return describe(r, c, v, isMasked);
    const name = (axis, labels, i) => {
      const words = AXES[axis] ? t(AXES[axis]) : axis;
      return labels ? t('views.heatmap.cellLabelled', { axis: words, i, label: labels[i] }) : t('views.heatmap.cell', { axis: words, i });
    };
    const where = t('views.heatmap.where', { row: name(rowName, m.rowLabels, r), col: name(colName, m.colLabels, c) });
    return isMasked ? t('views.heatmap.readoutMasked', { where }) : t('views.heatmap.readout', { where, value: fmt(v) });
  }

  function moveCursor(r, c) {
    if (!m) return;
    r = Math.max(0, Math.min(m.rows - 1, r));
    c = Math.max(0, Math.min(m.cols - 1, c));
    const changed = !cursor || cursor.r !== r || cursor.c !== c;
    cursor = { r, c };
    showCursor = true;
    readout.textContent = readoutText(r, c);
    draw();
    if (changed) {
      onCursor(r, c);
      if (tokenAxis) onHighlight(tokenAxis === 'row' ? r : c);
    }
  }

  function cellAt(event) {
    if (!m || !geo) return null;
    const box = canvas.getBoundingClientRect();
    const c = Math.floor((event.clientX - box.left - geo.x0) / geo.cw);
    const r = Math.floor((event.clientY - box.top - geo.y0) / geo.ch);
    return r >= 0 && r < m.rows && c >= 0 && c < m.cols ? { r, c } : null;
  }

  canvas.addEventListener('pointermove', (e) => { const cell = cellAt(e); if (cell) moveCursor(cell.r, cell.c); });
  canvas.addEventListener('pointerdown', (e) => { const cell = cellAt(e); if (cell) { canvas.focus(); moveCursor(cell.r, cell.c); } });
  canvas.addEventListener('pointerleave', () => {
    if (canvas.getRootNode().activeElement === canvas) return;
    showCursor = false;
    draw();
    if (tokenAxis) onHighlight(null);
  });
  canvas.addEventListener('focus', () => {
    if (!m) return;
    const start = cursor ?? (highlighted !== null && tokenAxis === 'row' ? { r: highlighted, c: 0 } : { r: 0, c: 0 });
    moveCursor(start.r, start.c);
  });
  canvas.addEventListener('blur', () => {
    showCursor = false;
    draw();
    if (tokenAxis) onHighlight(null);
  });
  canvas.addEventListener('keydown', (e) => {
    if (!m || !cursor) return;
    const moves = {
      ArrowUp: [-1, 0], ArrowDown: [1, 0], ArrowLeft: [0, -1], ArrowRight: [0, 1],
      PageUp: [-PAGE_STEP, 0], PageDown: [PAGE_STEP, 0], Home: [0, -m.cols], End: [0, m.cols],
    };
    const d = moves[e.key];
    if (!d) return;
    e.preventDefault();
    moveCursor(cursor.r + d[0], cursor.c + d[1]);
  });

  watchWidth(element, (w) => {
    width = w;
    draw();
  });

  return {
    element,
    /**
     * Shows a matrix.
     * @param {{ data: Float32Array, rows: number, cols: number, title?: string, shape?: string, rowLabels?: string[],
     *   colLabels?: string[], domain?: [number, number], causal?: boolean,
     *   colGroups?: { size: number, selected: number|null }, mathTitle?: boolean }} matrix
     */
    update(matrix) {
      m = { rowLabels: null, colLabels: null, causal: false, colGroups: null, ...matrix };
      domain = m.domain ?? domainFor(kind, [m.data]);
      const [a, b] = domain;
      lo.textContent = fmt(a, 3);
      hi.textContent = fmt(b, 3);
      masked.hidden = !m.causal;
      shapeEl.textContent = m.shape ?? '';
      if (m.title) titleEl.textContent = m.title;
      if (m.mathTitle === true) titleEl.setAttribute('translate', 'no');
      if (m.mathTitle === false) titleEl.removeAttribute('translate');
      canvas.dataset.rows = String(m.rows);
      canvas.dataset.cols = String(m.cols);
      paintedDark = null;
      if (cursor && (cursor.r >= m.rows || cursor.c >= m.cols)) cursor = null;
      if (cursor && showCursor) readout.textContent = readoutText(cursor.r, cursor.c);
      else if (!cursor) readout.textContent = idleText;
      drawSoon(draw, canvas);
    },
    /** Outlines token position `pos` (a row or column, per `tokenAxis`); null clears it. */
    highlight(pos) {
      if (pos === highlighted) return;
      highlighted = pos;
      drawSoon(draw, canvas);
    },
    cursor: () => cursor,
    /** The map as a standalone SVG figure (what the SVG button saves). */
    svg,
  };
}

