// One head, step by step: X → Q, K, V → Q·Kᵀ/√HS → causal mask → softmax → weights·V →
// concatenated heads → output projection and residual, each with its formula in the current
// shapes, and a worked example with the real numbers under the cursor. All steps one under the
// other, or (compact, a widget's default) one at a time (stepper.js).

import { el, formulaBlock, liveText } from './dom.js';
import { createHeatmap } from './heatmap.js';
import { domainFor } from './colormap.js';
import { dims, fmt, sub } from './format.js';
import { createStepper } from './stepper.js';

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
  list.append(el('li', { className: side ? 'step step-side' : 'step' }, el('h3', { text: `${number}. ${heading}` }), words, maps));
  return { text, formula, example, maps };
}

/** "(−0.0123)·0.0456": a product, negative factors in brackets. */
function product(a, b) {
  const f = (x) => (x < 0 ? `(${fmt(x, 3)})` : fmt(x, 3));
  return `${f(a)}·${f(b)}`;
}

const HEADINGS = [
  'Queries, keys and values',
  'Scores: every query against every key',
  'The causal mask',
  'Softmax: scores become weights',
  'Weighted sum of the values',
  'All heads side by side',
  'Output projection and the residual connection',
];
const SIDE = [false, true, true, true, true, false, false]; // steps with one square map, beside their text on wide screens

/**
 * @param {HTMLElement} container
 * @param {{ onHighlight?: (pos: number|null) => void }} [options]
 */
