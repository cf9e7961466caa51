// Why not an RNN: table 1 of "Attention Is All You Need", computed for this text's T and this
// model's C rather than quoted. Per layer: the work (FLOPs of the part that mixes tokens), the
// operations that must run one after another, and the longest path a signal takes between two
// tokens, for self-attention and for a recurrent layer h_t = tanh(W·h_{t−1} + U·x_t).

import { el } from '../views/dom.js';
import { si } from '../views/cost.js';
import { t, formatNumber } from '../i18n/i18n.js';
import { marked } from './glossary.js';

/** A ratio as the verdict writes it: one decimal below 10, none from 10 ("2.5", "12"). */
const ratioText = (r) => formatNumber(r, r >= 10 ? { maximumFractionDigits: 0 } : { minimumFractionDigits: 1, maximumFractionDigits: 1 });

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
  const intro = el('p', { className: 'view-intro' }, ...marked(t('learn.rnn.intro')));
  const table = el('table', { className: 'cost-table rnn-table' });
  const verdict = el('p', { className: 'callout' });
  container.append(intro, el('div', { className: 'table-scroll' }, table), verdict);
  return {
    update(T, C) {
      const c = compareLayers(T, C);
      const row = (name, r, work) => el('tr', {}, el('th', { text: name }), el('td', { className: 'num', text: work, attrs: { translate: 'no' } }), el('td', { className: 'num', text: String(r.sequential) }), el('td', { className: 'num', text: String(r.path) }));
      table.replaceChildren(
        el('caption', { text: t('learn.rnn.caption', { T, C }) }),
        el('tr', {}, el('th'), ...['learn.rnn.head.work', 'learn.rnn.head.steps', 'learn.rnn.head.path'].map((key) => el('th', {}, ...marked(t(key))))),
        row(t('learn.rnn.attention'), c.attention, `4·T²·C = ${si(4 * T * T * C)}`), // the formula and its value: data
        row(t('learn.rnn.rnn'), c.rnn, `4·T·C² = ${si(4 * T * C * C)}`),
      );
      verdict.textContent = t('learn.rnn.verdict', {
        compare: c.ratio >= 1 ? 'more' : 'less', ratio: ratioText(c.ratio >= 1 ? c.ratio : 1 / c.ratio), T: c.T, path: c.T - 1,
      });
    },
  };
}
