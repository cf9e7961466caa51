// FFN view: the feed-forward network of the chosen block, the hidden layer before and after
// its activation (T×H heatmaps: GELU or ReLU of H = 4C units, or SwiGLU's gate and gated
// output), and the activation's curve with the value under the cursor marked on it.

import { el, formulaBlock, liveText } from './dom.js';
import { createHeatmap } from './heatmap.js';
import { drawSoon, faintLines, sizeCanvas, strokePath, themeColours } from './canvas.js';
import { domainFor } from './colormap.js';
import { count, dims, fmt } from './format.js';
import { t } from '../i18n/i18n.js';
import { TOY_WORDS } from './model-words.js';

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

/** The activations by ModelConfig's name: what the curve draws, and how the view names them (`how`: a message). */
const ACTIVATIONS = {
  gelu: { name: 'GELU', curve: 'GELU(z)', fn: gelu, how: 'views.ffn.how.gelu' },
  relu: { name: 'ReLU', curve: 'ReLU(z)', fn: (x) => Math.max(0, x), how: 'views.ffn.how.relu' },
  swi_glu: { name: 'SwiGLU', curve: 'SiLU(g) = g·σ(g)', fn: (x) => x / (1 + Math.exp(-x)), how: 'views.ffn.how.swiGlu' },
};

/**
 * One layer's weights in its MLP and in its attention, biases counted only where the model has
 * them: Q and the output projection are C×C, K and V C×kvWidth; the MLP two C×F matrices (three
 * for a gated one).
 */
function layerWeights({ C, F, kvWidth, glu, words }) {
  const bias = words.bias === 'yes';
  const mlp = (glu ? 3 : 2) * C * F + (bias ? (glu ? 2 * F : F) + C : 0);
  const attn = 2 * C * C + 2 * C * kvWidth + (words.qkvBias === 'yes' ? C + 2 * kvWidth : 0) + (bias ? C : 0);
  return { mlp, attn };
}

/**
 * @param {HTMLElement} container
 * @param {{ onHighlight?: (pos: number|null) => void }} [options]
 */
export function createFfnView(container, { onHighlight = () => {} } = {}) {
  const intro = liveText('p');
  const formula = formulaBlock();
  const maps = el('div', { className: 'map-col' });
  const plot = el('canvas', { className: 'gelu-plot', attrs: { role: 'img', 'aria-label': t('views.ffn.plotLabel') } });
  const plotNote = liveText('p', 'note');
  const curveTitle = el('span', { className: 'hm-title', text: 'GELU(z)', attrs: { translate: 'no' } });
  const side = el('figure', { className: 'gelu' }, el('figcaption', {}, curveTitle), plot, plotNote.element);
  container.append(intro.element, formula.element, el('div', { className: 'ffn-layout' }, maps, side));
  let d = null;
  let point = null; // [z, GELU(z)] under the cursor of either map
  let act = ACTIVATIONS.gelu;
  const onCursor = (r, c) => { const z = d.pre[r * d.F + c]; point = [z, act.fn(z)]; drawPlot(); };
  const common = { kind: 'signed', rowName: 'token', colName: 'unit', onHighlight, onCursor, maxHeight: 300 };
  const pre = createHeatmap(maps, { ...common, title: t('views.ffn.preTitle', { ...TOY_WORDS, x: 'LN₂(x)', act: 'GELU' }) });
  const after = createHeatmap(maps, { ...common, title: 'GELU(H)', mathTitle: true });

  function drawPlot() {
    const { soft: ink, accent } = themeColours(side);
    const ctx = sizeCanvas(plot, PLOT_W, PLOT_H);
    const sx = (x) => ((x + X_RANGE) / (2 * X_RANGE)) * PLOT_W;
    const sy = (y) => PLOT_H - ((y - Y_MIN) / (X_RANGE - Y_MIN)) * PLOT_H;
    faintLines(ctx, ink, [[0, sy(0), PLOT_W, sy(0)], [sx(0), 0, sx(0), PLOT_H]]);
    ctx.fillStyle = ink;
    ctx.font = '10px ui-monospace, SFMono-Regular, Menlo, Consolas, monospace'; // i18n-exempt: a font
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
      plotNote.set(t('views.ffn.cursor', { z: fmt(z), fz: act.curve.split(' =')[0].replace('g', 'z'), value: fmt(g) }));
    } else {
      plotNote.set(t(d?.ffn === 'relu' ? 'views.ffn.idleRelu' : 'views.ffn.idle'));
    }
  }

  return {
    /**
     * @param {{ labels: string[], T: number, C: number, F: number, layer: number, pre: Float32Array, act: Float32Array,
     *   ffn?: string, post?: boolean, kvWidth?: number }} data  SwiGLU: pre is the gate (T×H), act the gated output;
     *   kvWidth: the keys' and values' width (C unless queries are grouped)
     */
    update(data) {
      d = data;
      const { labels, T, C, F, layer } = d;
      act = ACTIVATIONS[d.ffn ?? 'gelu'] ?? ACTIVATIONS.gelu;
      const glu = d.ffn === 'swi_glu';
      const words = d.words ?? TOY_WORDS;
      const [b1, b2] = words.bias === 'yes' ? [' + b₁', ' + b₂'] : ['', ''];
      const width = glu ? 'H' : '4C';
      const { mlp, attn } = layerWeights({ C, F, kvWidth: d.kvWidth ?? C, glu, words });
      curveTitle.textContent = act.curve;
      intro.set(t(glu ? 'views.ffn.introGlu' : 'views.ffn.intro', { layer, C, F, act: act.name, mlp: count(mlp), attn: count(attn), ratio: Math.round((mlp / attn) * 10) / 10 }));
      const x = d.post ? 'x' : d.norm === 'rms_norm' ? 'RMSNorm₂(x)' : 'LN₂(x)';
      formula.set(
        `${glu ? 'G' : 'H'} = ${x}·W₁${b1}   : ${dims('T', 'C')}·${dims('C', width)} = ${dims('T', width)} → ${dims(T, C)}·${dims(C, F)} = ${dims(T, F)}`,
        t(act.how, words),
        `F = ${glu ? '(SiLU(G) ⊙ U)' : `${act.name}(H)`}·W₂${b2}   : ${dims('T', width)}·${dims(width, 'C')} = ${dims('T', 'C')} → ${dims(T, F)}·${dims(F, C)} = ${dims(T, C)};   ` +
          (d.post ? 'x ← norm(x + F)' : 'x ← x + F'),
      );
      const m = { rows: T, cols: F, rowLabels: labels, shape: t('views.ffn.shape', { shape: dims(T, F), width, F }), domain: domainFor('signed', [d.pre, d.act]) };
      pre.update({ ...m, data: d.pre, title: glu ? t('views.ffn.gateTitle', words) : t('views.ffn.preTitle', { ...words, x, act: act.name }) });
      after.update({ ...m, data: d.act, title: glu ? 'SiLU(G) ⊙ U' : `${act.name}(H)` });
      point = null;
      drawSoon(drawPlot, plot);
    },
    highlight(pos) {
      pre.highlight(pos);
      after.highlight(pos);
    },
  };
}
