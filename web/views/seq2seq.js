// The encoder-decoder (the original Transformer) on string reversal: train it here, then give it
// a source. The cross-attention map is the alignment: for each target position (down), how much
// the decoder looked at each source position (across); a trained reverser draws an
// anti-diagonal. Below it, what the decoder was fed and what it predicted at each position, with
// teacher forcing (fed the true target: how it trains) and step by step (fed its own previous
// outputs: how it runs), and where the two differ.

import { el, liveText } from './dom.js';
import { createHeatmap } from './heatmap.js';
import { fmt } from './format.js';
import { createSeq2Seq } from '../engine/client.js';

const STEPS_PER_CLICK = 200;
const CHUNK = 20; // steps per call, so the status moves while it trains
const LETTERS = /^[a-h]+$/;

/** A token cell's text: padding shows as ·, BOS and EOS as themselves. */
const shown = (tok) => (tok === '' ? '·' : tok);

/**
 * Mounts the view in `container`; the engine is created when the view first comes into sight.
 * @param {HTMLElement} container
 * @param {{ call: Function }} worker
 * @param {{ backend?: string, seed?: number }} [options]
 */
export function createSeq2SeqView(container, worker, { backend = 'auto', seed = 1 } = {}) {
  const intro = el('p', {
    className: 'view-intro',
    text: 'An encoder reads the source; a decoder writes the target one letter at a time and, in every block, attends to the encoder\u2019s output (cross-attention). The task: reverse a string of letters a\u2013h. ' +
      'Training feeds the decoder the true previous letters (teacher forcing); at inference it is fed its own outputs, step by step.',
  });
  const train = el('button', { className: 'button', text: `Train ${STEPS_PER_CLICK} steps`, attrs: { type: 'button', id: 's2s-train' } });
  const status = liveText('p', 's2s-status');
  status.set('Not trained yet: the alignment below is what random weights do.');
  const source = el('input', { attrs: { id: 's2s-source', type: 'text', value: 'cafe', maxlength: '7', spellcheck: 'false', autocomplete: 'off', 'aria-describedby': 's2s-source-hint' } });
  const hint = el('span', { className: 'hint', attrs: { id: 's2s-source-hint' }, text: '1 to 7 letters a\u2013h' });
  const message = liveText('p', 's2s-message notice');
  const layerSel = el('select', { attrs: { id: 's2s-layer', 'aria-label': 'decoder layer' } });
  const headSel = el('select', { attrs: { id: 's2s-head', 'aria-label': 'head' } });
  const controls = el('div', { className: 's2s-controls' }, train, el('label', {}, 'Source ', source), hint, el('label', {}, 'Layer ', layerSel), el('label', {}, 'Head ', headSel));
  const maps = el('div', { className: 's2s-map' });
  const heat = createHeatmap(maps, { title: 'Cross-attention', kind: 'unit', square: true, maxHeight: 320, rowName: 'target position', colName: 'source position', tokenAxis: null });
  const table = el('table', { className: 's2s-table', attrs: { id: 's2s-steps' } });
  const summary = liveText('p', 's2s-summary');
  container.append(intro, controls, status.element, message.element, maps, summary.element, el('div', { className: 'table-scroll' }, table));

  let model = null;
  let last = null; // the last translation
  let busy = false;
  let steps = 0;

  async function ensureModel() {
    if (!model) model = await createSeq2Seq(worker, { backend, seed });
    return model;
  }

  function fillSelect(select, n, name) {
    if (select.options.length === n) return;
    select.replaceChildren(...Array.from({ length: n }, (_, i) => el('option', { attrs: { value: String(i) }, text: `${name} ${i}` })));
  }

  function draw() {
    if (!last) return;
    const { t, cross, source: src, greedy, teacher } = last;
    fillSelect(layerSel, cross.length, 'layer');
    fillSelect(headSel, cross[0].length, 'head');
    const [l, h] = [Number(layerSel.value), Number(headSel.value)];
    const rowLabels = greedy.fed.map(shown); // what the decoder was fed at each position
    heat.update({
      data: Float32Array.from(cross[l][h]), rows: t, cols: t, rowLabels, colLabels: src.map(shown),
      shape: `decoder layer ${l}, head ${h}: ${t} target \u00d7 ${t} source positions`,
    });
    const head = el('tr', {}, ...['position', 'teacher forcing: fed', 'predicts', 'step by step: fed', 'predicts'].map((x) => el('th', { text: x, attrs: { scope: 'col' } })));
    // positions up to the true EOS count; after it, teacher forcing feeds padding
    const counted = (k) => k <= last.target.length;
    const rows = Array.from({ length: t }, (_, k) => {
      const differs = counted(k) && teacher.fed[k] !== greedy.fed[k];
      const cells = [String(k), shown(teacher.fed[k]), shown(teacher.predicted[k]), shown(greedy.fed[k]), shown(greedy.predicted[k])];
      return el('tr', { className: differs ? 's2s-differs' : '' }, ...cells.map((x) => el('td', { text: x })));
    });
    table.replaceChildren(el('thead', {}, head), el('tbody', {}, ...rows));
    const differ = teacher.fed.filter((x, k) => counted(k) && x !== greedy.fed[k]).length;
    summary.set(`True target \u201c${last.target}\u201d. Teacher forcing predicts \u201c${teacher.text}\u201d; step by step it writes \u201c${greedy.text}\u201d` +
      (differ ? ` \u2014 fed its own outputs, the decoder saw ${differ} token${differ > 1 ? 's' : ''} different from the truth (marked rows).` : ' \u2014 fed the same tokens both ways.'));
    container.dataset.ready = 'true';
  }

  async function translate() {
    const text = source.value.trim();
    if (!LETTERS.test(text) || text.length > 7) {
      message.set('The source must be 1 to 7 letters from a to h.');
      return;
    }
    message.set('');
    try {
      last = await (await ensureModel()).translate(text);
      draw();
    } catch (err) {
      message.set(`Could not run the model: ${err?.message ?? err}`);
    }
  }

  train.addEventListener('click', async () => {
    if (busy) return;
    busy = true;
    train.disabled = true;
    try {
      const m = await ensureModel();
      let lossText = '';
      for (let done = 0; done < STEPS_PER_CLICK; done += CHUNK) {
        const stats = await m.trainSteps(CHUNK);
        steps += stats.length;
        const mean = stats.reduce((a, s) => a + s.loss, 0) / stats.length;
        lossText = fmt(mean, 3);
        status.set(`Step ${steps} on ${m.backend === 'webgpu' ? 'WebGPU' : 'the CPU'}: teacher-forced loss ${lossText}`);
      }
      container.dataset.steps = String(steps);
      await translate();
    } catch (err) {
      message.set(`Training stopped: ${err?.message ?? err}`);
    } finally {
      busy = false;
      train.disabled = false;
    }
  });
  source.addEventListener('change', translate);
  // the engine starts when the card first comes into view, not with the Train page
  const seen = new IntersectionObserver((entries) => {
    if (!entries.some((e) => e.isIntersecting)) return;
    seen.disconnect();
    translate();
  });
  seen.observe(container);
  layerSel.addEventListener('change', draw);
  headSel.addEventListener('change', draw);

  return {
    /** The engine's backend once created ("webgpu" or "cpu"). */
    backend: () => model?.backend ?? null,
    /** The last translation (for tests). */
    last: () => last,
  };
}
