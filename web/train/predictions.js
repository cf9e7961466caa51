// Draws an encoder's predictions (predict.js) as items of the Train page's samples list: the
// masked example with its hidden positions marked and the guesses for each, or the bracket
// strings with their class probabilities.

import { el } from '../views/dom.js';
import { pct, tokenLabel } from '../views/format.js';

/** The sentence above the list, for what a family shows ('masked' or 'classes', presets.js FAMILIES). */
export function predictionsIntro(shows, every) {
  return shows === 'classes'
    ? `Every ${every} steps the classifier reads these bracket strings (after [CLS], padded to the context as in training) and gives ` +
      'the probability of each class; ✓ marks a right verdict. Untrained, it says 50/50 to everything.'
    : `Every ${every} steps a fixed example goes in with about 15% of its tokens hidden as [MASK]; below it, the model’s three ` +
      'likeliest tokens for each hidden one, ✓ where the top guess is the token that was hidden.';
}

/** One evaluation's predictions as a list item. */
export function predictionItem(s) {
  const step = el('span', { className: 'sample-step', text: `step ${s.step.toLocaleString('en')}` });
  const block = { cls: classBlock, seq2seq: decodingBlock }[s.kind] ?? maskBlock;
  return el('li', { className: 'sample', attrs: { 'data-kind': s.kind } }, step, block(s));
}

/** An encoder-decoder's two decodings of the probe source, against the true target (padding, "\n", shows as ·). */
function decodingBlock(s) {
  const right = s.greedy === s.target;
  const shown = (text) => text.replace(/\n/g, '·');
  return el('p', { className: 'sample-text' },
    `target “${s.target}”: teacher forcing “${shown(s.teacher)}”, step by step “${shown(s.greedy)}” `,
    el('span', { className: 'verdict', attrs: { 'data-right': String(right) }, text: right ? '✓' : '✗' }));
}

function maskBlock(s) {
  const hidden = new Map(s.hidden.map((h, i) => [h.position, i + 1]));
  const line = el('pre', { className: 'sample-text' }, ...s.tokens.map((tok, i) => hidden.has(i)
    ? el('mark', { className: 'masked', text: `[MASK]${sup(hidden.get(i))}`, attrs: { title: `hidden: ${tokenLabel(s.hidden[hidden.get(i) - 1].truth)}` } })
    : tok));
  const rows = s.hidden.map((h, i) => {
    const right = h.top[0]?.token === h.truth;
    return el(
      'li',
      { className: right ? 'guess right' : 'guess wrong', attrs: { 'data-right': String(right) } },
      el('span', { className: 'guess-truth', text: `${sup(i + 1)} was ${tokenLabel(h.truth)}` }),
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
      ...r.probs.map((p, k) => el('span', { className: k === best ? 'cls-p best' : 'cls-p', text: `${s.classes[k]} ${pct(p)}` })),
      el('span', { className: 'verdict', text: right ? '✓' : `✗ (it is ${s.classes[r.label]})` }),
    );
  });
  const correct = s.rows.filter((r) => (r.probs[1] > r.probs[0] ? 1 : 0) === r.label).length;
  return el('div', { className: 'predictions' }, el('p', { className: 'hint', text: `${correct} of ${s.rows.length} right` }), el('ol', { className: 'guesses' }, ...rows));
}

/** Superscript digits: 1 → ¹. */
function sup(n) {
  return String(n).replace(/\d/g, (d) => '⁰¹²³⁴⁵⁶⁷⁸⁹'[d]);
}
