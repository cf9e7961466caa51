// Widget "cross-attention": an encoder-decoder's alignment. The text is the source; the model
// writes its target step by step (the engine's `translate`), and the map shows, for each target
// position (down, labelled with what the decoder was fed), how much the chosen decoder layer and
// head looked at each source position (across). A trained reverser draws an anti-diagonal.

import { el } from '../../views/dom.js';
import { createHeatmap } from '../../views/heatmap.js';
import { dims, fmt } from '../../views/format.js';
import { sourceProblem } from '../../views/seq2seq.js';
import { InputError } from '../trace.js';

const MAX_HEIGHT = 420; // px, the most the map takes vertically

/** A token cell's label: padding shows as ·. */
const shown = (tok) => (tok === '' ? '·' : tok);

/**
 * @param {HTMLElement} container
 * @returns {{ update: (props: object, model: object, isStale: () => boolean) => Promise<object[]|null> }}
 */
export function createCrossAttentionWidget(container) {
  let rows = [];
  let cols = [];
  const map = createHeatmap(container, {
    title: 'Cross-attention',
    kind: 'unit',
    square: true,
    maxHeight: MAX_HEIGHT,
    rowName: 'target position',
    colName: 'source position',
    tokenAxis: null,
    describe: (r, c, v) => `target ${r} (fed '${rows[r]}'), source ${c} '${cols[c]}': ${fmt(v)}`,
  });
  const line = el('p', { className: 'tp-cross-line' });
  container.append(line);
  return {
    async update(props, model, isStale) {
      const t = model.config.block_size;
      const problem = sourceProblem(props.text, t);
      if (problem) throw new InputError(problem);
      const tr = await model.engine.translate(props.text);
      if (isStale()) return null;
      rows = tr.greedy.fed.map(shown);
      cols = tr.source.map(shown);
      map.update({ data: Float32Array.from(tr.cross[props.layer][props.head]), rows: t, cols: t, rowLabels: rows, colLabels: cols, shape: dims(t, t) });
      line.textContent = `Source “${props.text}”: written step by step “${tr.greedy.text}”, with teacher forcing “${tr.teacher.text}” (the true target is “${tr.target}”).`;
      return [];
    },
  };
}
