// LayerNorm view: the input of the chosen block and its first LayerNorm, with the mean and
// standard deviation of one token's row before and after, to show which axis is normalized.

import { el, formulaBlock, liveText } from './dom.js';
import { createHeatmap } from './heatmap.js';
import { dims, fixed } from './format.js';

/** Mean and (population) standard deviation of row `r` of a rows×cols matrix. */
function rowStats(data, cols, r) {
  let sum = 0;
  for (let c = 0; c < cols; c++) sum += data[r * cols + c];
  const mean = sum / cols;
  let sq = 0;
  for (let c = 0; c < cols; c++) sq += (data[r * cols + c] - mean) ** 2;
  return { mean, std: Math.sqrt(sq / cols) };
}

/**
 * @param {HTMLElement} container
 * @param {{ onHighlight?: (pos: number|null) => void }} [options]
 */
export function createLayerNormView(container, { onHighlight = () => {} } = {}) {
  const intro = liveText('p');
  const formula = formulaBlock();
  const stats = liveText('p', 'callout');
  const row = el('div', { className: 'eq-row' });
  const a = el('div', { className: 'eq-term' });
  const b = el('div', { className: 'eq-term' });
  row.append(a, el('span', { className: 'eq-op', text: '→' }), b);
  container.append(intro.element, formula.element, row, stats.element);
  const common = { kind: 'signed', rowName: 'token', colName: 'channel', onHighlight };
  const before = createHeatmap(a, { ...common, title: 'layer input x' });
  const after = createHeatmap(b, { ...common, title: 'LN₁(x)' });
  let d = null;
  let focus = null;

  function showStats() {
    if (!d) return;
    const r = focus ?? d.T - 1;
    const s0 = rowStats(d.input, d.C, r);
    const s1 = rowStats(d.output, d.C, r);
    stats.set(
      `Token ${r} '${d.labels[r]}' (outlined row${focus === null ? ', the last one; point at another' : ''}): ` +
        `its ${d.C} input values have mean ${fixed(s0.mean, 4)} and standard deviation ${fixed(s0.std, 4)}; ` +
        `after LayerNorm, mean ${fixed(s1.mean, 4)} and standard deviation ${fixed(s1.std, 4)}. ` +
        `With γ = 1 and β = 0 these would be 0 and 1 exactly (up to ε); learned γ and β move them.`,
    );
  }

  return {
    /** @param {{ labels: string[], T: number, C: number, layer: number, input: Float32Array, output: Float32Array }} data */
    update(data) {
      d = data;
      const { T, C, layer, labels } = d;
      intro.set(
        `Layer ${layer} (one transformer block) begins with LayerNorm. It works on each token on its own: it takes that token's C = ${C} numbers ` +
          `(one row), subtracts their mean and divides by their standard deviation, then multiplies by a learned scale γ ` +
          `and adds a learned shift β. It normalizes along C, across one row, never down a column across tokens. ` +
          `This keeps the numbers at a steady size however deep the model is (note the two colour scales).`,
      );
      formula.set(
        `LN(x) = γ ⊙ (x − μ) / √(σ² + ε) + β      μ, σ² = mean and variance of one row's C = ${C} values`,
        `x${layer === 0 ? ' = X₀' : ` = output of layer ${layer - 1}`}   : ${dims('T', 'C')} → ${dims('T', 'C')} = ${dims(T, C)}`,
      );
      const m = { rows: T, cols: C, rowLabels: labels, shape: dims(T, C) };
      before.update({ ...m, data: d.input });
      after.update({ ...m, data: d.output });
      if (focus !== null && focus >= T) focus = null;
      before.highlight(focus ?? T - 1);
      after.highlight(focus ?? T - 1);
      showStats();
    },
    highlight(pos) {
      focus = pos;
      if (!d) return;
      before.highlight(pos ?? d.T - 1);
      after.highlight(pos ?? d.T - 1);
      showStats();
    },
  };
}
