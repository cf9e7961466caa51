// The Train page's look inside a step: the gradient flowing back through every op of one
// block, next to the forward values of the same shape; the gradient norm of each parameter
// tensor over the run; and the size of AdamW's last update relative to the weights.

import { el } from '../views/dom.js';
import { scrollBox } from '../views/scroll-box.js';
import { fmt, tokenLabel } from '../views/format.js';
import { createHeatmap } from '../views/heatmap.js';
import { exportButtons } from '../views/export.js';
import { chartWidth, lineChartSvg } from '../views/chart.js';
import { backwardKeys, gradKey } from '../trace-data.js';
import { t } from '../i18n/i18n.js';

/** Words in place of a formula: the catalog's message `key`. */
const words = (key) => ({ key });
/** [the value's role (trace-data.js backwardKeys), what it is, the gradient's formula]: math, shown as it is, or words. */
const OPS = [
  ['ln1', 'LN₁(x)', 'dLN₁ = dQKV · W_QKV'],
  ['q', 'Q', 'dQ = dS · K / √HS'],
  ['k', 'K', 'dK = dSᵀ · Q / √HS'],
  ['v', 'V', 'dV = Aᵀ · dO'],
  ['scores', 'S = Q·Kᵀ/√HS', 'dS = A ⊙ (dA − rowsum(A ⊙ dA))'],
  ['att', 'A = softmax(S)', 'dA = dO · Vᵀ'],
  ['out', 'O = A·V', words('train.grad.out.grad')],
  ['res1', 'x + attn', words('train.grad.res1.grad')],
  ['ln2', 'LN₂(x)', 'dLN₂ = dpre · W_fc'],
  ['pre', 'pre = LN₂·W_fc', 'dpre = GELU′(pre) ⊙ dact'],
  ['act', 'act = GELU(pre)', 'dact = dx_out · W_projᵀ'],
  ['residual', words('train.grad.residual.what'), words('train.grad.residual.grad')],
];

/** A formula as it is (math, not words: translate="no"), or the catalog's words. */
const formula = (f) => (f.key ? el('span', { text: t(f.key) }) : el('span', { text: f, attrs: { translate: 'no', dir: 'ltr' } }));

