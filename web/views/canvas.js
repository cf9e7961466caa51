// Canvas helpers shared by the views' drawings: the theme's colours, a canvas sized for the
// screen's pixel density, the hatching of masked cells, a matrix painted one pixel per cell,
// the small maps of the layer × head picker, and redrawing when the width or theme changes.

import { colourTable, domainFor, isDark } from './colormap.js';
import { backgroundTask } from './tasks.js';

const HATCH = 6; // px, period of the hatching that marks masked cells

/**
 * Colours the canvas needs from the page's theme (with defaults outside it), read once per theme.
 * The page sets its theme on :root and it is read there: the style of an element inside the views'
 * size containers is known only after a layout, which on the first draw was a forced layout of the
 * whole page (80–160 ms). A widget's theme is set inside its shadow root, and read at `node`.
 */
const themeCache = new Map(); // dark? → colours
export function themeColours(node) {
  const dark = isDark();
  if (!themeCache.has(dark)) {
    const css = getComputedStyle(node.getRootNode() === document ? document.documentElement : node);
    const pick = (name, light, darkValue) => css.getPropertyValue(name).trim() || (dark ? darkValue : light);
    themeCache.set(dark, {
      dark,
      label: pick('--ink-soft', '#4a4f57', '#b9bec7'),
      soft: pick('--ink-soft', '#4a4f57', '#b9bec7'),
      maskBg: pick('--mask-bg', '#e4e6ea', '#23262c'),
      maskFg: pick('--mask-fg', '#9aa0a8', '#5b616b'),
      group: pick('--ink', '#15181d', '#e8eaee'),
      ink: pick('--ink', '#15181d', '#e8eaee'),
      accent: pick('--accent', '#c2570c', '#f59e52'),
      line: pick('--line', '#d9dce1', '#2d323b'),
      ui: pick('--ui', '#2456a6', '#7aa7ff'),
    });
  }
  return themeCache.get(dark);
}

/** A repeating diagonal hatch: the look of "masked" everywhere on the page. */
export function maskPattern(ctx, colours) {
  const tile = document.createElement('canvas');
  tile.width = tile.height = HATCH;
  const g = tile.getContext('2d');
  g.fillStyle = colours.maskBg;
  g.fillRect(0, 0, HATCH, HATCH);
  g.strokeStyle = colours.maskFg;
  g.lineWidth = 1;
  g.beginPath();
  g.moveTo(-1, HATCH + 1);
  g.lineTo(HATCH + 1, -1);
  g.stroke();
  return ctx.createPattern(tile, 'repeat');
}

/**
 * Paints `data` (rows×cols, row-major) into `off`, one pixel per cell, with the colours of
 * `table`; with `causal`, cells above the diagonal stay transparent so the mask hatching shows.
 */
export function paintCells(off, data, rows, cols, table, causal) {
  off.width = cols;
  off.height = rows;
  const img = new ImageData(cols, rows);
  const px = img.data;
  const { rgb, index } = table;
  for (let r = 0; r < rows; r++) {
    const end = causal ? Math.min(cols, r + 1) : cols;
    for (let c = 0; c < end; c++) {
      const p = 4 * (r * cols + c);
      const i = 3 * index(data[r * cols + c]);
      px[p] = rgb[i];
      px[p + 1] = rgb[i + 1];
      px[p + 2] = rgb[i + 2];
      px[p + 3] = 255;
    }
  }
  off.getContext('2d').putImageData(img, 0, 0);
}

/**
 * Sizes a canvas for `w`×`h` CSS pixels at the screen's pixel density (only when that changed:
 * resizing reallocates it) and returns its cleared context, in CSS pixels.
 */
export function sizeCanvas(canvas, w, h) {
  const dpr = window.devicePixelRatio || 1;
  const width = Math.max(1, Math.round(w * dpr));
  const height = Math.max(1, Math.round(h * dpr));
  if (canvas.width !== width || canvas.height !== height) {
    canvas.width = width;
    canvas.height = height;
    canvas.style.width = `${w}px`;
    canvas.style.height = `${h}px`;
  }
  const ctx = canvas.getContext('2d');
  ctx.setTransform(1, 0, 0, 1, 0, 0);
  ctx.clearRect(0, 0, width, height);
  ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
  return ctx;
}

/**
 * Draws a small square map with no labels (the layer × head picker).
 * @param {HTMLCanvasElement} canvas
 * @param {{ data: Float32Array, rows: number, cols: number, kind: 'unit'|'positive'|'signed', causal?: boolean, size: number }} m
 */
export function drawMiniMap(canvas, { data, rows, cols, kind, causal = false, size }) {
  const colours = themeColours(canvas);
  const ctx = sizeCanvas(canvas, size, size);
  const off = document.createElement('canvas');
  paintCells(off, data, rows, cols, colourTable(domainFor(kind, [data]), colours.dark), causal);
  if (causal) {
    ctx.fillStyle = maskPattern(ctx, colours);
    ctx.fillRect(0, 0, size, size);
  }
  ctx.imageSmoothingEnabled = false;
  ctx.drawImage(off, 0, 0, size, size);
}

