// Output view: the last token's logits, their softmax, and the distribution the next token is
// drawn from after temperature, top-k and top-p, as a bar chart of the most likely tokens and
// a strip of all V probabilities. The controls that change it live in the page; this view
// only draws what it is given.

import { el, formulaBlock, liveText, tData } from './dom.js';
import { sizeCanvas, themeColours, watchWidth } from './canvas.js';
import { fmt, pct, tokenLabel } from './format.js';
import { niceCeil } from './colormap.js';
import { barsSvg, exportButtons } from './export.js';
import { byRank, topIds } from './rank.js';
import { samplingRules } from './sampling.js';
import { t } from '../i18n/i18n.js';
import { TOY_WORDS, outputSymbols } from './model-words.js';

const BARS = 10; // tokens in the bar chart
const LABEL_CHARS = 14; // characters of a token label the bar chart makes room for; longer ones end in …
const STRIP_H = 56; // px, height of the all-probabilities strip
const STRIP_COLUMNS = 2048; // the strip's columns at most: a larger vocabulary shares them, most likely first

/** Which rule leaves out how many tokens, and how many can be drawn ("top-k = 5 leaves out 91, …"). */
function rulesLine(r, { temperature: tau, topK, topP }) {
  const can = t(r.drawable === r.V ? 'views.output.rules.all' : 'views.output.rules.some', { n: r.drawable, V: r.V });
  if (tau === 0) return t('views.output.rules.greedy', { can });
  const k = topK === 0 ? t('views.output.rules.topKOff') : t('views.output.rules.topK', { k: topK, n: r.byTopK });
  const p = topP === 1 ? t('views.output.rules.topPOff') : t('views.output.rules.topP', { p: fmt(topP, 3), n: r.byTopP, more: topK === 0 ? 'no' : 'yes' });
  const zero = r.zero ? t('views.output.rules.zero', { n: r.zero, tau: fmt(tau, 3) }) : '';
  return t('views.output.rules.line', { k, p, can, zero });
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
  const bars = el('ol', { className: 'bars', attrs: { 'aria-label': t('views.output.barsLabel'), dir: 'ltr' } });
  const legend = el(
    'p',
    { className: 'bars-legend' },
    el('span', { className: 'swatch swatch-bar' }),
    t('views.output.legendSampled'),
    el('span', { className: 'swatch swatch-tick' }),
    t('views.output.legendModel'),
  );
  const scaleNote = liveText('span', 'bars-scale');
  legend.append(scaleNote.element, exportButtons(barsFigure, () => 'next-token-probabilities'));
  const strip = el('canvas', { className: 'prob-strip', attrs: { role: 'img', 'aria-label': t('views.output.stripLabel') } });
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
    return barsSvg({ ...shown, legend: [t('views.output.legendSampled').trim(), t('views.output.legendModel').trim()] });
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
      const words = d.words ?? TOY_WORDS;
      const { normF, head } = outputSymbols(words);
      const V = vocab.length;
      const { temperature: tau, topK, topP } = sampling;
      const order = topIds(logits, BARS); // the likeliest, as the sampler ranks them
      intro.set(t('views.output.intro', words));
      knobs.set(t('views.output.knobs'));
      formula.set(
        `z = ${normF}(x_last)·${head}ᵀ   : [1×C]·[C×V] = [1×V] → [1×${C}]·[${C}×${V}] = [1×${V}]`,
        tau === 0 ? t('views.output.formula.greedy') : t('views.output.formula.softmax', { tau: fmt(tau, 3) }),
        rulesLine(samplingRules(logits, sampling.probs, sampling), sampling),
      );
      const tail = [...d.text].slice(-24).map(tokenLabel).join('');
      context.set(tData('views.output.context', { tail, position: d.position }, ['tail']));

      sorted = { p: byRank(sampling.probs, STRIP_COLUMNS), p1: byRank(probs, STRIP_COLUMNS) };
      scale = Math.min(1, niceCeil(Math.max(sampling.probs[order[0]], probs[order[0]]))); // the likeliest token's, exactly
      scaleNote.set(t('views.output.scale', { scale: pct(scale) }));
      shown = {
        title: t('views.output.figureTitle', { tail }),
        scale,
        items: order.map((id) => ({ label: tokenLabel(vocab[id]), value: sampling.probs[id], reference: probs[id], text: pct(sampling.probs[id]) })),
      };
      // the label column fits the longest label shown (a subword token, '␣France'), up to LABEL_CHARS
      const longest = Math.min(LABEL_CHARS, Math.max(...order.map((id) => [...tokenLabel(vocab[id])].length)));
      bars.style.setProperty('--label-chars', String(longest));
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
            el('span', { className: 'chip chip-inline', attrs: { translate: 'no', title: tokenLabel(vocab[id]) } }, el('span', { className: 'chip-char', text: tokenLabel(vocab[id]) })),
            el('span', { className: 'bar-track' }, bar, tick),
            el('span', { className: 'bar-p', text: pct(p) }),
            el('span', { className: 'bar-z', text: `z = ${fmt(logits[id], 3)}`, attrs: { translate: 'no' } }),
          );
        }),
      );
      stripCaption.set(t('views.output.stripCaption', { V }));
      drawStrip();
      const top = order[0];
      const untouched = tau === 1 && topK === 0 && topP === 1;
      example.set(tData('views.output.example', {
        token: tokenLabel(vocab[top]), z: fmt(logits[top], 3), p: pct(probs[top]), untouched: untouched ? 'yes' : 'no',
        tau: fmt(tau, 3), rules: topK || topP < 1 ? 'yes' : 'no', sampled: pct(sampling.probs[top]),
      }, ['token']));
    },
  };
}
