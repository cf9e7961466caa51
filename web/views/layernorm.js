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
        `after ${d.rms ? 'RMSNorm' : 'LayerNorm'}, mean ${fixed(s1.mean, 4)} and standard deviation ${fixed(s1.std, 4)}. ` +
        (d.rms
          ? 'RMSNorm does not subtract the mean: with γ = 1 the root mean square of the row becomes 1; the mean is rescaled with it, not removed.'
          : 'With γ = 1 and β = 0 these would be 0 and 1 exactly (up to ε); learned γ and β move them.'),
    );
  }

  return {
    /**
     * @param {{ labels: string[], T: number, C: number, layer: number, input: Float32Array, output: Float32Array,
     *   arch?: { norm: string, post: boolean } }} data
     */
    update(data) {
      const arch = data.arch ?? { norm: 'layer_norm', post: false };
      d = { ...data, rms: arch.norm === 'rms_norm' };
      const { T, C, layer, labels } = d;
      const name = d.rms ? 'RMSNorm' : 'LayerNorm';
      const where = arch.post
        ? `In this post-norm model (the original Transformer's order) layer ${layer} normalizes after attention: its first ${name} ` +
          `takes x + attention(x), the stream with attention's output added. `
        : `Layer ${layer} (one transformer block) begins with ${name}. `;
      const what = d.rms
        ? `It works on each token on its own: it divides that token's C = ${C} numbers (one row) by their root mean square, then ` +
          `multiplies by a learned scale γ; unlike LayerNorm it neither subtracts the mean nor adds a shift, which saves work and ` +
          `(LLaMA found) costs nothing in quality. `
        : `It works on each token on its own: it takes that token's C = ${C} numbers (one row), subtracts their mean and divides ` +
          `by their standard deviation, then multiplies by a learned scale γ and adds a learned shift β. `;
      intro.set(
        where + what + `It normalizes along C, across one row, never down a column across tokens. ` +
          `This keeps the numbers at a steady size however deep the model is (note the two colour scales).`,
      );
      const xName = arch.post ? `x + attention(x) of layer ${layer}` : layer === 0 ? 'X₀' : `output of layer ${layer - 1}`;
      formula.set(
        d.rms
          ? `RMSNorm(x) = γ ⊙ x / √(mean(x²) + ε)      mean over one row's C = ${C} values`
          : `LN(x) = γ ⊙ (x − μ) / √(σ² + ε) + β      μ, σ² = mean and variance of one row's C = ${C} values`,
        `x = ${xName}   : ${dims('T', 'C')} → ${dims('T', 'C')} = ${dims(T, C)}`,
      );
      const m = { rows: T, cols: C, rowLabels: labels, shape: dims(T, C) };
      before.update({ ...m, data: d.input, title: arch.post ? 'x + attention(x)' : 'layer input x' });
      after.update({ ...m, data: d.output, title: d.rms ? 'RMSNorm₁(x)' : 'LN₁(x)' });
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
