// The vocabulary as chips (token, id) in a box that scrolls, drawing only the rows in sight: a
// vocabulary of 262,144 tokens is as quick to show as one of 96. Nothing is drawn while the
// list is closed (it lives in a <details>).

import { el } from './dom.js';
import { tokenLabel } from './format.js';
import { t } from '../i18n/i18n.js';

const CELL_W = 76; // px: one chip's cell (a long token is cut, its whole text in the title)
const CELL_H = 40; // px
const SPARE_ROWS = 2; // drawn beyond each edge, so a scroll shows no blank row

/**
 * @param {HTMLDetailsElement} details the list's <details>; drawn when open
 * @returns {{ element: HTMLElement, show: (vocab: string[]) => void, shown: () => number }}
 *   element: the scrolling box (put it in `details`); shown: chips drawn now (for tests)
 */
export function createVocabList(details) {
  const rows = el('div', { className: 'chips chips-small vocab-rows' });
  const space = el('div', { className: 'vocab-space' }, rows);
  const box = el('div', { className: 'vocab-box', attrs: { tabindex: '0', role: 'list', dir: 'ltr', translate: 'no' } }, space);
  let vocab = [];
  let drawn = null; // `${first}:${last}:${cols}` of the chips on screen
  let frame = 0;

  function draw() {
    frame = 0;
    if (!details.open) return;
    const cols = Math.max(1, Math.floor(box.clientWidth / CELL_W));
    const total = Math.ceil(vocab.length / cols);
    space.style.height = `${total * CELL_H}px`;
    const top = Math.max(0, Math.floor(box.scrollTop / CELL_H) - SPARE_ROWS);
    const bottom = Math.min(total, Math.ceil((box.scrollTop + box.clientHeight) / CELL_H) + SPARE_ROWS);
    const key = `${top}:${bottom}:${cols}`;
    if (key === drawn) return;
    drawn = key;
    rows.style.transform = `translateY(${top * CELL_H}px)`;
    rows.style.gridTemplateColumns = `repeat(${cols}, ${CELL_W - 4}px)`;
    const ids = [];
    for (let id = top * cols; id < Math.min(vocab.length, bottom * cols); id++) ids.push(id);
    rows.replaceChildren(...ids.map((id) => {
      const label = tokenLabel(vocab[id]);
      return el('span', { className: 'chip', attrs: { role: 'listitem', title: t('views.vocab.title', { label, id }) } },
        el('span', { className: 'chip-char', text: label }), el('span', { className: 'chip-id', text: String(id) }));
    }));
  }

  const soon = () => { frame ||= requestAnimationFrame(draw); };
  box.addEventListener('scroll', soon, { passive: true });
  details.addEventListener('toggle', soon);
  new ResizeObserver(soon).observe(box);

  return {
    element: box,
    show(next) {
      if (next === vocab) return;
      vocab = next;
      drawn = null;
      box.scrollTop = 0;
      soon();
    },
    shown: () => rows.childElementCount,
  };
}
