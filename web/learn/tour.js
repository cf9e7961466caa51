// The guided tour: a card that walks through Explore's sections one stop at a time (STOPS in
// tour-stops.js), scrolling each into view and outlining it, with text computed from the
// numbers on screen. Next / Back / Skip buttons, the arrow keys and Esc, a swipe on the card;
// the address keeps the stop (#tour=5), so a reload or a shared link resumes there.

import { el } from '../views/dom.js';
import { t } from '../i18n/i18n.js';
import { dataHolder } from './glossary.js';
import { STOPS } from './tour-stops.js';
const SWIPE = 50; // px of horizontal travel that counts as a swipe on the card

/**
 * @param {{ context: () => object|null, onStop: (stop: number) => void, jump: (target: Element, options: ScrollIntoViewOptions) => void }} hooks
 *   context: what the stops' texts read (null: nothing traced yet); onStop: the stop shown
 *   changed (1…STOPS.length, 0 when the tour ends), for the address; jump: scrolls a stop into
 *   view (Explore's, which ends at it while the page still changes)
 */
export function createTour({ context, onStop, jump }) {
  const title = el('h2', { className: 'tour-title', attrs: { id: 'tour-title' } });
  const count = el('p', { className: 'tour-count' });
  const body = el('p', { className: 'tour-text', attrs: { id: 'tour-text', 'aria-live': 'polite' } });
  const back = el('button', { text: t('learn.tour.back'), attrs: { type: 'button', 'data-tour': 'back' } });
  const next = el('button', { className: 'primary', text: t('learn.tour.next'), attrs: { type: 'button', 'data-tour': 'next' } });
  const skip = el('button', { className: 'tour-skip', text: t('learn.tour.skip'), attrs: { type: 'button', 'data-tour': 'skip' } });
  const card = el('section', { className: 'tour-card', attrs: { role: 'dialog', 'aria-labelledby': 'tour-title', 'aria-describedby': 'tour-text' } },
    el('div', { className: 'tour-head' }, count, skip), title, body, el('div', { className: 'tour-nav' }, back, next));
  card.hidden = true;
  document.body.append(card);
  let stop = 0; // 1-based; 0: no tour
  /** +1 where the next stop lies to the right (the arrow key and the swipe), −1 in a right-to-left language. */
  const ahead = () => (getComputedStyle(card).direction === 'rtl' ? -1 : 1);
  let outlined = null;

  function render() {
    const s = STOPS[stop - 1];
    const ctx = context();
    count.textContent = t('learn.tour.of', { i: stop, n: STOPS.length });
    title.textContent = s.title();
    const data = dataHolder(); // the reader's text and tokens in the stop's text: translate="no"
    body.replaceChildren(...(ctx ? data.nodes(s.text(ctx, data.wrap)) : [t('learn.tour.waiting')]));
    back.disabled = stop === 1;
    next.textContent = stop === STOPS.length ? t('learn.tour.done') : t('learn.tour.next');
  }

  function go(n, { scroll = true } = {}) {
    if (n < 1 || n > STOPS.length) return end();
    const moved = n !== stop;
    stop = n;
    card.hidden = false;
    render();
    const target = document.getElementById(STOPS[n - 1].target);
    outlined?.classList.remove('tour-target');
    outlined = target;
    target?.classList.add('tour-target');
    if (target && scroll && moved) {
      const still = matchMedia('(prefers-reduced-motion: reduce)').matches; // i18n-exempt: a media query
      jump(target, { behavior: still ? 'auto' : 'smooth', block: 'start' });
    }
    if (moved) onStop(stop);
  }

  function end() {
    if (!stop) return;
    stop = 0;
    card.hidden = true;
    outlined?.classList.remove('tour-target');
    outlined = null;
    onStop(0);
  }

  back.addEventListener('click', () => go(stop - 1));
  next.addEventListener('click', () => go(stop + 1));
  skip.addEventListener('click', end);
  document.addEventListener('keydown', (e) => {
    if (!stop || e.altKey || e.ctrlKey || e.metaKey) return;
    const typing = e.target instanceof Element && e.target.closest('input, textarea, select, [contenteditable], .hm-canvas, [role="grid"]');
    if (e.key === 'Escape') end();
    else if (typing) return;
    else if (e.key === 'ArrowRight') go(stop + ahead());
    else if (e.key === 'ArrowLeft') go(stop - ahead());
    else return;
    e.preventDefault();
  });
  let swipeFrom = null;
  card.addEventListener('pointerdown', (e) => { swipeFrom = e.pointerType === 'mouse' ? null : e.clientX; });
  card.addEventListener('pointerup', (e) => {
    if (swipeFrom === null) return;
    const dx = e.clientX - swipeFrom;
    swipeFrom = null;
    if (Math.abs(dx) >= SWIPE) go(stop + (dx < 0 ? ahead() : -ahead()));
  });

  return {
    get stop() { return stop; },
    length: STOPS.length,
    /** Starts (or resumes) at stop `n`. */
    start: (n = 1) => go(n),
    end,
    /** The numbers changed (new text, layer, head or model): the card says the new ones; `n`: the address's stop. */
    refresh(n) {
      if (n !== stop) {
        if (n) go(n);
        else end();
      } else if (stop) render();
    },
  };
}
