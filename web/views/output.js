// Output view: the last token's logits, their softmax, and the distribution the next token is
// drawn from after temperature, top-k and top-p, as a bar chart of the most likely tokens and
// a strip of all V probabilities. The controls that change it live in the page; this view
// only draws what it is given.

import { el, formulaBlock, liveText } from './dom.js';
import { sizeCanvas, themeColours, watchWidth } from './canvas.js';
import { fmt, pct, tokenLabel } from './format.js';
import { niceCeil } from './colormap.js';
import { barsSvg, exportButtons } from './export.js';
import { byRank, topIds } from './rank.js';
import { samplingRules } from './sampling.js';

const BARS = 10; // tokens in the bar chart
const STRIP_H = 56; // px, height of the all-probabilities strip
const STRIP_COLUMNS = 2048; // the strip's columns at most: a larger vocabulary shares them, most likely first

/** Which rule leaves out how many tokens, and how many can be drawn ("top-k = 5 leaves out 91, …"). */
function rulesLine(r, { temperature: tau, topK, topP }) {
  const can = `${r.drawable === r.V ? `all ${r.V}` : `${r.drawable} of ${r.V}`} tokens can be drawn`;
  if (tau === 0) return `τ = 0 keeps only the top token (top-k and top-p change nothing): ${can}`;
  const k = topK === 0 ? 'top-k = off' : `top-k = ${topK} leaves out ${r.byTopK}`;
  const p = topP === 1 ? 'top-p = off' : `top-p = ${fmt(topP, 3)} leaves out ${r.byTopP}${topK === 0 ? '' : ' more'}`;
  const zero = r.zero ? ` (${r.zero} of them so unlikely at τ = ${fmt(tau, 3)} that their probability rounds to 0 in float32)` : '';
  return `${k}, ${p}: ${can}${zero}`;
}

/**
 * @param {HTMLElement} container
 * @param {{ controls?: HTMLElement }} [options] the page's sampling controls, placed between the
 *   explanation and the bars they act on
 */
