// One head, step by step: X → Q, K, V → Q·Kᵀ/√HS → causal mask → softmax → weights·V →
// concatenated heads → output projection and residual, each with its formula in the current
// shapes, and a worked example with the real numbers under the cursor. All steps one under the
// other, or (compact, a widget's default) one at a time (stepper.js).

import { el, formulaBlock, liveText, tData } from './dom.js';
import { createHeatmap } from './heatmap.js';
import { domainFor } from './colormap.js';
import { dims, fixed, fmt, sub } from './format.js';
import { createStepper } from './stepper.js';
import { t } from '../i18n/i18n.js';
import { TOY_WORDS } from './model-words.js';

const TERMS_SHOWN = 3; // products written out in a worked dot product before "…"
const MIX_SHOWN = 3; // weighted value rows written out in the A·V example

/**
 * One numbered step: heading, prose, formula, worked example, and its heatmaps, below the text
 * or (`side`, for one square map) beside it on wide screens.
 */
function step(list, number, heading, side = false) {
  const text = liveText('p', 'step-prose');
  const formula = formulaBlock();
  const example = liveText('p', 'callout');
  example.element.hidden = true;
  const maps = el('div', { className: 'map-row' });
  const words = el('div', { className: 'step-text' }, text.element, formula.element, example.element);
  list.append(el('li', { className: side ? 'step step-side' : 'step' }, el('h3', { text: t('views.head.stepHeading', { number, heading }) }), words, maps));
  return { text, formula, example, maps };
}

/** "(−0.0123)·0.0456": a product, negative factors in brackets. */
function product(a, b) {
  const f = (x) => (x < 0 ? `(${fmt(x, 3)})` : fmt(x, 3));
  return `${f(a)}·${f(b)}`;
}

/** The steps' headings (messages). */
const HEADINGS = () => [
  'views.head.heading.qkv',
  'views.head.heading.scores',
  'views.head.heading.mask',
  'views.head.heading.softmax',
  'views.head.heading.mix',
  'views.head.heading.heads',
  'views.head.heading.projection',
].map((key) => t(key));
const SIDE = [false, true, true, true, true, false, false]; // steps with one square map, beside their text on wide screens

/**
 * @param {HTMLElement} container
 * @param {{ onHighlight?: (pos: number|null) => void }} [options]
 */
