// Compare mode on the Train page: configuration B beside A (B starts as A with another
// architecture, compare.js variantOf; any of B_FIELDS may change), both trained on A's data with
// A's seed, in turns; both losses on one chart, the same probe's attention maps side by side per
// layer and head (an encoder-decoder's cross-attention), and a summary. B's Family offers only the
// families that train on A's data.

import { el } from '../views/dom.js';
import { fmt } from '../views/format.js';
import { lineChartSvg, chartWidth, SERIES_COLOURS } from '../views/chart.js';
import { drawMiniMap } from '../views/canvas.js';
import { B_FIELDS, createComparison, variantOf } from './compare.js';
import { familyOf } from './presets.js';
import { withoutOrigin } from './form.js';
import { formatNumber, t } from '../i18n/i18n.js';

const SIDE_COLOURS = [SERIES_COLOURS[0], SERIES_COLOURS[5]]; // A blue, B vermilion

const MAP = 88; // px, side of one attention map
const NUMBER = new Set(['layers', 'heads', 'embd', 'lr']);
/** A field's name: the Set up form's (train.field.<f>, train.setup.family). */
const label = (f) => t(f === 'family' ? 'train.setup.family' : `train.field.${f}`);

/**
 * @param {HTMLElement} container
 * @param {{ worker: object, backend: (choice: string) => string, settingsA: () => object, dataA: () => object, probe: () => string,
 *   takes: (family: string) => boolean }} options backend: what the engine is asked for on an Engine choice; takes: whether
 *   a family trains on A's data
 */
