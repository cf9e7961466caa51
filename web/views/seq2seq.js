// What an encoder-decoder (the original Transformer) makes of a source, on the Train page's
// "What it predicts" panel. The cross-attention map is the alignment: for each target position
// (down), how much the decoder looked at each source position (across); a trained reverser
// draws an anti-diagonal. The same choice shows the encoder's self-attention over the source
// and the decoder's causal self-attention over what it was fed, per layer and head. Below it, what the decoder was fed and what it predicted at each
// position, with teacher forcing (fed the true target: how it trains) and step by step (fed
// its own previous outputs: how it runs), and where the two differ. No engine here: the page
// gives it translations (the worker's `translate`) and hears of a new source through `onSource`.
// Explore shows the three maps side by side (`allMaps`) instead of one chosen at a time.

import { el, liveText } from './dom.js';
import { scrollBox } from './scroll-box.js';
import { createHeatmap } from './heatmap.js';

const LETTERS = /^[a-h]+$/;
/** The source shown first. */
export const EXAMPLE_SOURCE = 'cafe';

/**
 * Why `text` cannot be a source for a model of context `t` (null when it can).
 * @returns {string|null}
 */
export function sourceProblem(text, t) {
  const most = t - 1;
  return LETTERS.test(text) && text.length <= most ? null : `The source must be 1 to ${most} letters from a to h (the context holds ${most} and the end mark).`;
}
/** The maps `translate` returns, each T × T per layer and head: the key of its data, and its axes. */
const MAPS = {
  cross: { label: 'cross-attention (alignment)', title: 'Cross-attention', rows: 'target position', cols: 'source position' },
  enc_self: { label: 'encoder self-attention', title: 'Encoder self-attention', rows: 'source position', cols: 'source position' },
  dec_self: { label: 'decoder self-attention (causal)', title: 'Decoder self-attention', rows: 'target position', cols: 'target position', causal: true },
};

/** A token cell's text: padding shows as ·, BOS and EOS as themselves. */
const shown = (tok) => (tok === '' ? '·' : tok);

/**
 * @param {HTMLElement} container
 * @param {{ onSource: (source: string) => void, allMaps?: boolean, ids?: string }} options onSource: a valid new
 *   source was typed; allMaps: every map at once, no Map select; ids: the prefix of its elements' ids
 */
export function createSeq2SeqView(container, { onSource, allMaps = false, ids = 's2s' }) {
  const source = el('input', { attrs: { id: `${ids}-source`, type: 'text', value: EXAMPLE_SOURCE, spellcheck: 'false', autocomplete: 'off', 'aria-describedby': `${ids}-source-hint` } });
  const hint = el('span', { className: 'hint', attrs: { id: `${ids}-source-hint` } });
  const message = liveText('p', 's2s-message notice');
  const layerSel = el('select', { attrs: { id: `${ids}-layer`, 'aria-label': 'decoder layer' } });
  const headSel = el('select', { attrs: { id: `${ids}-head`, 'aria-label': 'head' } });
  const mapSel = el('select', { attrs: { id: `${ids}-map`, 'aria-label': 'attention map' } },
    ...Object.entries(MAPS).map(([value, m]) => el('option', { attrs: { value }, text: m.label })));
  const controls = el('div', { className: 's2s-controls' }, el('label', {}, 'Source ', source), hint,
    ...(allMaps ? [] : [el('label', {}, 'Map ', mapSel)]), el('label', {}, 'Layer ', layerSel), el('label', {}, 'Head ', headSel));
  const maps = el('div', { className: allMaps ? 's2s-map s2s-maps' : 's2s-map' });
  const heats = Object.fromEntries(Object.entries(MAPS).map(([key, m]) => {
    const box = el('div', { attrs: { 'data-map': key } });
    maps.append(box);
    const heat = createHeatmap(box, { title: m.title, kind: 'unit', square: true, maxHeight: 320, rowName: m.rows, colName: m.cols, tokenAxis: null });
    return [key, { box, heat }];
  }));
  const table = el('table', { className: 's2s-table', attrs: { id: `${ids}-steps` } });
  const summary = liveText('p', 's2s-summary');
  container.append(controls, message.element, maps, summary.element, scrollBox(table, 'the decoding table'));

  let last = null; // { step, translation } shown
  let context = 8; // the model's block_size

  function fillSelect(select, n, name) {
    if (select.options.length === n) return;
    select.replaceChildren(...Array.from({ length: n }, (_, i) => el('option', { attrs: { value: String(i) }, text: `${name} ${i}` })));
  }

  function draw() {
    if (!last) return;
    const { t, cross, source: src, greedy, teacher, target } = last.translation;
    fillSelect(layerSel, cross.length, 'layer');
    fillSelect(headSel, cross[0].length, 'head');
    const [l, h] = [Number(layerSel.value), Number(headSel.value)];
    const fed = greedy.fed.map(shown); // the step-by-step pass's: what the decoder was fed
    const labels = { 'source position': src.map(shown), 'target position': fed };
    for (const [key, { box, heat }] of Object.entries(heats)) {
      box.hidden = !allMaps && key !== mapSel.value;
      if (box.hidden) continue;
      const map = MAPS[key];
      heat.update({
        data: Float32Array.from(last.translation[key][l][h]), rows: t, cols: t, rowLabels: labels[map.rows], colLabels: labels[map.cols], causal: Boolean(map.causal),
        shape: `step ${last.step.toLocaleString('en')}, ${key === 'enc_self' ? 'encoder' : 'decoder'} layer ${l}, head ${h}: ${t} ${map.rows.split(' ')[0]} × ${t} ${map.cols.split(' ')[0]} positions`,
      });
    }
    const head = el('tr', {}, ...['position', 'teacher forcing: fed', 'predicts', 'step by step: fed', 'predicts'].map((x) => el('th', { text: x, attrs: { scope: 'col' } })));
    // positions up to the true EOS count; after it, teacher forcing feeds padding
    const counted = (k) => k <= target.length;
    const rows = Array.from({ length: t }, (_, k) => {
      const differs = counted(k) && teacher.fed[k] !== greedy.fed[k];
      const cells = [String(k), shown(teacher.fed[k]), shown(teacher.predicted[k]), shown(greedy.fed[k]), shown(greedy.predicted[k])];
      return el('tr', { className: differs ? 's2s-differs' : '' }, ...cells.map((x) => el('td', { text: x })));
    });
    table.replaceChildren(el('thead', {}, head), el('tbody', {}, ...rows));
    const differ = teacher.fed.filter((x, k) => counted(k) && x !== greedy.fed[k]).length;
    const text = (x) => x.replace(/\n/g, '·'); // an untrained decoder may write padding
    summary.set(`True target “${target}”. Teacher forcing predicts “${text(teacher.text)}”; step by step it writes “${text(greedy.text)}”` +
      (differ ? ` — fed its own outputs, the decoder saw ${differ} token${differ > 1 ? 's' : ''} different from the truth (marked rows).` : ' — fed the same tokens both ways.'));
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
      hint.textContent = `1 to ${context - 1} letters a–h`;
      source.value = probe.translation.target.split('').reverse().join('');
      draw();
    },
    /** A message under the controls ('' clears it). */
    message: (text) => message.set(text),
  };
}
