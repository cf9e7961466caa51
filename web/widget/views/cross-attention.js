// Widget "cross-attention": an encoder-decoder's alignment. The text is the source; the model
// writes its target step by step (the engine's `translate`), and the map shows, for each target
// position (down, labelled with what the decoder was fed), how much the chosen decoder layer and
// head looked at each source position (across). A trained reverser draws an anti-diagonal.

import { el } from '../../views/dom.js';
import { t } from '../../i18n/i18n.js';
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
    title: t('widget.cross.title'),
    kind: 'unit',
    square: true,
    maxHeight: MAX_HEIGHT,
    rowName: t('widget.cross.rowName'),
    colName: t('widget.cross.colName'),
    tokenAxis: null,
    describe: (r, c, v) => t('widget.cross.describe', { r, c, row: rows[r], col: cols[c], value: fmt(v) }),
  });
  const line = el('p', { className: 'tp-cross-line' });
  container.append(line);
  return {
    async update(props, model, isStale) {
      const T = model.config.block_size;
      const problem = sourceProblem(props.text, T);
      if (problem) throw new InputError(problem);
      const tr = await model.engine.translate(props.text);
      if (isStale()) return null;
      rows = tr.greedy.fed.map(shown);
      cols = tr.source.map(shown);
      map.update({ data: Float32Array.from(tr.cross[props.layer][props.head]), rows: T, cols: T, rowLabels: rows, colLabels: cols, shape: dims(T, T) });
      line.textContent = t('widget.cross.line', { source: props.text, greedy: tr.greedy.text, teacher: tr.teacher.text, target: tr.target });
      return [];
    },
  };
}
