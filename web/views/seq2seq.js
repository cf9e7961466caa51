// What an encoder-decoder (the original Transformer) makes of a source, on the Train page's
// "What it predicts" panel. The cross-attention map is the alignment: for each target position
// (down), how much the decoder looked at each source position (across); a trained reverser
// draws an anti-diagonal. The same choice shows the encoder's self-attention over the source
// and the decoder's causal self-attention over what it was fed, per layer and head. Below it, what the decoder was fed and what it predicted at each
// position, with teacher forcing (fed the true target: how it trains) and step by step (fed
// its own previous outputs: how it runs), and where the two differ. No engine here: the page
// gives it translations (the worker's `translate`) and hears of a new source through `onSource`.
// Explore shows the three maps side by side (`allMaps`) instead of one chosen at a time.

import { el, liveText, tData } from './dom.js';
import { count } from './format.js';
import { scrollBox } from './scroll-box.js';
import { createHeatmap } from './heatmap.js';
import { t } from '../i18n/i18n.js';

const LETTERS = /^[a-h]+$/;
/** The source shown first. */
export const EXAMPLE_SOURCE = 'cafe';

/**
 * Why `text` cannot be a source for a model of context `context` (null when it can).
 * @returns {string|null}
 */
export function sourceProblem(text, context) {
  const most = context - 1;
  return LETTERS.test(text) && text.length <= most ? null : t('views.seq2seq.problem', { most });
}
/** The maps `translate` returns, each T × T per layer and head: the key of its data, and its axes ('source', 'target'). */
const MAPS = {
  cross: { option: 'views.seq2seq.option.cross', title: 'views.seq2seq.title.cross', rows: 'target', cols: 'source' },
  enc_self: { option: 'views.seq2seq.option.enc_self', title: 'views.seq2seq.title.enc_self', rows: 'source', cols: 'source' },
  dec_self: { option: 'views.seq2seq.option.dec_self', title: 'views.seq2seq.title.dec_self', rows: 'target', cols: 'target', causal: true },
};
const AXIS = { source: 'source position', target: 'target position' }; // i18n-exempt: heatmap.js's names for them

/** A token cell's text: padding shows as ·, BOS and EOS as themselves. */
const shown = (tok) => (tok === '' ? '·' : tok);

/**
 * @param {HTMLElement} container
 * @param {{ onSource: (source: string) => void, allMaps?: boolean, ids?: string }} options onSource: a valid new
 *   source was typed; allMaps: every map at once, no Map select; ids: the prefix of its elements' ids
 */
