// Fill the mask: for an encoder trained as a masked LM, the page's "next token" becomes the
// model's guesses at every hidden position. The learner types █ (or [MASK]) where a token
// should be guessed; each hidden position gets its most likely tokens with probabilities,
// read from both sides of it at once.

import { el, liveText, tData } from './dom.js';
import { t } from '../i18n/i18n.js';
import { pct, tokenLabel } from './format.js';

export const MASK_CHAR = '\u2588'; // █, the engine's [MASK] (crates/playground-core/src/data/mlm.rs)
const TOP = 5; // guesses per hidden position

/** The text as the engine reads it: each "[MASK]" becomes the [MASK] character. */
export function withMaskChars(text) {
  return text.replaceAll('[MASK]', MASK_CHAR);
}

/**
 * The `TOP` likeliest tokens at every position whose id is `maskId`.
 * @param {number[]} ids (T)
 * @param {Float32Array} probs (T, V)
 * @param {string[]} vocab (V)
 * @returns {{ position: number, top: { token: string, p: number }[] }[]}
 */
export function maskGuesses(ids, probs, vocab, maskId) {
  const V = vocab.length;
  return ids.flatMap((id, position) => {
    if (id !== maskId) return [];
    const row = Array.from(probs.subarray(position * V, (position + 1) * V), (p, i) => ({ token: vocab[i], p }));
    row.sort((a, b) => b.p - a.p);
    return [{ position, top: row.filter((g) => g.token !== MASK_CHAR).slice(0, TOP) }];
  });
}

/** @param {HTMLElement} container */
export function createFillMaskView(container) {
  const intro = liveText('p', 'view-intro');
  const list = el('ol', { className: 'guesses fill-mask', attrs: { 'aria-label': t('views.fillMask.label') } });
  container.append(intro.element, list);
  return {
    /** @param {{ ids: number[], labels: string[], probs: Float32Array, vocab: string[] }} d */
    update(d) {
      const guesses = maskGuesses(d.ids, d.probs, d.vocab, d.vocab.indexOf(MASK_CHAR));
      intro.set(tData('views.fillMask.intro', { mask: MASK_CHAR, n: guesses.length }, ['mask']));
      list.replaceChildren(...guesses.map((g) => el(
        'li',
        { className: 'guess', attrs: { 'data-position': String(g.position) } },
        el('span', { className: 'guess-truth', text: t('views.fillMask.position', { position: g.position }) }),
        ...g.top.map((t, i) => el('code', { className: i === 0 ? 'tok hit' : 'tok', attrs: { translate: 'no' }, text: `${tokenLabel(t.token)} ${pct(t.p)}` })),
      )));
    },
  };
}
