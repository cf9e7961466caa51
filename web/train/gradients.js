// The Train page's look inside a step: the gradient flowing back through every op of one
// block, next to the forward values of the same shape; the gradient norm of each parameter
// tensor over the run; and the size of AdamW's last update relative to the weights.

import { el } from '../views/dom.js';
import { scrollBox } from '../views/scroll-box.js';
import { fmt, tokenLabel } from '../views/format.js';
import { createHeatmap } from '../views/heatmap.js';
import { exportButtons } from '../views/export.js';
import { chartWidth, lineChartSvg } from '../views/chart.js';

/** [forward key suffix, what it is, the gradient's formula]; `h` is replaced by the head. */
const OPS = [
  ['ln1', 'LN₁(x)', 'dLN₁ = dQKV · W_QKV'],
  ['head{h}.q', 'Q', 'dQ = dS · K / √HS'],
  ['head{h}.k', 'K', 'dK = dSᵀ · Q / √HS'],
  ['head{h}.v', 'V', 'dV = Aᵀ · dO'],
  ['head{h}.scores', 'S = Q·Kᵀ/√HS', 'dS = A ⊙ (dA − rowsum(A ⊙ dA))'],
  ['head{h}.att', 'A = softmax(S)', 'dA = dO · Vᵀ'],
  ['head{h}.out', 'O = A·V', 'dO = d(concat) for this head'],
  ['res1', 'x + attn', 'd(x + attn) = dx_out + dLN₂ path'],
  ['ln2', 'LN₂(x)', 'dLN₂ = dpre · W_fc'],
  ['ffn.pre', 'pre = LN₂·W_fc', 'dpre = GELU′(pre) ⊙ dact'],
  ['ffn.act', 'act = GELU(pre)', 'dact = dx_out · W_projᵀ'],
  ['residual', 'block output', 'dL/d(block output), from the layers above'],
];
/** Weight matrices whose gradient norms are charted, summed over layers: [label, name test]. */
const GROUPS = [
  ['wte', (n) => n === 'transformer.wte.weight'],
  ['wpe', (n) => n === 'transformer.wpe.weight'],
  ['attn c_attn', (n) => n.endsWith('attn.c_attn.weight')],
  ['attn c_proj', (n) => n.endsWith('attn.c_proj.weight')],
  ['mlp c_fc', (n) => n.endsWith('mlp.c_fc.weight')],
  ['mlp c_proj', (n) => n.endsWith('mlp.c_proj.weight')],
  ['LayerNorms', (n) => /ln_\w+\.(weight|bias)$/.test(n)],
];

/**
 * @param {HTMLElement} container
 * @param {{ trace: (layer: number) => Promise<object> }} options trace: the trainer's backwardTrace
 */
