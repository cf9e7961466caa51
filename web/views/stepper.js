// One step of a numbered list at a time: the compact layout of "one head, step by step", which a
// widget uses by default (a blog post explains in its own words, and the whole list is thousands
// of pixels tall). Previous, a button per step and Next sit above the list; the other steps are
// hidden, and so is each step's prose (`.step-prose`): the formulas, maps and worked examples stay.

import { el } from './dom.js';
import { t } from '../i18n/i18n.js';

/**
 * @param {HTMLElement} list the steps, one child each
 * @param {string[]} headings each step's heading, for its button's label
 * @returns {{ element: HTMLElement, setCompact: (compact: boolean) => void }} element: the bar, to place above the list
 */
export function createStepper(list, headings) {
  const button = (text, label, onClick) => el('button', { className: 'stepper-button', text, attrs: { type: 'button', 'aria-label': label }, on: { click: onClick } });
  const prev = button('‹', t('views.stepper.previous'), () => go(at - 1));
  const next = button('›', t('views.stepper.next'), () => go(at + 1));
  const numbers = headings.map((h, i) => button(String(i + 1), t('views.stepper.step', { n: i + 1, heading: h }), () => go(i)));
  const where = el('span', { className: 'stepper-where', attrs: { 'aria-live': 'polite' } });
  const element = el('div', { className: 'stepper', attrs: { role: 'group', 'aria-label': t('views.stepper.label') } }, prev, ...numbers, next, where);
  let at = 0;
  let compact = false;

  function go(i) {
    at = Math.max(0, Math.min(headings.length - 1, i));
    show();
  }

  function show() {
    element.hidden = !compact;
    list.classList.toggle('steps-compact', compact);
    [...list.children].forEach((step, i) => { step.hidden = compact && i !== at; });
    numbers.forEach((b, i) => b.setAttribute('aria-pressed', String(i === at)));
    prev.disabled = at === 0;
    next.disabled = at === headings.length - 1;
    where.textContent = t('views.stepper.where', { n: at + 1, total: headings.length });
  }

  show();
  return {
    element,
    setCompact(on) {
      compact = on;
      show();
    },
  };
}