export function createCompareView(container, { worker, backend, settingsA, dataA, probe, takes }) {
  const cmp = createComparison(worker, backend, () => schedule());
  const controls = {};
  const fields = el('div', { className: 'fields compare-fields' });
  for (const f of B_FIELDS) {
    let input;
    if (NUMBER.has(f)) {
      input = el('input', { attrs: { type: 'number', step: f === 'lr' ? 'any' : '1', id: `cmp-${f}` } });
    } else {
      input = el('select', { attrs: { id: `cmp-${f}` } });
      const source = document.getElementById(`tr-${f}`); // the Set up form's choices, without their "(GPT-2)": B's selects sit side by side
      input.replaceChildren(...[...source.options].map((o) => {
        const option = new Option(withoutOrigin(o.textContent), o.value);
        option.title = o.textContent;
        return option;
      }));
    }
    input.addEventListener('change', () => { follows = null; });
    controls[f] = input;
    fields.append(el('label', { className: NUMBER.has(f) ? '' : 'wide' }, label(f), input));
  }
  const copy = el('button', { text: t('train.compare.copy'), attrs: { type: 'button', id: 'cmp-copy' }, on: { click: () => { follows = 'copy'; sync(); } } });
  const go = el('button', { className: 'primary', text: t('train.compare.start'), attrs: { type: 'button', id: 'cmp-start' }, on: { click: () => start() } });
  const stop = el('button', { text: t('train.compare.stop'), attrs: { type: 'button', id: 'cmp-stop' }, on: { click: () => cmp.stop() } });
  const status = el('span', { className: 'status', attrs: { id: 'cmp-status', 'aria-live': 'polite' } });
  const chart = el('div', { className: 'compare-chart', attrs: { id: 'cmp-chart' } });
  const summary = el('dl', { className: 'stats', attrs: { id: 'cmp-summary' } });
  const maps = el('div', { className: 'compare-maps', attrs: { id: 'cmp-maps' } });
  const familyNote = el('p', { className: 'hint', attrs: { id: 'cmp-family-note' } });
  container.append(
    el('p', { className: 'hint', text: t('train.compare.intro') }),
    fields,
    familyNote,
    el('div', { className: 'controls' }, copy, go, stop, status),
    chart, summary, maps,
  );
  let frame = 0;
  let follows = 'variant'; // B follows A (as its variant, or a copy) until one of its fields is changed: then null

  function fill(s) {
    for (const f of B_FIELDS) {
      if (s[f] === undefined) continue;
      controls[f].value = Number.isFinite(s[f]) || !NUMBER.has(f) ? String(s[f]) : ''; // a field being retyped is empty, not "NaN"
    }
  }

  /** B follows A's settings (as its variant, or a copy) until it was edited. */
  function sync() {
    if (follows) fill(follows === 'copy' ? settingsA() : variantOf(settingsA()));
    fitFamilies();
  }

  /** B's families: those that train on A's data; the others are greyed out, and the note says why. */
  function fitFamilies() {
    const off = [];
    for (const o of controls.family.options) {
      o.disabled = !takes(o.value);
      if (o.disabled) off.push(o.textContent);
    }
    if (controls.family.selectedOptions[0]?.disabled) controls.family.value = settingsA().family;
    familyNote.textContent = off.length ? t('train.compare.familiesOff', { list: off.join('; ') }) : '';
  }

  function settingsB() {
    const b = { ...settingsA() };
    for (const f of B_FIELDS) b[f] = NUMBER.has(f) ? Number(controls[f].value) : controls[f].value;
    return b;
  }

  async function start() {
    sync();
    await cmp.run(settingsA(), settingsB(), dataA(), probe());
  }

  function schedule() {
    if (!frame) frame = requestAnimationFrame(render);
  }

  function render() {
    frame = 0;
    const { state } = cmp;
    const running = state.status === 'running' || state.status === 'stopping';
    go.disabled = running;
    stop.disabled = state.status !== 'running';
    copy.disabled = running;
    const at = state.sides.map((s) => t('train.compare.sideStep', { side: s.name, step: s.steps.length })).join(t('train.check.listSeparator'));
    const key = {
      running: 'train.compare.running', stopping: 'train.compare.stopping', stopped: 'train.compare.stopped',
      done: 'train.compare.done', failed: 'train.compare.failed',
    }[state.status];
    status.textContent = key ? t(key, { at, detail: state.error ?? '' }) : '';
    drawChart(state.sides);
    drawSummary(state.sides);
    drawMaps(state.sides);
  }

  function drawChart(sides) {
    if (!sides.length) return chart.replaceChildren();
    // one colour per side: its training loss solid, its validation loss dashed
    const series = sides.flatMap((s, i) => [
      { name: t('train.compare.trainingLoss', { side: s.name }), x: s.steps, y: s.loss, colour: SIDE_COLOURS[i] },
      { name: t('train.compare.validationLoss', { side: s.name }), x: s.val.map((v) => v.step), y: s.val.map((v) => v.val), dashed: true, colour: SIDE_COLOURS[i] },
    ]);
    chart.dir = 'ltr'; // a chart's axes read left to right in every language
    chart.replaceChildren(lineChartSvg({ title: t('train.compare.chartTitle'), xLabel: t('train.chart.step'), yLabel: t('train.chart.loss'), width: chartWidth(chart), series }));
  }

  function drawSummary(sides) {
    summary.replaceChildren(...sides.flatMap((s) => {
      const last = s.val.at(-1);
      const tps = cmp.tokensPerSecond(s);
      const id = s.name.toLowerCase();
      return [ // [data-stat (tests read it), the name, the value, its explanation]
        [`${id}-val-loss`, t('train.compare.valLoss', { side: s.name }), last ? fmt(last.val, 4) : '–', t('train.stat.valLossAt', { step: last?.step ?? 0 })],
        [`${id}-tokens-s`, t('train.compare.tokensPerS', { side: s.name }), tps ? formatNumber(Math.round(tps)) : '–', t('train.compare.tokensPerSTitle')],
      ].map(([stat, name, value, title]) => el('div', {}, el('dt', { text: name, attrs: { title } }),
        el('dd', { text: value, attrs: { 'data-stat': stat, translate: 'no' } })));
    }));
  }

  function drawMaps(sides) {
    const probes = sides.map((s) => s.probe);
    if (probes.length < 2 || probes.some((p) => !p)) return maps.replaceChildren();
    const nLayer = Math.max(...probes.map((p) => p.maps.length));
    const nHead = Math.max(...probes.map((p) => p.maps[0].length));
    const input = probes[0].labels.join('').replace(/\n/g, '↵');
    const rows = [el('p', { className: 'hint', text: t('train.compare.mapsIntro', { cross: probes[0].cross ? 'yes' : 'no', input }) })];
    for (let l = 0; l < nLayer; l++) {
      for (let h = 0; h < nHead; h++) {
        const pair = sides.map((s, i) => {
          const att = probes[i].maps[l]?.[h];
          if (!att) return el('span', { className: 'compare-missing', text: t('train.compare.missing', { side: s.name, layer: l, head: h }) });
          const canvas = el('canvas', { attrs: { role: 'img', 'aria-label': t('train.compare.mapLabel', { side: s.name, layer: l, head: h }) } });
          const T = probes[i].ids.length;
          const causal = !probes[i].cross && familyOf(s.settings.family).config.family !== 'encoder'; // cross-attention sees the whole source
          drawMiniMap(canvas, { data: att, rows: T, cols: T, kind: 'unit', causal, size: MAP });
          return el('figure', {}, canvas, el('figcaption', { text: s.name }));
        });
        rows.push(el('div', { className: 'compare-pair', attrs: { 'data-layer': String(l), 'data-head': String(h) } },
          el('span', { className: 'grid-label', text: t('train.compare.pairLabel', { layer: l, head: h }) }), ...pair));

      }
    }
    maps.replaceChildren(...rows);
  }

  return {
    state: cmp.state,
    /** A's settings changed: B follows them until it was edited. */
    sync,
  };
}
