// Draws an encoder's predictions (predict.js) as items of the Train page's samples list: the
// masked example with its hidden positions marked and the guesses for each, or the bracket
// strings with their class probabilities.

import { el } from '../views/dom.js';
import { pct, tokenLabel } from '../views/format.js';
import { t } from '../i18n/i18n.js';

/** The sentence above the list, for what a family shows ('masked' or 'classes', presets.js FAMILIES). */
export function predictionsIntro(shows, every) {
  return t(shows === 'classes' ? 'train.predictions.classesIntro' : 'train.predictions.maskedIntro', { every });
}

/** One evaluation's predictions as a list item. */
export function predictionItem(s) {
  const step = el('span', { className: 'sample-step', text: t('train.samples.step', { step: s.step }) });
  const block = { cls: classBlock, seq2seq: decodingBlock }[s.kind] ?? maskBlock;
  return el('li', { className: 'sample', attrs: { 'data-kind': s.kind } }, step, block(s));
}

/** An encoder-decoder's two decodings of the probe source, against the true target (padding, "\n", shows as ·). */
function decodingBlock(s) {
  const right = s.greedy === s.target;
  const shown = (text) => text.replace(/\n/g, '·');
  return el('p', { className: 'sample-text' },
    t('train.predictions.decodings', { target: s.target, teacher: shown(s.teacher), greedy: shown(s.greedy) }), ' ',
    el('span', { className: 'verdict', attrs: { 'data-right': String(right) }, text: right ? '✓' : '✗' }));
}

function maskBlock(s) {
  const hidden = new Map(s.hidden.map((h, i) => [h.position, i + 1]));
  const line = el('pre', { className: 'sample-text', attrs: { translate: 'no', dir: 'auto' } }, ...s.tokens.map((tok, i) => hidden.has(i)
    ? el('mark', { className: 'masked', text: `[MASK]${sup(hidden.get(i))}`, attrs: { title: t('train.predictions.hidden', { token: tokenLabel(s.hidden[hidden.get(i) - 1].truth) }) } })
    : tok));
  const rows = s.hidden.map((h, i) => {
    const right = h.top[0]?.token === h.truth;
    return el(
      'li',
      { className: right ? 'guess right' : 'guess wrong', attrs: { 'data-right': String(right) } },
      el('span', { className: 'guess-truth', text: t('train.predictions.was', { n: sup(i + 1), token: tokenLabel(h.truth) }) }),
      ...h.top.map((g) => el('code', { className: g.token === h.truth ? 'tok hit' : 'tok', text: `${tokenLabel(g.token)} ${pct(g.p)}` })),
      el('span', { className: 'verdict', text: right ? '✓' : '✗' }),
    );
  });
  return el('div', { className: 'predictions' }, line, el('ol', { className: 'guesses' }, ...rows));
}

function classBlock(s) {
  const rows = s.rows.map((r) => {
    const best = r.probs[1] > r.probs[0] ? 1 : 0;
    const right = best === r.label;
    return el(
      'li',
      { className: right ? 'guess right' : 'guess wrong', attrs: { 'data-right': String(right) } },
      el('code', { className: 'cls-text', text: `[CLS]${r.text}` }),
      ...r.probs.map((p, k) => el('span', { className: k === best ? 'cls-p best' : 'cls-p', text: t('train.predictions.classP', { name: s.classes[k], p: pct(p) }) })),
      el('span', { className: 'verdict', text: right ? '✓' : t('train.predictions.itIs', { name: s.classes[r.label] }) }),
    );
  });
  const correct = s.rows.filter((r) => (r.probs[1] > r.probs[0] ? 1 : 0) === r.label).length;
  return el('div', { className: 'predictions' }, el('p', { className: 'hint', text: t('train.predictions.right', { correct, n: s.rows.length }) }), el('ol', { className: 'guesses' }, ...rows));

}

/** Superscript digits: 1 → ¹. */
function sup(n) {
  return String(n).replace(/\d/g, (d) => '⁰¹²³⁴⁵⁶⁷⁸⁹'[d]);
}
