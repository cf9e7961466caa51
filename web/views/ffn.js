// FFN view: the feed-forward network of the chosen block, the hidden layer before and after
// its activation (T×H heatmaps: GELU or ReLU of H = 4C units, or SwiGLU's gate and gated
// output), and the activation's curve with the value under the cursor marked on it.

import { el, formulaBlock, liveText } from './dom.js';
import { createHeatmap } from './heatmap.js';
import { drawSoon, faintLines, sizeCanvas, strokePath, themeColours } from './canvas.js';
import { domainFor } from './colormap.js';
import { count, dims, fmt } from './format.js';

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

/** The activations by ModelConfig's name: what the curve draws, and how the view names them. */
const ACTIVATIONS = {
  gelu: { name: 'GELU', curve: 'GELU(z)', fn: gelu, how: 'GELU(z) = z·Φ(z)   (Φ: the standard normal cumulative distribution), element by element' },
  relu: { name: 'ReLU', curve: 'ReLU(z)', fn: (x) => Math.max(0, x), how: 'ReLU(z) = max(0, z), element by element (the original Transformer)' },
  swi_glu: {
    name: 'SwiGLU', curve: 'SiLU(g) = g·σ(g)', fn: (x) => x / (1 + Math.exp(-x)),
    how: 'SwiGLU: G = x·W_gate + b, U = x·W_up + b (c_fc holds both), out = SiLU(G) ⊙ U, SiLU(g) = g·σ(g) (LLaMA)',
  },
};

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
  const curveTitle = el('span', { className: 'hm-title', text: 'GELU(z)' });
  const side = el('figure', { className: 'gelu' }, el('figcaption', {}, curveTitle), plot, plotNote.element);
  container.append(intro.element, formula.element, el('div', { className: 'ffn-layout' }, maps, side));
  let d = null;
  let point = null; // [z, GELU(z)] under the cursor of either map
  let act = ACTIVATIONS.gelu;
  const onCursor = (r, c) => { const z = d.pre[r * d.F + c]; point = [z, act.fn(z)]; drawPlot(); };
  const common = { kind: 'signed', rowName: 'token', colName: 'unit', onHighlight, onCursor, maxHeight: 300 };
  const pre = createHeatmap(maps, { ...common, title: 'H = LN₂(x)·W₁ + b₁ (before GELU)' });
  const after = createHeatmap(maps, { ...common, title: 'GELU(H)' });

  function drawPlot() {
    const { soft: ink, accent } = themeColours(side);
    const ctx = sizeCanvas(plot, PLOT_W, PLOT_H);
    const sx = (x) => ((x + X_RANGE) / (2 * X_RANGE)) * PLOT_W;
    const sy = (y) => PLOT_H - ((y - Y_MIN) / (X_RANGE - Y_MIN)) * PLOT_H;
    faintLines(ctx, ink, [[0, sy(0), PLOT_W, sy(0)], [sx(0), 0, sx(0), PLOT_H]]);
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
    const curve = [];
    for (let px = 0; px <= PLOT_W; px += 2) curve.push([px, sy(act.fn((px / PLOT_W) * 2 * X_RANGE - X_RANGE))]);
    strokePath(ctx, curve);
    if (point) {
      const [z, g] = point;
      ctx.fillStyle = ink;
      ctx.beginPath();
      ctx.arc(sx(Math.max(-X_RANGE, Math.min(X_RANGE, z))), sy(Math.max(Y_MIN, Math.min(X_RANGE, g))), 4, 0, 2 * Math.PI);
      ctx.fill();
      plotNote.set(`Under the cursor: z = ${fmt(z)} → ${act.curve.split(' =')[0].replace('g', 'z')} = ${fmt(g)}.`);
    } else {
      plotNote.set(
        d?.ffn === 'relu'
          ? 'Positive z pass unchanged; negative z become exactly 0. Point at a cell to see it on the curve.'
          : 'Positive z pass almost unchanged; negative z are squashed towards 0. Point at a cell to see it on the curve.',
      );
    }
  }

  return {
    /**
     * @param {{ labels: string[], T: number, C: number, F: number, layer: number, pre: Float32Array, act: Float32Array,
     *   ffn?: string, post?: boolean }} data  SwiGLU: pre is the gate (T×H), act the gated output
     */
    update(data) {
      d = data;
      const { labels, T, C, F, layer } = d;
      act = ACTIVATIONS[d.ffn ?? 'gelu'] ?? ACTIVATIONS.gelu;
      const glu = d.ffn === 'swi_glu';
      const width = glu ? 'H' : '4C';
      const mlp = (glu ? 3 * C * F + 2 * F : 2 * C * F + F) + C;
      const attn = 4 * C * C + 4 * C;
      curveTitle.textContent = act.curve;
      intro.set(
        `After attention has mixed information between tokens, layer ${layer} processes each token on its own with a small ` +
          (glu
            ? `gated network (SwiGLU): two projections widen the C = ${C} numbers to H = ${F} each, a gate G and a value U; ` +
              `SiLU(G) decides how much of each unit of U passes, and a third projection brings H back to ${C}. ` +
              `H ≈ 8C/3 keeps its three matrices as large as GPT-2's two. `
            : `two-layer network (the MLP): it widens the C = ${C} numbers to 4C = ${F}, applies ${act.name}, and projects back to ${C}. `) +
          `Nothing moves between tokens here. It holds ${count(mlp)} of the layer's weights, about twice the ` +
          `${count(attn)} of attention.` +
          (glu ? '' : ` Compare the maps: negative (blue) cells fade after ${act.name}.`),
      );
      const x = d.post ? 'x' : d.norm === 'rms_norm' ? 'RMSNorm₂(x)' : 'LN₂(x)';
      formula.set(
        `${glu ? 'G' : 'H'} = ${x}·W₁ + b₁   : ${dims('T', 'C')}·${dims('C', width)} = ${dims('T', width)} → ${dims(T, C)}·${dims(C, F)} = ${dims(T, F)}`,
        act.how,
        `F = ${glu ? '(SiLU(G) ⊙ U)' : `${act.name}(H)`}·W₂ + b₂   : ${dims('T', width)}·${dims(width, 'C')} = ${dims('T', 'C')} → ${dims(T, F)}·${dims(F, C)} = ${dims(T, C)};   ` +
          (d.post ? 'x ← norm(x + F)' : 'x ← x + F'),
      );
      const m = { rows: T, cols: F, rowLabels: labels, shape: `${dims(T, F)}, width ${width} = ${F}`, domain: domainFor('signed', [d.pre, d.act]) };
      pre.update({ ...m, data: d.pre, title: glu ? 'gate G = x·W_gate + b' : `H = ${x}·W₁ + b₁ (before ${act.name})` });
      after.update({ ...m, data: d.act, title: glu ? 'SiLU(G) ⊙ U' : `${act.name}(H)` });
      point = null;
      drawSoon(drawPlot);
    },
    highlight(pos) {
      pre.highlight(pos);
      after.highlight(pos);
    },
  };
}