export function createHeadView(container, { onHighlight = () => {} } = {}) {
  const intro = liveText('p', 'view-intro');
  const list = el('ol', { className: 'steps' });
  const headings = HEADINGS();
  const stepper = createStepper(list, headings);
  container.append(intro.element, stepper.element, list);

  const [s1, s2, s3, s4, s5, s6, s7] = headings.map((heading, i) => step(list, i + 1, heading, SIDE[i]));

  let d = null;
  const tT = { kind: 'signed', rowName: 'token', onHighlight, mathTitle: true };
  const tt = (title, kind, onCursor) => ({ title, mathTitle: true, kind, square: true, rowName: 'query', colName: 'key', onHighlight, onCursor, maxHeight: 420 });
  const mapX = createHeatmap(s1.maps, { ...tT, title: 'X = LN₁(x)', colName: 'channel' });
  const mapQ = createHeatmap(s1.maps, { ...tT, title: 'Q', colName: 'dim', narrow: true });
  const mapK = createHeatmap(s1.maps, { ...tT, title: 'K', colName: 'dim', narrow: true });
  const mapV = createHeatmap(s1.maps, { ...tT, title: 'V', colName: 'dim', narrow: true });
  const mapS = createHeatmap(s2.maps, tt('S = Q·Kᵀ/√HS', 'signed', (r, c) => showScore(r, c)));
  const mapM = createHeatmap(s3.maps, {
    ...tt(t('views.head.maskedTitle'), 'signed'),
    mathTitle: false,
    describe: (r, c, v, masked) =>
      t(masked ? 'views.head.describeMasked' : 'views.head.describe', { r, c, query: d.labels[r], key: d.labels[c], value: fmt(v) }),
  });
  const mapA = createHeatmap(s4.maps, { ...tt('A = softmax(S′)', 'unit', (r) => showRow(r)) });
  const mapO = createHeatmap(s5.maps, { ...tT, title: 'O = A·V', colName: 'dim', narrow: true, onCursor: (r) => showMix(r) });
  const mapCat = createHeatmap(s6.maps, { ...tT, title: 'concat(O₀ …)', colName: 'channel' });
  const mapP = createHeatmap(s7.maps, { ...tT, title: 'P = concat·W_O + b_O', colName: 'channel' });
  const mapR = createHeatmap(s7.maps, { ...tT, title: 'x + P', colName: 'channel' });
  const all = [mapX, mapQ, mapK, mapV, mapS, mapM, mapA, mapO, mapCat, mapP, mapR];

  /** Step 2's worked example: S[i, j] recomputed from the Q and K shown above. */
  function showScore(i, j) {
    const { q, k, HS } = d;
    let dot = 0;
    const terms = [];
    for (let e = 0; e < HS; e++) {
      dot += q[i * HS + e] * k[j * HS + e];
      if (e < TERMS_SHOWN) terms.push(product(q[i * HS + e], k[j * HS + e]));
    }
    const root = Math.sqrt(HS);
    s2.example.set(t('views.head.scoreExample', {
      i, j, qi: sub(i), kj: sub(j), HS, terms: terms.join(' + '), root: fmt(root), dot: fmt(dot), score: fmt(dot / root), future: j > i ? 'yes' : 'no',
    }));
    s2.example.element.hidden = false;
  }

  /** Step 4's example: the row's sum and its largest weight. */
  function showRow(i) {
    const { att, T, labels } = d;
    let sum = 0;
    let best = 0;
    for (let j = 0; j < T; j++) {
      sum += att[i * T + j];
      if (att[i * T + j] > att[i * T + best]) best = j;
    }
    s4.example.set(tData('views.head.rowExample', {
      i, label: labels[i], n: i + 1, sum: fixed(sum, 4), largest: fmt(att[i * T + best], 3), best, bestLabel: labels[best], uniform: fmt(1 / (i + 1), 3),
    }, ['label', 'bestLabel']));
    s4.example.element.hidden = false;
  }

  /** Step 5's example: O[i] as a weighted mix of value rows, largest weights first. */
  function showMix(i) {
    const { att, T } = d;
    const order = [...Array(i + 1).keys()].sort((a, b) => att[i * T + b] - att[i * T + a]);
    const parts = order.slice(0, MIX_SHOWN).map((j) => `${fmt(att[i * T + j], 3)}·v${sub(j)}`);
    const rest = order.length > MIX_SHOWN ? t('views.head.mixRest', { n: order.length }) : '';
    s5.example.set(t('views.head.mixExample', { i, oi: sub(i), parts: parts.join(' + '), rest }));
    s5.example.element.hidden = false;
  }

  return {
    /**
     * @param {{ labels: string[], T: number, C: number, NH: number, HS: number, layer: number, head: number,
     *   x: Float32Array, q: Float32Array, k: Float32Array, v: Float32Array, scores: Float32Array, att: Float32Array,
     *   out: Float32Array, concat: Float32Array, proj: Float32Array, res1: Float32Array, causal?: boolean }} data
     */
    update(data) {
      d = data;
      const { labels, T, C, NH, HS, layer, head } = d;
      const causal = d.causal ?? true; // false for an encoder: nothing masked
      const root = Math.sqrt(HS);
      intro.set(t('views.head.intro', { layer, C, NH, HS, head }));

      s1.text.set(t('views.head.qkv'));
      const arch = d.arch ?? { post: false, positions: 'learned' };
      const rotary = arch.positions === 'rotary';
      const words = d.words ?? TOY_WORDS;
      const bQ = words.qkvBias === 'yes' ? ' + b_Q' : '';
      const bO = words.bias === 'yes' ? ' + b_O' : ''; // Qwen2's output projection has none either
      s1.formula.set(
        `Q = X·W_Q${bQ}   : ${dims('T', 'C')}·${dims('C', 'HS')} = ${dims('T', 'HS')} → ${dims(T, C)}·${dims(C, HS)} = ${dims(T, HS)}`,
        t('views.head.formula.kv', words),
        t('views.head.formula.entry', { ...words, C }),
        ...(arch.post ? [t('views.head.formula.post')] : []),
        ...(rotary ? [t('views.head.formula.rotary')] : []),
      );
      s2.text.set(t('views.head.scores', { root: fmt(root), HS }));
      s2.formula.set(
        `S = Q·Kᵀ / √HS   : ${dims('T', 'HS')}·${dims('HS', 'T')} = ${dims('T', 'T')} → ${dims(T, HS)}·${dims(HS, T)} = ${dims(T, T)}`,
      );
      if (causal) {
        s3.text.set(t('views.head.mask', words));
        s3.formula.set(t('views.head.formula.mask'));
      } else {
        s3.text.set(t('views.head.noMask'));
        s3.formula.set(t('views.head.formula.noMask'));
      }
      s4.text.set(t('views.head.softmax'));
      s4.formula.set(t('views.head.formula.softmax', { shape: dims(T, T) }));
      s5.text.set(t('views.head.mix'));
      s5.formula.set(`O = A·V   : ${dims('T', 'T')}·${dims('T', 'HS')} = ${dims('T', 'HS')} → ${dims(T, T)}·${dims(T, HS)} = ${dims(T, HS)}`);
      s6.text.set(t('views.head.heads', { NH, HS, C, head }));
      s6.formula.set(`concat(O₀, …, O${sub(NH - 1)})   : ${NH} × ${dims('T', 'HS')} → ${dims('T', 'C')} = ${dims(T, C)}`);
      s7.text.set(t('views.head.projection'));
      s7.formula.set(
        `P = concat·W_O${bO}   : ${dims('T', 'C')}·${dims('C', 'C')} = ${dims('T', 'C')} → ${dims(T, C)}·${dims(C, C)} = ${dims(T, C)}`,
        `x ← x + P`,
      );

      const rows = { rows: T, rowLabels: labels };
      const normName = arch.norm === 'rms_norm' ? 'RMSNorm₁' : 'LN₁';
      mapX.update({ ...rows, cols: C, data: d.x, shape: dims(T, C), title: arch.post ? t('views.head.postTitle') : `X = ${normName}(x)`, mathTitle: !arch.post });
      const qkv = domainFor('signed', [d.q, d.k, d.v]);
      mapQ.update({ ...rows, cols: HS, data: d.q, shape: dims(T, HS), domain: qkv, title: rotary ? t('views.head.turned', { name: 'Q' }) : 'Q', mathTitle: !rotary });
      mapK.update({ ...rows, cols: HS, data: d.k, shape: dims(T, HS), domain: qkv, title: rotary ? t('views.head.turned', { name: 'K' }) : 'K', mathTitle: !rotary });
      mapV.update({ ...rows, cols: HS, data: d.v, shape: dims(T, HS), domain: qkv });
      const sq = { ...rows, cols: T, colLabels: labels, shape: dims(T, T) };
      const sDomain = domainFor('signed', [d.scores]);
      mapS.update({ ...sq, data: d.scores, domain: sDomain });
      mapM.update({ ...sq, data: d.scores, domain: sDomain, causal });
      mapA.update({ ...sq, data: d.att, causal });
      mapO.update({ ...rows, cols: HS, data: d.out, shape: dims(T, HS) });
      mapCat.update({ ...rows, cols: C, data: d.concat, shape: dims(T, C), title: `concat(O₀ … O${sub(NH - 1)})`, colGroups: { size: HS, selected: head } });
      const pr = domainFor('signed', [d.proj, d.res1]);
      mapP.update({ ...rows, cols: C, data: d.proj, shape: dims(T, C), domain: pr, title: `P = concat·W_O${bO}` });
      mapR.update({ ...rows, cols: C, data: d.res1, shape: dims(T, C), domain: pr });

      const cs = mapS.cursor();
      showScore(cs ? cs.r : T - 1, cs ? cs.c : 0);
      showRow(mapA.cursor()?.r ?? T - 1);
      showMix(mapO.cursor()?.r ?? T - 1);
    },
    highlight(pos) {
      for (const map of all) map.highlight(pos);
    },
    /** One step at a time (`compact`), or all of them. */
    setCompact: stepper.setCompact,
  };
}