export function createGradientsPanel(container, { trace }) {
  const layerSel = el('select', { attrs: { 'aria-label': 'layer' } });
  const headSel = el('select', { attrs: { 'aria-label': 'head' } });
  const button = el('button', { text: 'Show the gradients of the next step', attrs: { type: 'button' } });
  const status = el('p', { className: 'hint', attrs: { 'aria-live': 'polite' } });
  const maps = el('div', { className: 'grad-pairs' });
  const normsPlot = el('div', { className: 'chart-plot' });
  const ratioTable = el('table', { className: 'grad-table' });
  let normsChart = null;
  container.append(
    el('p', { className: 'hint', text: 'Backpropagation runs the forward pass backwards: each op turns the gradient of its output into the gradient of its inputs (chain rule). Pause, pick a block, and see both side by side: left what the op computed, right dL/d(that value), the same shape, the same colour scale (blue negative, orange positive).' }),
    el('div', { className: 'grad-controls' }, el('label', {}, 'Block ', layerSel), el('label', {}, 'Head ', headSel), button),
    status,
    maps,
    el('h3', { className: 'card-subtitle', text: 'Gradient norms over the run' }),
    el('p', { className: 'hint', text: '‖g‖ of each kind of weight (all blocks together), at every evaluation. A line falling towards 0 is a vanishing gradient; one shooting up is exploding (clipping caps the total at 1).' }),
    el('figure', { className: 'plot' }, el('figcaption', {}, el('span', { className: 'hm-title', text: 'gradient norms' }), exportButtons(() => normsChart, () => 'gradient-norms')), normsPlot),
    el('h3', { className: 'card-subtitle', text: 'AdamW update size, last evaluated step' }),
    el('p', { className: 'hint', text: '‖Δw‖/‖w‖ per tensor: how far the step moved the weights, relative to their size. Around 1e-3 is a common rule of thumb; much larger and training is unstable, much smaller and it is slow.' }),
    scrollBox(ratioTable, 'the update size table'),
  );
  let config = null;
  let pairs = [];

  function fill(select, n) {
    if (select.options.length !== n) select.replaceChildren(...Array.from({ length: n }, (_, i) => new Option(String(i), String(i))));
  }

  async function show() {
    const l = Number(layerSel.value);
    const h = Number(headSel.value);
    button.disabled = true;
    status.textContent = 'Computing…';
    try {
      const r = await trace(l);
      const labels = Array.from(r.tokens, (id) => tokenLabel(config.vocab[id]));
      status.textContent =
        `Batch row 0 of the next training step (loss ${fmt(r.loss, 4)} over the batch), block ${l}, head ${h}. ` +
        'Computed by the CPU reference with the engine’s current weights and batch: its parameter gradients equal the engine’s (tested).';
      maps.replaceChildren();
      pairs = OPS.map(([suffix, what, grad]) => {
        const key = `block${l}.${suffix.replace('{h}', h)}`;
        const f = r.trace[key];
        const g = r.trace[`grad.${key}`];
        const square = suffix.endsWith('att') || suffix.endsWith('scores');
        const row = el('div', { className: 'grad-pair' });
        maps.append(el('h4', { text: `${what}   ←   ${grad}` }), row);
        const fwd = createHeatmap(row, { title: key, kind: suffix.endsWith('att') ? 'unit' : 'signed', square, narrow: true, colName: square ? 'key' : 'channel', rowName: square ? 'query' : 'token' });
        const bwd = createHeatmap(row, { title: `grad.${key}`, kind: 'signed', square, narrow: true, colName: square ? 'key' : 'channel', rowName: square ? 'query' : 'token' });
        const [rows, cols] = f.shape;
        const colLabels = square ? labels : null;
        fwd.update({ data: f.data, rows, cols, rowLabels: labels, colLabels, causal: square, shape: `[${f.shape.join('×')}]` });
        bwd.update({ data: g.data, rows, cols, rowLabels: labels, colLabels, causal: square, shape: `[${g.shape.join('×')}]` });
        return { key, fwd, bwd };
      });
    } catch (err) {
      status.textContent = `The gradients could not be computed: ${err.message ?? err}`;
    } finally {
      button.disabled = false;
    }
  }
  button.addEventListener('click', show);

  return {
    /** The heatmap pairs shown (for tests). */
    pairs: () => pairs,
    normsSvg: () => normsChart,
    /**
     * @param {{ config: object|null, vocab: string[]|null, canTrace: boolean, grads: { names: string[]|null, steps: number[], norms: number[][], ratios: number[][] }|null }} d
     */
    update(d) {
      button.disabled = !d.canTrace;
      if (!d.config) return;
      config = { ...d.config, vocab: d.vocab };
      fill(layerSel, d.config.n_layer);
      fill(headSel, d.config.n_head);
      const g = d.grads;
      if (!g || !g.names || !g.steps.length) {
        normsPlot.replaceChildren(el('p', { className: 'hint', text: 'Gradient norms appear at the first evaluation.' }));
        ratioTable.replaceChildren();
        normsChart = null;
        return;
      }
      const series = GROUPS.map(([name, test]) => {
        const idx = g.names.flatMap((n, i) => (test(n) ? [i] : []));
        return { name, x: g.steps, y: g.norms.map((row) => Math.sqrt(idx.reduce((s, i) => s + row[i] * row[i], 0))) };
      });
      normsChart = lineChartSvg({ width: chartWidth(normsPlot), title: '‖gradient‖ per kind of weight', xLabel: 'step', yLabel: '‖g‖ (log scale)', logY: true, series });
      normsPlot.replaceChildren(normsChart);
      const last = g.steps.length - 1;
      const head = el('tr', {}, ...['tensor', '‖g‖', '‖Δw‖/‖w‖'].map((s) => el('th', { text: s })));
      const rows = g.names.map((n, i) =>
        el('tr', {}, el('td', { text: n.replace('transformer.', '') }), el('td', { className: 'num', text: fmt(g.norms[last][i], 3) }), el('td', { className: 'num', text: fmt(g.ratios[last][i], 3) })),
      );
      ratioTable.replaceChildren(el('caption', { text: `Step ${g.steps[last].toLocaleString('en')}` }), head, ...rows);
    },
  };
}