export function createHeadView(container, { onHighlight = () => {} } = {}) {
  const intro = liveText('p', 'view-intro');
  const list = el('ol', { className: 'steps' });
  const stepper = createStepper(list, HEADINGS);
  container.append(intro.element, stepper.element, list);

  const [s1, s2, s3, s4, s5, s6, s7] = HEADINGS.map((heading, i) => step(list, i + 1, heading, SIDE[i]));

  let d = null;
  const tT = { kind: 'signed', rowName: 'token', onHighlight };
  const tt = (title, kind, onCursor) => ({ title, kind, square: true, rowName: 'query', colName: 'key', onHighlight, onCursor, maxHeight: 420 });
  const mapX = createHeatmap(s1.maps, { ...tT, title: 'X = LN₁(x)', colName: 'channel' });
  const mapQ = createHeatmap(s1.maps, { ...tT, title: 'Q', colName: 'dim', narrow: true });
  const mapK = createHeatmap(s1.maps, { ...tT, title: 'K', colName: 'dim', narrow: true });
  const mapV = createHeatmap(s1.maps, { ...tT, title: 'V', colName: 'dim', narrow: true });
  const mapS = createHeatmap(s2.maps, tt('S = Q·Kᵀ/√HS', 'signed', (r, c) => showScore(r, c)));
  const mapM = createHeatmap(s3.maps, {
    ...tt('S′ (masked)', 'signed'),
    describe: (r, c, v, masked) =>
      `query ${r} '${d.labels[r]}', key ${c} '${d.labels[c]}': ${masked ? '−∞ (masked: the key comes after the query)' : fmt(v)}`,
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
    s2.example.set(
      `Worked example for cell [${i}, ${j}] (point at another cell to redo it): S[${i}, ${j}] = q${sub(i)}·k${sub(j)} / √${HS} = ` +
        `(${terms.join(' + ')} + … ${HS} products) / ${fmt(root)} = ${fmt(dot)} / ${fmt(root)} = ${fmt(dot / root)}` +
        (j > i ? `. Key ${j} comes after query ${i}: the next step masks it.` : '.'),
    );
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
    s4.example.set(
      `Row ${i} ('${labels[i]}'): its ${i + 1} visible weights sum to ${sum.toFixed(4)}; the largest, ${fmt(att[i * T + best], 3)}, ` +
        `is on key ${best} '${labels[best]}'. Uniform attention over the visible tokens would give 1/${i + 1} = ${fmt(1 / (i + 1), 3)} each.`,
    );
    s4.example.element.hidden = false;
  }

  /** Step 5's example: O[i] as a weighted mix of value rows, largest weights first. */
  function showMix(i) {
    const { att, T } = d;
    const order = [...Array(i + 1).keys()].sort((a, b) => att[i * T + b] - att[i * T + a]);
    const parts = order.slice(0, MIX_SHOWN).map((j) => `${fmt(att[i * T + j], 3)}·v${sub(j)}`);
    const rest = order.length > MIX_SHOWN ? ` + … (${order.length} rows in all)` : '';
    s5.example.set(`Row ${i}: O${sub(i)} = ${parts.join(' + ')}${rest}: the value rows of tokens 0…${i}, weighted by row ${i} of A.`);
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
      intro.set(
        `Attention is the only step where tokens exchange information. Layer ${layer} splits its C = ${C} channels into ` +
          `NH = ${NH} heads of HS = C / NH = ${HS} channels; each head does what follows on its own. Shown: head ${head} ` +
          `(pick another in the bar at the top or in the grid of the next section).`,
      );

      s1.text.set(
        `Three learned matrices turn each token's row of X into a query (what this token is looking for), a key (what it ` +
          `can be found by) and a value (what it passes on when it is found). Each matrix is C×HS: this head's slice of ` +
          `the layer's weights. Each row of Q, K and V belongs to one token; no token sees another yet.`,
      );
      const arch = d.arch ?? { post: false, positions: 'learned' };
      const rotary = arch.positions === 'rotary';
      s1.formula.set(
        `Q = X·W_Q + b_Q   : ${dims('T', 'C')}·${dims('C', 'HS')} = ${dims('T', 'HS')} → ${dims(T, C)}·${dims(C, HS)} = ${dims(T, HS)}`,
        `K = X·W_K + b_K   and   V = X·W_V + b_V   : the same shapes`,
        `Q[i, d] = Σ_c X[i, c]·W_Q[c, d] + b_Q[d]   : row i of X times column d of W_Q, ${C} products`,
        ...(arch.post ? ['post-norm: X = x, the layer input itself; the norm comes after attention'] : []),
        ...(rotary
          ? [`rotary: then each pair (Q[i, d], Q[i, d + HS/2]) of token i is turned by the angle i·10000^(−2d/HS), K likewise; ` +
            `Q·K then depends on positions only through their distance. Q and K are shown turned.`]
          : []),
      );
      s2.text.set(
        `Each query is compared with every key by a dot product: a large S[i, j] means key j matches what token i looks for. ` +
          `Why divide by √HS = ${fmt(root)}? A dot product adds up HS = ${HS} products, so its typical size grows like √HS; ` +
          `dividing brings scores back to about ±1, so the softmax below is not so peaked that one token takes all the weight. ` +
          `This is computed for every pair, future keys included; the next step deals with those.`,
      );
      s2.formula.set(
        `S = Q·Kᵀ / √HS   : ${dims('T', 'HS')}·${dims('HS', 'T')} = ${dims('T', 'T')} → ${dims(T, HS)}·${dims(HS, T)} = ${dims(T, T)}`,
      );
      if (causal) {
        s3.text.set(
          `The model learns to predict the next character, and in training it reads a whole sentence at once. If token i could ` +
            `look at tokens after it, it would see the answer. So every score whose key comes after its query (above the ` +
            `diagonal) is set to −∞ before the softmax. Hatched cells are masked.`,
        );
        s3.formula.set(`S′[i, j] = S[i, j]  if j ≤ i,      −∞  if j > i`);
      } else {
        s3.text.set(
          'This model is an encoder: it learns to fill in hidden tokens, and the answer is not among the tokens it sees, so ' +
            'nothing needs hiding. No score is masked: every token looks at every other, before and after it.',
        );
        s3.formula.set('S′ = S   (no mask)');
      }
      s4.text.set(
        `Softmax works on each row: e^S′ makes every entry positive and dividing by the row's sum makes it add up to 1. ` +
          `e^−∞ = 0, so masked entries get weight exactly 0. Row i says how much token i takes from each token up to itself.`,
      );
      s4.formula.set(`A[i, j] = e^S′[i, j] / Σₖ e^S′[i, k]   : ${dims(T, T)}, every row sums to 1`);
      s5.text.set(
        `Each token's output is the average of the value rows, weighted by its row of A. This is how information moves ` +
          `from one token to another.`,
      );
      s5.formula.set(`O = A·V   : ${dims('T', 'T')}·${dims('T', 'HS')} = ${dims('T', 'HS')} → ${dims(T, T)}·${dims(T, HS)} = ${dims(T, HS)}`);
      s6.text.set(
        `All ${NH} heads do steps 1 to 5 at once, each with its own weights. Their outputs are placed side by side, ` +
          `giving every token C = ${NH} × ${HS} = ${C} numbers again. Head ${head}'s columns are outlined.`,
      );
      s6.formula.set(`concat(O₀, …, O${sub(NH - 1)})   : ${NH} × ${dims('T', 'HS')} → ${dims('T', 'C')} = ${dims(T, C)}`);
      s7.text.set(
        `A last learned matrix W_O mixes what the heads found. The result P is added to the layer's input x instead of ` +
          `replacing it: the residual connection. Each layer only adds its contribution to this running "residual stream".`,
      );
      s7.formula.set(
        `P = concat·W_O + b_O   : ${dims('T', 'C')}·${dims('C', 'C')} = ${dims('T', 'C')} → ${dims(T, C)}·${dims(C, C)} = ${dims(T, C)}`,
        `x ← x + P`,
      );

      const rows = { rows: T, rowLabels: labels };
      const normName = arch.norm === 'rms_norm' ? 'RMSNorm₁' : 'LN₁';
      mapX.update({ ...rows, cols: C, data: d.x, shape: dims(T, C), title: arch.post ? 'X = x (post-norm)' : `X = ${normName}(x)` });
      const qkv = domainFor('signed', [d.q, d.k, d.v]);
      mapQ.update({ ...rows, cols: HS, data: d.q, shape: dims(T, HS), domain: qkv, title: rotary ? 'Q (turned)' : 'Q' });
      mapK.update({ ...rows, cols: HS, data: d.k, shape: dims(T, HS), domain: qkv, title: rotary ? 'K (turned)' : 'K' });
      mapV.update({ ...rows, cols: HS, data: d.v, shape: dims(T, HS), domain: qkv });
      const sq = { ...rows, cols: T, colLabels: labels, shape: dims(T, T) };
      const sDomain = domainFor('signed', [d.scores]);
      mapS.update({ ...sq, data: d.scores, domain: sDomain });
      mapM.update({ ...sq, data: d.scores, domain: sDomain, causal });
      mapA.update({ ...sq, data: d.att, causal });
      mapO.update({ ...rows, cols: HS, data: d.out, shape: dims(T, HS) });
      mapCat.update({ ...rows, cols: C, data: d.concat, shape: dims(T, C), title: `concat(O₀ … O${sub(NH - 1)})`, colGroups: { size: HS, selected: head } });
      const pr = domainFor('signed', [d.proj, d.res1]);
      mapP.update({ ...rows, cols: C, data: d.proj, shape: dims(T, C), domain: pr });
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
