// FFN view: the feed-forward network of the chosen block, the hidden layer before and after
// GELU (T×4C heatmaps), and the GELU curve with the value under the cursor marked on it.

import { el, formulaBlock, liveText } from './dom.js';
import { createHeatmap, sizeCanvas, themeColours } from './heatmap.js';
import { domainFor } from './colormap.js';
import { dims, fmt } from './format.js';

const PLOT_W = 220; // px
const PLOT_H = 130; // px
const X_RANGE = 4; // the plot shows GELU on [−X_RANGE, X_RANGE]
const Y_MIN = -0.5; // lowest y drawn (GELU's minimum is about −0.17)

/** erf by Abramowitz & Stegun 7.1.26 (error < 1.5e−7), enough to draw the curve. */
function erf(x) {
  const s = Math.sign(x);
  const a = Math.abs(x);
  const t = 1 / (1 + 0.3275911 * a);
  const y = 1 - ((((1.061405429 * t - 1.453152027) * t + 1.421413741) * t - 0.284496736) * t + 0.254829592) * t * Math.exp(-a * a);
  return s * y;
}

/** GELU(x) = x·Φ(x), the exact form the model uses. */
function gelu(x) {
  return 0.5 * x * (1 + erf(x / Math.SQRT2));
}

/**
 * @param {HTMLElement} container
 * @param {{ onHighlight?: (pos: number|null) => void }} [options]
 */
export function createFfnView(container, { onHighlight = () => {} } = {}) {
  const intro = liveText('p');
  const formula = formulaBlock();
  const maps = el('div', { className: 'map-col' });
  const plot = el('canvas', { className: 'gelu-plot', attrs: { role: 'img', 'aria-label': 'the GELU curve' } });
  const plotNote = liveText('p', 'note');
  const side = el('figure', { className: 'gelu' }, el('figcaption', {}, el('span', { className: 'hm-title', text: 'GELU(z)' })), plot, plotNote.element);
  container.append(intro.element, formula.element, el('div', { className: 'ffn-layout' }, maps, side));
  let d = null;
  let point = null; // [z, GELU(z)] under the cursor of either map
  const onCursor = (r, c) => { point = [d.pre[r * d.F + c], d.act[r * d.F + c]]; drawPlot(); };
  const common = { kind: 'signed', rowName: 'token', colName: 'unit', onHighlight, onCursor, maxHeight: 300 };
  const pre = createHeatmap(maps, { ...common, title: 'H = LN₂(x)·W₁ + b₁ (before GELU)' });
  const act = createHeatmap(maps, { ...common, title: 'GELU(H)' });

  function drawPlot() {
    const { soft: ink, accent } = themeColours(side);
    const ctx = sizeCanvas(plot, PLOT_W, PLOT_H);
    const sx = (x) => ((x + X_RANGE) / (2 * X_RANGE)) * PLOT_W;
    const sy = (y) => PLOT_H - ((y - Y_MIN) / (X_RANGE - Y_MIN)) * PLOT_H;
    ctx.strokeStyle = ink;
    ctx.globalAlpha = 0.5;
    ctx.lineWidth = 1;
    ctx.beginPath();
    ctx.moveTo(0, sy(0));
    ctx.lineTo(PLOT_W, sy(0));
    ctx.moveTo(sx(0), 0);
    ctx.lineTo(sx(0), PLOT_H);
    ctx.stroke();
    ctx.globalAlpha = 1;
    ctx.fillStyle = ink;
    ctx.font = '10px ui-monospace, SFMono-Regular, Menlo, Consolas, monospace';
    ctx.textBaseline = 'top';
    ctx.textAlign = 'left';
    ctx.fillText(`z = −${X_RANGE}`, 2, sy(0) + 3);
    ctx.textAlign = 'right';
    ctx.fillText(`${X_RANGE}`, PLOT_W - 2, sy(0) + 3);
    ctx.fillText(`${X_RANGE}`, sx(0) - 3, 2);
    ctx.lineWidth = 2;
    ctx.strokeStyle = accent;
    ctx.beginPath();
    for (let px = 0; px <= PLOT_W; px += 2) {
      const x = (px / PLOT_W) * 2 * X_RANGE - X_RANGE;
      if (px === 0) ctx.moveTo(px, sy(gelu(x)));
      else ctx.lineTo(px, sy(gelu(x)));
    }
    ctx.stroke();
    if (point) {
      const [z, g] = point;
      ctx.fillStyle = ink;
      ctx.beginPath();
      ctx.arc(sx(Math.max(-X_RANGE, Math.min(X_RANGE, z))), sy(Math.max(Y_MIN, Math.min(X_RANGE, g))), 4, 0, 2 * Math.PI);
      ctx.fill();
      plotNote.set(`Under the cursor: z = ${fmt(z)} → GELU(z) = ${fmt(g)}.`);
    } else {
      plotNote.set('Positive z pass almost unchanged; negative z are squashed towards 0. Point at a cell to see it on the curve.');
    }
  }

  return {
    /** @param {{ labels: string[], T: number, C: number, F: number, layer: number, pre: Float32Array, act: Float32Array }} data */
    update(data) {
      d = data;
      const { labels, T, C, F, layer } = d;
      const mlp = 2 * C * F + F + C;
      const attn = 4 * C * C + 4 * C;
      intro.set(
        `After attention has mixed information between tokens, layer ${layer} processes each token on its own with a small ` +
          `two-layer network (the MLP): it widens the C = ${C} numbers to 4C = ${F}, applies GELU, and projects back to ${C}. ` +
          `Nothing moves between tokens here. It holds ${mlp.toLocaleString('en')} of the layer's weights, twice the ` +
          `${attn.toLocaleString('en')} of attention. Compare the maps: negative (blue) cells fade after GELU.`,
      );
      formula.set(
        `H = LN₂(x)·W₁ + b₁   : ${dims('T', 'C')}·${dims('C', '4C')} = ${dims('T', '4C')} → ${dims(T, C)}·${dims(C, F)} = ${dims(T, F)}`,
        `GELU(z) = z·Φ(z)   (Φ: the standard normal cumulative distribution), element by element`,
        `F = GELU(H)·W₂ + b₂   : ${dims('T', '4C')}·${dims('4C', 'C')} = ${dims('T', 'C')} → ${dims(T, F)}·${dims(F, C)} = ${dims(T, C)};   x ← x + F`,
      );
      const m = { rows: T, cols: F, rowLabels: labels, shape: `${dims(T, F)}, width 4C = ${F}`, domain: domainFor('signed', [d.pre, d.act]) };
      pre.update({ ...m, data: d.pre });
      act.update({ ...m, data: d.act });
      point = null;
      drawPlot();
    },
    highlight(pos) {
      pre.highlight(pos);
      act.highlight(pos);
    },
  };
}
