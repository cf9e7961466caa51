// Cost view: what this model costs for the current text, per part: parameters, the FLOPs of
// a forward pass and of a training step, and the memory of the T×T attention maps; and a plot
// of forward FLOPs against the sequence length, where the attention term bends the line.

import { el, formulaBlock, liveText } from './dom.js';
import { scrollBox } from './scroll-box.js';
import { exportButtons } from './export.js';
import { chartWidth, lineChartSvg } from './chart.js';
import { fmt } from './format.js';
import { t } from '../i18n/i18n.js';

/** The engine's part names (playground_core::cost), as messages; another name is shown as the engine gives it. */
const PARTS = {
  'classifier at [CLS]': 'views.cost.part.classifier', // i18n-exempt: the engine's name, matched
  'output head (tied to wte)': 'views.cost.part.headTied', // i18n-exempt: the engine's name, matched
  'output head (its own matrix)': 'views.cost.part.headOwn', // i18n-exempt: the engine's name, matched
  embeddings: 'views.cost.part.embeddings',
  'attention Q, K, V': 'views.cost.part.qkv', // i18n-exempt: the engine's name, matched
  'attention scores and mix': 'views.cost.part.scores', // i18n-exempt: the engine's name, matched
  'attention output': 'views.cost.part.attnOut', // i18n-exempt: the engine's name, matched
  'feed-forward': 'views.cost.part.ffn',
  'layer norms': 'views.cost.part.norms', // i18n-exempt: the engine's name, matched
};
const partName = (part) => (PARTS[part] ? t(PARTS[part]) : part);
/** The engine's formulas that have words in them, as messages; the others are notation, shown as the engine gives them. */
const FORMULAS = {
  'wte V·C (the positions are computed, not learned)': 'views.cost.formula.embeddingsComputed', // i18n-exempt: the engine's text, matched
  'L·(2H·C + C·H + biases), H ≈ 8C/3; 2·BT·C·2H + 2·BT·H·C per layer': 'views.cost.formula.swiGlu', // i18n-exempt: the engine's text, matched
  'L·(4C·C + 4C + 4C·C + C); 2·2·BT·C·4C per layer': 'views.cost.formula.mlp', // i18n-exempt: the engine's text, matched
  'L·(3C·C + 3C); 2·BT·C·3C per layer': 'views.cost.formula.qkv', // i18n-exempt: the engine's text, matched
  '2 · (2·T·T·HS) · NH per sequence and layer': 'views.cost.formula.scores', // i18n-exempt: the engine's text, matched
  'L·(C·C + C); 2·BT·C·C per layer': 'views.cost.formula.attnOut', // i18n-exempt: the engine's text, matched
  '(2L + 1)·2C (RMSNorm: no biases, half)': 'views.cost.formula.norms', // i18n-exempt: the engine's text, matched
};
/** A part's formula cell: in words where the engine's formula has some, else its notation as data. */
const formulaCell = (formula) => el('td', { className: 'formula-cell', text: FORMULAS[formula] ? t(FORMULAS[formula]) : formula, attrs: FORMULAS[formula] ? { dir: 'ltr' } : { translate: 'no', dir: 'ltr' } });

/** 12345678 → "12.3 M". */
export function si(x) {
  for (const [v, s] of [[1e12, 'T'], [1e9, 'G'], [1e6, 'M'], [1e3, 'k']]) if (x >= v) return `${fmt(x / v, 3)} ${s}`; // 12.3 M: an SI prefix, not a word
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
    el('figcaption', {}, el('span', { className: 'hm-title', text: t('views.cost.plotTitle') }), exportButtons(() => chart, () => 'cost-vs-length')),
    plot,
  );
  container.append(intro.element, formula.element, scrollBox(table, t('views.cost.tableLabel')), summary.element, figure);

  return {
    /** The chart element shown (for tests and export). */
    svg: () => chart,
    /**
     * @param {{ cost: object, curve: { t: number, total: number, quadratic: number }[], L: number, NH: number, C: number, V: number }} d
     *   cost: playground_core::cost::Cost for the current T and B = 1
     */
    update(d) {
      const c = d.cost;
      intro.set(t('views.cost.intro'));
      formula.set(t('views.cost.formulaForward'), t('views.cost.formulaTraining', { L: d.L, NH: d.NH, T: c.t }));
      const head = el('tr', {}, ...['views.cost.column.part', 'views.cost.column.params', 'views.cost.column.forward', 'views.cost.column.training', 'views.cost.column.formula'].map((key) => el('th', { text: t(key) })));
      const rows = c.parts.map((p) => el('tr', {}, el('td', { text: partName(p.part) }), ...[p.params, p.forward_flops, p.train_flops].map((v) => el('td', { className: 'num', text: si(v) })), formulaCell(p.formula)));
      const total = el('tr', { className: 'total' }, el('td', { text: t('views.cost.total') }), ...[c.params, c.forward_flops, c.train_flops].map((v) => el('td', { className: 'num', text: si(v) })), el('td', {}));
      table.replaceChildren(el('caption', { text: t('views.cost.caption', { T: c.t }) }), head, ...rows, total);
      summary.set(t('views.cost.summary', { T: c.t, bytes: si(c.attention_map_bytes), share: fmt((100 * c.quadratic_flops) / Math.max(1, c.forward_flops), 3) }));
      const ts = d.curve.map((p) => p.t);
      chart = lineChartSvg({
        width: chartWidth(plot),
        title: t('views.cost.chartTitle', { L: d.L, C: d.C, V: d.V }),
        xLabel: t('views.cost.xLabel'),
        yLabel: t('views.cost.yLabel'),
        series: [
          { name: t('views.cost.total'), x: ts, y: d.curve.map((p) => p.total) },
          { name: t('views.cost.linear'), x: ts, y: d.curve.map((p) => p.total - p.quadratic), dashed: true },
          { name: t('views.cost.quadratic'), x: ts, y: d.curve.map((p) => p.quadratic) },
        ],
      });
      plot.replaceChildren(chart);
    },
  };
}