export function createSeq2SeqView(container, { onSource, allMaps = false, ids = 's2s' }) {
  const source = el('input', { attrs: { id: `${ids}-source`, type: 'text', value: EXAMPLE_SOURCE, spellcheck: 'false', autocomplete: 'off', dir: 'ltr', 'aria-describedby': `${ids}-source-hint` } });
  const hint = el('span', { className: 'hint', attrs: { id: `${ids}-source-hint` } });
  const message = liveText('p', 's2s-message notice'); // i18n-exempt: class names
  const layerSel = el('select', { attrs: { id: `${ids}-layer`, 'aria-label': t('views.seq2seq.layerLabel') } });
  const headSel = el('select', { attrs: { id: `${ids}-head`, 'aria-label': t('views.seq2seq.headLabel') } });
  const mapSel = el('select', { attrs: { id: `${ids}-map`, 'aria-label': t('views.seq2seq.mapLabel') } },
    ...Object.entries(MAPS).map(([value, m]) => el('option', { attrs: { value }, text: t(m.option) })));
  const controls = el('div', { className: 's2s-controls' }, el('label', {}, t('views.seq2seq.source'), source), hint,
    ...(allMaps ? [] : [el('label', {}, t('views.seq2seq.map'), mapSel)]), el('label', {}, t('views.seq2seq.layer'), layerSel), el('label', {}, t('views.seq2seq.head'), headSel));
  const maps = el('div', { className: allMaps ? 's2s-map s2s-maps' : 's2s-map' });
  const heats = Object.fromEntries(Object.entries(MAPS).map(([key, m]) => {
    const box = el('div', { attrs: { 'data-map': key } });
    maps.append(box);
    const heat = createHeatmap(box, { title: t(m.title), kind: 'unit', square: true, maxHeight: 320, rowName: AXIS[m.rows], colName: AXIS[m.cols], tokenAxis: null });
    return [key, { box, heat }];
  }));
  const table = el('table', { className: 's2s-table', attrs: { id: `${ids}-steps`, dir: 'ltr' } });
  const summary = liveText('p', 's2s-summary');
  container.append(controls, message.element, maps, summary.element, scrollBox(table, t('views.seq2seq.tableLabel')));

  let last = null; // { step, translation } shown
  let context = 8; // the model's block_size

  function fillSelect(select, n, key) {
    if (select.options.length === n) return;
    select.replaceChildren(...Array.from({ length: n }, (_, i) => el('option', { attrs: { value: String(i) }, text: t(key, { i }) })));
  }

  function draw() {
    if (!last) return;
    const { t: T, cross, source: src, greedy, teacher, target } = last.translation;
    fillSelect(layerSel, cross.length, 'views.seq2seq.layerOption');
    fillSelect(headSel, cross[0].length, 'views.seq2seq.headOption');
    const [l, h] = [Number(layerSel.value), Number(headSel.value)];
    const fed = greedy.fed.map(shown); // the step-by-step pass's: what the decoder was fed
    const labels = { source: src.map(shown), target: fed };
    for (const [key, { box, heat }] of Object.entries(heats)) {
      box.hidden = !allMaps && key !== mapSel.value;
      if (box.hidden) continue;
      const map = MAPS[key];
      heat.update({
        data: Float32Array.from(last.translation[key][l][h]), rows: T, cols: T, rowLabels: labels[map.rows], colLabels: labels[map.cols], causal: Boolean(map.causal),
        shape: t('views.seq2seq.shape', { step: count(last.step), stack: key === 'enc_self' ? 'encoder' : 'decoder', l, h, t: T, rows: map.rows, cols: map.cols }),
      });
    }
    const head = el('tr', {}, ...['views.seq2seq.column.position', 'views.seq2seq.column.teacherFed', 'views.seq2seq.column.predicts', 'views.seq2seq.column.greedyFed', 'views.seq2seq.column.predicts']
      .map((key) => el('th', { text: t(key), attrs: { scope: 'col' } })));
    // positions up to the true EOS count; after it, teacher forcing feeds padding
    const counted = (k) => k <= target.length;
    const rows = Array.from({ length: T }, (_, k) => {
      const differs = counted(k) && teacher.fed[k] !== greedy.fed[k];
      const cells = [String(k), shown(teacher.fed[k]), shown(teacher.predicted[k]), shown(greedy.fed[k]), shown(greedy.predicted[k])];
      return el('tr', { className: differs ? 's2s-differs' : '' }, ...cells.map((x) => el('td', { text: x, attrs: { translate: 'no' } })));
    });
    table.replaceChildren(el('thead', {}, head), el('tbody', {}, ...rows));
    const differ = teacher.fed.filter((x, k) => counted(k) && x !== greedy.fed[k]).length;
    const text = (x) => x.replace(/\n/g, '·'); // an untrained decoder may write padding
    summary.set(tData('views.seq2seq.summary', { target, teacher: text(teacher.text), greedy: text(greedy.text), differ }, ['target', 'teacher', 'greedy']));
    container.dataset.ready = 'true';
  }

  source.addEventListener('change', () => {
    const text = source.value.trim();
    const problem = sourceProblem(text, context);
    if (problem) {
      message.set(problem);
      return;
    }
    message.set('');
    onSource(text);
  });
  layerSel.addEventListener('change', draw);
  mapSel.addEventListener('change', draw);
  headSel.addEventListener('change', draw);

  return {
    /**
     * Shows a translation (from the worker's `translate`) made at `step`, for a model of context `t`.
     * @param {{ step: number, translation: object }|null} probe
     */
    update(probe) {
      if (!probe || probe === last) return;
      last = probe;
      context = probe.translation.t;
      hint.textContent = t('views.seq2seq.hint', { most: context - 1 });
      source.value = probe.translation.target.split('').reverse().join('');
      draw();
    },
    /** A message under the controls ('' clears it). */
    message: (text) => message.set(text),
  };
}