/** Weight matrices whose gradient norms are charted, summed over layers: [label (their tensors' names: data), name test]. */
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
  const layerSel = el('select', { attrs: { 'aria-label': t('train.grad.layerLabel') } });
  const headSel = el('select', { attrs: { 'aria-label': t('train.grad.headLabel') } });
  const button = el('button', { text: t('train.grad.show'), attrs: { type: 'button' } });
  const status = el('p', { className: 'hint', attrs: { 'aria-live': 'polite' } });
  const maps = el('div', { className: 'grad-pairs' });
  const normsPlot = el('div', { className: 'chart-plot' });
  const ratioTable = el('table', { className: 'grad-table' });
  let normsChart = null;
  container.append(
    el('p', { className: 'hint', text: t('train.grad.intro') }),
    el('div', { className: 'grad-controls' }, el('label', {}, t('train.grad.block'), ' ', layerSel), el('label', {}, t('train.grad.head'), ' ', headSel), button),
    status,
    maps,
    el('h3', { className: 'card-subtitle', text: t('train.grad.normsTitle') }),
    el('p', { className: 'hint', text: t('train.grad.normsIntro') }),
    el('figure', { className: 'plot' }, el('figcaption', {}, el('span', { className: 'hm-title', text: t('train.grad.normsCaption') }), exportButtons(() => normsChart, () => 'gradient-norms')), normsPlot),
    el('h3', { className: 'card-subtitle', text: t('train.grad.updateTitle') }),
    el('p', { className: 'hint', text: t('train.grad.updateIntro') }),
    scrollBox(ratioTable, t('train.grad.tableLabel')),
  );
  normsPlot.dir = 'ltr'; // a chart's axes read left to right in every language
  let config = null;
  let model = null; // { config, steps }: the engine's, for the trace keys (trace-data.js)
  let pairs = [];

  function fill(select, n) {
    if (select.options.length !== n) select.replaceChildren(...Array.from({ length: n }, (_, i) => new Option(String(i), String(i))));
  }

  async function show() {
    const l = Number(layerSel.value);
    const h = Number(headSel.value);
    button.disabled = true;
    status.textContent = t('train.grad.computing');
    try {
      const r = await trace(l);
      const labels = Array.from(r.tokens, (id) => tokenLabel(config.vocab[id]));
      status.textContent = t('train.grad.status', { loss: fmt(r.loss, 4), block: l, head: h });
      maps.replaceChildren();
      const keys = backwardKeys(model, l, h);
      pairs = OPS.map(([role, what, grad]) => {
        const key = keys[role];
        const f = r.trace[key];
        const g = r.trace[gradKey(key)];
        const square = role === 'att' || role === 'scores';
        const row = el('div', { className: 'grad-pair' });
        maps.append(el('h4', {}, formula(what), '   ←   ', formula(grad)), row);
        const fwd = createHeatmap(row, { title: key, kind: role === 'att' ? 'unit' : 'signed', square, narrow: true, colName: square ? 'key' : 'channel', rowName: square ? 'query' : 'token' });
        const bwd = createHeatmap(row, { title: gradKey(key), kind: 'signed', square, narrow: true, colName: square ? 'key' : 'channel', rowName: square ? 'query' : 'token' });
        const [rows, cols] = f.shape;
        const colLabels = square ? labels : null;
        fwd.update({ data: f.data, rows, cols, rowLabels: labels, colLabels, causal: square, shape: `[${f.shape.join('×')}]` });
        bwd.update({ data: g.data, rows, cols, rowLabels: labels, colLabels, causal: square, shape: `[${g.shape.join('×')}]` });
        return { key, fwd, bwd };
      });
    } catch (err) {
      status.textContent = t('train.grad.failed', { detail: err.message ?? err });
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
     * @param {{ config: object|null, steps: object|null, vocab: string[]|null, canTrace: boolean,
     *   grads: { names: string[]|null, steps: number[], norms: number[][], ratios: number[][] }|null }} d
     *   config, steps: the engine's (its trace keys, trace-data.js)
     */
    update(d) {
      button.disabled = !d.canTrace;
      if (!d.config) return;
      config = { ...d.config, vocab: d.vocab };
      model = { config: d.config, steps: d.steps };
      fill(layerSel, d.config.n_layer);
      fill(headSel, d.config.n_head);
      const g = d.grads;
      if (!g || !g.names || !g.steps.length) {
        normsPlot.replaceChildren(el('p', { className: 'hint', text: t('train.grad.normsBefore') }));
        ratioTable.replaceChildren();
        normsChart = null;
        return;
      }
      const series = GROUPS.map(([name, test]) => {
        const idx = g.names.flatMap((n, i) => (test(n) ? [i] : []));
        return { name, nameIsData: true, x: g.steps, y: g.norms.map((row) => Math.sqrt(idx.reduce((s, i) => s + row[i] * row[i], 0))) };
      });
      normsChart = lineChartSvg({ width: chartWidth(normsPlot), title: t('train.grad.chartTitle'), xLabel: t('train.chart.step'), yLabel: t('train.grad.chartY'), logY: true, series });
      normsPlot.replaceChildren(normsChart);
      const last = g.steps.length - 1;
      const head = el('tr', {}, el('th', { text: t('train.grad.tensor') }), ...['‖g‖', '‖Δw‖/‖w‖'].map((s) => el('th', { text: s, attrs: { translate: 'no' } })));
      const rows = g.names.map((n, i) =>
        el('tr', {}, el('td', { text: n.replace('transformer.', ''), attrs: { translate: 'no' } }), el('td', { className: 'num', text: fmt(g.norms[last][i], 3) }), el('td', { className: 'num', text: fmt(g.ratios[last][i], 3) })),
      );
      ratioTable.replaceChildren(el('caption', { text: t('train.grad.tableCaption', { step: g.steps[last] }) }), head, ...rows);

    },
  };
}