/**
 * Calls `draw(width)` with the element's content width (whole px) whenever it changes, and again
 * when the colour scheme changes (the theme's colours are read while drawing).
 * @param {HTMLElement} element
 * @param {(width: number) => void} draw
 */
export function watchWidth(element, draw) {
  let width = 0;
  new ResizeObserver((entries) => {
    const w = Math.floor(entries[entries.length - 1].contentRect.width);
    if (w !== width) {
      width = w;
      draw(width);
    }
  }).observe(element);
  window.matchMedia?.('(prefers-color-scheme: dark)').addEventListener('change', () => draw(width)); // i18n-exempt: a media query
}

/** Faint lines on a small plot (its axes): each [x0, y0, x1, y1], in `colour` at half opacity. */
export function faintLines(ctx, colour, lines) {
  ctx.strokeStyle = colour;
  ctx.globalAlpha = 0.5;
  ctx.lineWidth = 1;
  ctx.beginPath();
  for (const [x0, y0, x1, y1] of lines) {
    ctx.moveTo(x0, y0);
    ctx.lineTo(x1, y1);
  }
  ctx.stroke();
  ctx.globalAlpha = 1;
}

/** A line through `points` ([x, y] in px), stroked with the context's current style. */
export function strokePath(ctx, points) {
  ctx.beginPath();
  points.forEach(([x, y], i) => (i === 0 ? ctx.moveTo(x, y) : ctx.lineTo(x, y)));
  ctx.stroke();
}

const NEAR = '50% 0px'; // a canvas within half a screen of the viewport counts as in sight
const pending = new Set(); // drawings waiting for the next animation frame
const outOfSight = new WeakSet(); // canvases an IntersectionObserver reported beyond NEAR (a removed one is not kept)
const later = new Map(); // drawing → its canvas, out of sight: drawn one per background task
let sight = null; // the IntersectionObserver, made on first use
let draining = false;

/** Watches `canvas`; until the observer first reports it, it counts as in sight. */
function watchSight(canvas) {
  sight ??= new IntersectionObserver((entries) => {
    for (const e of entries) {
      if (e.isIntersecting) outOfSight.delete(e.target);
      else outOfSight.add(e.target);
    }
    for (const [draw, canvas] of later) { // scrolled into sight before its turn: drawn with the next frame
      if (outOfSight.has(canvas)) continue;
      later.delete(draw);
      drawSoon(draw, canvas);
    }
  }, { rootMargin: NEAR });
  sight.observe(canvas); // observing a canvas again does nothing
}

/** The next drawing out of sight, in a task of its own, then the one after it. */
function drainLater() {
  const next = later.entries().next();
  if (next.done) {
    draining = false;
    return;
  }
  const [draw] = next.value;
  later.delete(draw);
  draw();
  backgroundTask(drainLater);
}

/**
 * Runs `draw` before the next frame is painted, once however often it was asked for, together
 * with every drawing asked for meanwhile. A canvas's font is resolved against the page's style,
 * so drawing labels right after another view changed the page recomputed the page's style, once
 * per map (31 ms of a keystroke's 67 ms of drawing at T = 64, measured); drawn together after
 * every view has changed, the style is computed once. A `canvas` out of sight (more than half a
 * screen away) is drawn after the frame instead, one canvas per background task: Explore's
 * dozen heatmaps drawn in one frame made each keystroke a task of 60–120 ms on the 2-core build
 * machine (docs/RELIABILITY.md).
 * @param {() => void} draw
 * @param {HTMLCanvasElement} canvas what `draw` paints
 */
export function drawSoon(draw, canvas) {
  watchSight(canvas);
  if (outOfSight.has(canvas)) {
    later.set(draw, canvas);
    if (!draining) {
      draining = true;
      backgroundTask(drainLater);
    }
    return;
  }
  later.delete(draw);
  if (pending.size === 0) {
    requestAnimationFrame(() => {
      const draws = [...pending];
      pending.clear();
      for (const d of draws) d();
    });
  }
  pending.add(draw);
}

/** Whether a drawing waits (for the next frame, or out of sight for a background task). */
export function drawsWaiting() {
  return pending.size > 0 || later.size > 0;
}

/**
 * Every drawing still waiting (for the next frame, or out of sight for a background task), now.
 * A canvas's size follows its data (a heatmap's rows are the tokens), so a jump draws them before
 * it measures where a section lies: one drawn after would move the sections below it.
 */
export function drawWaiting() {
  const draws = [...pending, ...later.keys()];
  pending.clear();
  later.clear();
  for (const d of draws) d();
}
