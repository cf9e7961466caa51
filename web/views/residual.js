// Residual stream view: the length of each token's vector after every step that adds to it
// (embeddings, then each block's attention and MLP), as a stages × tokens heatmap.

import { formulaBlock, liveText } from './dom.js';
import { createHeatmap } from './heatmap.js';
import { fmt } from './format.js';

/**
 * @param {HTMLElement} container
 * @param {{ onHighlight?: (pos: number|null) => void }} [options]
 */
export function createResidualView(container, { onHighlight = () => {} } = {}) {
  const intro = liveText('p');
  const formula = formulaBlock();
  container.append(intro.element, formula.element);
  const map = createHeatmap(container, {
    title: '‖x‖ per token and stage',
    kind: 'positive',
    rowName: 'stage',
    colName: 'token',
    tokenAxis: 'col',
    onHighlight,
    describe: (r, c, v) => `${stages[r]}, token ${c} '${labels[c]}': ‖x‖ = ${fmt(v)}`,
  });
  const summary = liveText('p', 'callout');
  container.append(summary.element);
  let stages = [];
  let labels = [];

  return {
    /** @param {{ labels: string[], T: number, C: number, stages: string[], norms: Float32Array }} d norms is stages × T */
    update(d) {
      ({ stages, labels } = d);
      const { T, C, norms } = d;
      intro.set(
        `The residual stream is each token's running vector of C = ${C} numbers. It starts as the embedding X₀, and every ` +
          `attention and every MLP adds its output to it (x ← x + …) instead of replacing it, so each step can refine what ` +
          `is already there. Below, the length of that vector for every token after every step.`,
      );
      formula.set(`‖x‖ = √(x₁² + x₂² + … + x_C²)   over the C = ${C} channels of one token`, stages.join('  →  '));
      map.update({ data: norms, rows: stages.length, cols: T, rowLabels: stages, colLabels: labels, shape: `[${stages.length} stages × ${T} tokens]` });
      const last = T - 1;
      const first = norms[last];
      const end = norms[(stages.length - 1) * T + last];
      summary.set(`The last token '${labels[last]}': ‖x‖ goes from ${fmt(first, 3)} after the embeddings to ${fmt(end, 3)} at the end of the last layer.`);
    },
    highlight(pos) {
      map.highlight(pos);
    },
  };
}