export function createOutputView(container, { controls = null } = {}) {
  const intro = liveText('p', 'view-intro');
  const knobs = liveText('p', 'view-intro');
  const formula = formulaBlock();
  const context = liveText('p', 'context-line');
  const bars = el('ol', { className: 'bars', attrs: { 'aria-label': 'most likely next tokens' } });
  const legend = el(
    'p',
    { className: 'bars-legend' },
    el('span', { className: 'swatch swatch-bar' }),
    ' probability used to sample (after τ, top-k, top-p)   ',
    el('span', { className: 'swatch swatch-tick' }),
    ' the model\'s own softmax(z), τ = 1',
  );
  const scaleNote = liveText('span', 'bars-scale');
  legend.append(scaleNote.element, exportButtons(barsFigure, () => 'next-token-probabilities'));
  const strip = el('canvas', { className: 'prob-strip', attrs: { role: 'img', 'aria-label': 'all probabilities, sorted' } });
  const stripCaption = liveText('figcaption');
  const example = liveText('p', 'callout');
  container.append(
    intro.element,
    knobs.element,
    formula.element,
    controls,
    context.element,
    bars,
    legend,
    el('figure', { className: 'strip' }, stripCaption.element, strip),
    example.element,
  );
  let shown = null; // { items, scale, title } of the bars on screen, for the export
  /** The bars as they are now, as a standalone SVG figure (null before the first draw). */
  function barsFigure() {
    if (!shown) return null;
    return barsSvg({ ...shown, legend: ['probability used to sample (after τ, top-k, top-p)', "the model's own softmax(z), τ = 1"] });
  }
  // the tokens' probabilities by rank, most likely first (byRank: STRIP_COLUMNS of them at most):
  // sampled (after τ, top-k, top-p) and at τ = 1. Both follow the logits' order (softmax is
  // monotone), so the two rankings pair up token by token.
  let sorted = { p: new Float32Array(0), p1: new Float32Array(0) };
  let scale = 1; // the probability a full-length bar stands for

  let width = 0; // px, the strip's width
  watchWidth(strip.parentElement, (w) => {
    width = w;
    drawStrip();
  });

  /** One bar per token; past one per pixel, each pixel column shows the most likely token of its share. */
  function drawStrip() {
    const n = sorted.p.length;
    if (!n || width === 0) return;
    const { accent, soft } = themeColours(container);
    const ctx = sizeCanvas(strip, width, STRIP_H);
    const columns = Math.min(n, Math.floor(width));
    const w = width / columns;
    for (let i = 0; i < columns; i++) {
      const rank = Math.floor((i * n) / columns);
      const [p, p1] = [sorted.p[rank], sorted.p1[rank]];
      ctx.fillStyle = accent;
      const h = (p / scale) * (STRIP_H - 2);
      ctx.fillRect(i * w, STRIP_H - h, Math.max(1, w - 1), h);
      ctx.fillStyle = soft;
      ctx.fillRect(i * w, STRIP_H - 1 - Math.min(1, p1 / scale) * (STRIP_H - 2), Math.max(1, w - 1), 2);
    }
  }

  return {
    /**
     * @param {{ vocab: string[], text: string, position: number, C: number, logits: Float32Array,
     *   probs: Float32Array, sampling: { probs: Float32Array, temperature: number, topK: number, topP: number } }} d
     *   logits and probs: the last position's row; sampling.probs: the distribution `sample` draws from
     */
    update(d) {
      const { vocab, logits, probs, sampling, C } = d;
      const V = vocab.length;
      const { temperature: tau, topK, topP } = sampling;
      const order = topIds(logits, BARS); // the likeliest, as the sampler ranks them
      intro.set(
        `The last token's vector goes through a final LayerNorm and is multiplied by the token table W_te once more (this ` +
          `model reuses it as its output layer), giving one score z per vocabulary entry: the logits. Softmax turns them into ` +
          `probabilities for the next character.`,
      );
      knobs.set(
        `Before the softmax, the logits are divided by the temperature τ: τ < 1 sharpens the distribution (τ = 0 always ` +
          `takes the top token), τ > 1 flattens it. top-k keeps only the k most likely tokens; top-p keeps the smallest set ` +
          `whose probabilities add up to at least p. The others get 0 and the kept ones are scaled to sum to 1. ` +
          `Generate draws from this distribution with a seeded random generator, appends the token and runs the model again.`,
      );
      formula.set(
        `z = LN_f(x_last)·W_teᵀ   : [1×C]·[C×V] = [1×V] → [1×${C}]·[${C}×${V}] = [1×${V}]`,
        tau === 0 ? `τ = 0: greedy, p = 1 for the highest z` : `p = softmax(z / τ)   with τ = ${fmt(tau, 3)}`,
        rulesLine(samplingRules(logits, sampling.probs, sampling), sampling),
      );
      const tail = [...d.text].slice(-24).map(tokenLabel).join('');
      context.set(`After "${tail}" (position ${d.position}), the model's next token:`);

      sorted = { p: byRank(sampling.probs, STRIP_COLUMNS), p1: byRank(probs, STRIP_COLUMNS) };
      scale = Math.min(1, niceCeil(Math.max(sampling.probs[order[0]], probs[order[0]]))); // the likeliest token's, exactly
      scaleNote.set(`Bar length: 0 to ${pct(scale)}.`);
      shown = {
        title: `Next token after "${tail}"`,
        scale,
        items: order.map((id) => ({ label: tokenLabel(vocab[id]), value: sampling.probs[id], reference: probs[id], text: pct(sampling.probs[id]) })),
      };
      bars.replaceChildren(
        ...order.map((id) => {
          const p = sampling.probs[id];
          const bar = el('span', { className: 'bar-fill' });
          bar.style.width = `${(100 * p) / scale}%`;
          const tick = el('span', { className: 'bar-tick' });
          tick.style.left = `${Math.min(100, (100 * probs[id]) / scale)}%`;
          return el(
            'li',
            { className: `bar${p === 0 ? ' bar-cut' : ''}`, attrs: { 'data-token-id': String(id), 'data-p': String(p), 'data-p1': String(probs[id]) } },
            el('span', { className: 'chip chip-inline' }, el('span', { className: 'chip-char', text: tokenLabel(vocab[id]) })),
            el('span', { className: 'bar-track' }, bar, tick),
            el('span', { className: 'bar-p', text: pct(p) }),
            el('span', { className: 'bar-z', text: `z = ${fmt(logits[id], 3)}` }),
          );
        }),
      );
      stripCaption.set(`All ${V} probabilities, most likely first, on the same scale`);
      drawStrip();
      const top = order[0];
      const untouched = tau === 1 && topK === 0 && topP === 1;
      example.set(
        `The top token '${tokenLabel(vocab[top])}' has z = ${fmt(logits[top], 3)}: softmax(z) gives it ${pct(probs[top])}` +
          (untouched
            ? `. With τ = 1 and no top-k or top-p, these are the probabilities Generate draws from; move the slider to change them.`
            : `; with τ = ${fmt(tau, 3)}${topK || topP < 1 ? ', top-k and top-p' : ''} it gets ${pct(sampling.probs[top])}.`),
      );
    },
  };
}
