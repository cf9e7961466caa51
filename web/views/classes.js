// The [CLS] classifier's verdict: for an encoder with classes, the page's output is the class
// probabilities the classifier reads off the first position ([CLS], ▶), not a next token.

import { el, liveText, tData } from './dom.js';
import { pct, tokenLabel } from './format.js';
import { t } from '../i18n/i18n.js';

export const CLS_CHAR = '\u25B6'; // ▶, the engine's [CLS] (crates/playground-core/src/data/classify.rs)

/** @param {HTMLElement} container */
export function createClassesView(container) {
  const intro = liveText('p', 'view-intro');
  const list = el('ol', { className: 'guesses classes', attrs: { 'aria-label': t('views.classes.label') } });
  const warning = liveText('p', 'callout');
  container.append(intro.element, list, warning.element);
  return {
    /**
     * @param {{ probs: Float32Array, classes: string[], first: string }} d probs (T, K): the
     *   classifier at every position (only position 0 is trained); first: the first token
     */
    update(d) {
      const k = d.classes.length;
      const row = Array.from(d.probs.subarray(0, k));
      const best = row.indexOf(Math.max(...row));
      intro.set(t('views.classes.intro'));
      list.replaceChildren(...row.map((p, i) => el(
        'li',
        { className: 'guess', attrs: { 'data-class': d.classes[i] } },
        el('span', { className: i === best ? 'cls-p best' : 'cls-p', attrs: { translate: 'no' }, text: `${d.classes[i]} ${pct(p)}` }),
      )));
      warning.element.hidden = d.first === CLS_CHAR;
      warning.set(tData('views.classes.warning', { cls: CLS_CHAR, first: tokenLabel(d.first) }, ['cls', 'first']));
    },
  };
}
