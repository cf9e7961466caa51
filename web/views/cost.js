// Cost view: what this model costs for the current text, per part: parameters, the FLOPs of
// a forward pass and of a training step, and the memory of the T×T attention maps; and a plot
// of forward FLOPs against the sequence length, where the attention term bends the line.

import { el, formulaBlock, liveText } from './dom.js';
import { scrollBox } from './scroll-box.js';
import { exportButtons } from './export.js';
import { chartWidth, lineChartSvg } from './chart.js';
import { fmt } from './format.js';

/** 12345678 → "12.3 M". */
export function si(x) {
  for (const [v, s] of [[1e12, 'T'], [1e9, 'G'], [1e6, 'M'], [1e3, 'k']]) if (x >= v) return `${fmt(x / v, 3)} ${s}`;
  return fmt(x, 4);
}

/** @param {HTMLElement} container */
export function createCostView(container) {
  const intro = liveText('p', 'view-intro');
  const formula = formulaBlock();
  const table = el('table', { className: 'cost-table' });
  const summary = liveText('p', 'callout');
  const plot = el('div', { className: 'chart-plot' });
  let chart = null;
  const figure = el(
    'figure',
    { className: 'plot' },
    el('figcaption', {}, el('span', { className: 'hm-title', text: 'forward FLOPs vs sequence length' }), exportButtons(() => chart, () => 'cost-vs-length')),
    plot,
  );
  container.append(intro.element, formula.element, scrollBox(table, 'the cost table'), summary.element, figure);

  return {
    /** The chart element shown (for tests and export). */
    svg: () => chart,
    /**
     * @param {{ cost: object, curve: { t: number, total: number, quadratic: number }[], L: number, NH: number, C: number, V: number }} d
     *   cost: playground_core::cost::Cost for the current T and B = 1
     */
    update(d) {
      const c = d.cost;
      intro.set(
        'What the model costs for your text. Matmuls dominate: a product of [m×k] and [k×n] costs 2·m·n·k floating-point operations. ' +
          'A training step runs the forward pass and a backward pass that costs about twice as much. Attention is the only part that grows with T².',
      );
      formula.set(
        `forward ≈ 2·T·(params without embeddings) + 2·T·C·V (head) + L·4·T²·C (scores, mix)`,
        `training step ≈ 3 × forward   ·   attention maps: L·NH·T² = ${d.L}·${d.NH}·${c.t}² floats`,
      );
      const head = el('tr', {}, ...['part', 'parameters', 'forward FLOPs', 'training-step FLOPs', 'formula'].map((s) => el('th', { text: s })));
      const rows = c.parts.map((p) => el('tr', {}, el('td', { text: p.part }), ...[p.params, p.forward_flops, p.train_flops].map((v) => el('td', { className: 'num', text: si(v) })), el('td', { className: 'formula-cell', text: p.formula })));
      const total = el('tr', { className: 'total' }, el('td', { text: 'total' }), ...[c.params, c.forward_flops, c.train_flops].map((v) => el('td', { className: 'num', text: si(v) })), el('td', {}));
      table.replaceChildren(el('caption', { text: `For your text: T = ${c.t} tokens, one sequence (B = 1)` }), head, ...rows, total);
      summary.set(
        `Attention maps for T = ${c.t}: ${si(c.attention_map_bytes)}B (4 bytes per weight). ` +
          `The T² part is ${fmt((100 * c.quadratic_flops) / Math.max(1, c.forward_flops), 3)}% of the forward FLOPs now; doubling T doubles the rest and quadruples the T² part.`,
      );
      const t = d.curve.map((p) => p.t);
      chart = lineChartSvg({
        width: chartWidth(plot),
        title: `Forward FLOPs, L = ${d.L}, C = ${d.C}, V = ${d.V}`,
        xLabel: 'sequence length T (tokens)',
        yLabel: 'FLOPs',
        series: [
          { name: 'total', x: t, y: d.curve.map((p) => p.total) },
          { name: 'linear in T', x: t, y: d.curve.map((p) => p.total - p.quadratic), dashed: true },
          { name: 'attention T² term', x: t, y: d.curve.map((p) => p.quadratic) },
        ],
      });
      plot.replaceChildren(chart);
    },
  };
}
