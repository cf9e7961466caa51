// Why not an RNN: table 1 of "Attention Is All You Need", computed for this text's T and this
// model's C rather than quoted. Per layer: the work (FLOPs of the part that mixes tokens), the
// operations that must run one after another, and the longest path a signal takes between two
// tokens, for self-attention and for a recurrent layer h_t = tanh(W·h_{t−1} + U·x_t).

import { el } from '../views/dom.js';
import { si } from '../views/cost.js';
import { marked } from './glossary.js';

const WORDS = {
  intro: 'Before transformers, language models were [[rnn|RNNs]]: they read one [[token]] after another, carrying a memory vector along. The table compares one [[layer]] of each for your text (T tokens, C numbers per token).',
  caption: (T, C) => `One layer, T = ${T} tokens, C = ${C}`,
  head: ['', 'work ([[flops|FLOPs]])', 'steps one after another', 'longest path between two tokens'],
  attention: 'self-attention',
  rnn: 'recurrent layer',
  attnWork: (T, C) => `4·T²·C = ${si(4 * T * T * C)}`,
  rnnWork: (T, C) => `4·T·C² = ${si(4 * T * C * C)}`,
  verdict: (c) =>
    `Attention does ${c.ratio >= 1 ? `${fmtRatio(c.ratio)}× more` : `${fmtRatio(1 / c.ratio)}× less`} work than the RNN here (it is cheaper while T < C), but all of it at once: 1 step instead of ${c.T}, and any token reaches any other in 1 step instead of up to ${c.T - 1}. On a GPU, the steps one after another are what cost time.`,
};

const fmtRatio = (r) => (r >= 10 ? String(Math.round(r)) : r.toFixed(1));

/**
 * The comparison for T tokens of width C: FLOPs of the token-mixing part (attention: Q·Kᵀ and
 * A·V, 2·T²·C each; RNN: W·h and U·x per step, 2·C² each), sequential operations, maximum path length.
 */
export function compareLayers(T, C) {
  return {
    T,
    C,
    attention: { flops: 4 * T * T * C, sequential: 1, path: 1 },
    rnn: { flops: 4 * T * C * C, sequential: T, path: Math.max(1, T - 1) },
    ratio: (4 * T * T * C) / (4 * T * C * C),
  };
}

/** @param {HTMLElement} container */
export function createRnnView(container) {
  const intro = el('p', { className: 'view-intro' }, ...marked(WORDS.intro));
  const table = el('table', { className: 'cost-table rnn-table' });
  const verdict = el('p', { className: 'callout' });
  container.append(intro, el('div', { className: 'table-scroll' }, table), verdict);
  return {
    update(T, C) {
      const c = compareLayers(T, C);
      const row = (name, r, work) => el('tr', {}, el('th', { text: name }), el('td', { className: 'num', text: work }), el('td', { className: 'num', text: String(r.sequential) }), el('td', { className: 'num', text: String(r.path) }));
      table.replaceChildren(
        el('caption', { text: WORDS.caption(T, C) }),
        el('tr', {}, ...WORDS.head.map((h) => el('th', {}, ...marked(h)))),
        row(WORDS.attention, c.attention, WORDS.attnWork(T, C)),
        row(WORDS.rnn, c.rnn, WORDS.rnnWork(T, C)),
      );
      verdict.textContent = WORDS.verdict(c);
    },
  };
}
