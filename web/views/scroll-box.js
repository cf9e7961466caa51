// A box that scrolls sideways when what it holds is wider than the column (a wide table on a
// phone), and shows it: while it does, a line above says so and the side that hides more fades
// out. The box takes keyboard focus, so the arrow keys scroll it too.

import { el } from './dom.js';
import { t } from '../i18n/i18n.js';

/**
 * @param {HTMLElement} content
 * @param {string} label what the box holds, for screen readers ("the cost table"), in the page's language
 * @returns {HTMLElement} the box with its line, to place where `content` would go
 */
export function scrollBox(content, label) {
  const hint = el('p', { className: 'scroll-hint', text: t('views.scrollBox.hint'), attrs: { 'aria-hidden': 'true' } });
  const box = el('div', { className: 'table-scroll', attrs: { tabindex: '0', role: 'region', 'aria-label': label } }, content);
  const wrap = el('div', { className: 'scroll-wrap' }, hint, box);
  const mark = () => {
    const more = box.scrollWidth - box.clientWidth; // px hidden, left and right together
    // px scrolled from the left edge (right to left, scrollLeft runs from 0 at the right edge down to −more)
    const fromLeft = getComputedStyle(box).direction === 'rtl' ? box.scrollLeft + more : box.scrollLeft;
    const left = fromLeft > 1;
    const right = fromLeft < more - 1;
    wrap.dataset.overflow = more <= 1 ? 'none' : left && right ? 'both' : left ? 'left' : 'right';
  };
  box.addEventListener('scroll', mark, { passive: true });
  const observer = new ResizeObserver(mark);
  observer.observe(box);
  observer.observe(content);
  return wrap;
}
