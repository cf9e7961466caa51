// Explore at a glance, beside the text box: the text's tokens and the chosen head's attention
// map, small, so the first screen shows what the model does with the text before any scrolling.
// The buttons under it (data-jump, wired with the steps bar) lead to the full steps.

import { el } from './dom.js';
import { t } from '../i18n/i18n.js';
import { drawMiniMap, watchWidth } from './canvas.js';

const MAP = 176; // px, side of the attention map

/**
 * @param {HTMLElement} container holds, from the page's markup, the buttons to the full steps
 * @returns {{ update: (d: { ids: number[], labels: string[], T: number, att: Float32Array, layer: number, head: number,
 *   causal: boolean }) => void }} labels: the window's tokens as shown; att: (T, T) the head's attention weights
 */
export function createGlanceView(container) {
  const chips = el('div', { className: 'chips chips-small glance-chips', attrs: { role: 'list', 'aria-label': t('views.glance.tokens'), dir: 'ltr', translate: 'no' } });
  const canvas = el('canvas', { className: 'glance-canvas', attrs: { role: 'img' } });
  const caption = el('figcaption', { className: 'hint' });
  const map = el('figure', { className: 'glance-map' }, canvas, caption);
  container.prepend(el('p', { className: 'glance-title', text: t('views.glance.title') }), chips, map);
  let shown = null;

  function draw() {
    if (shown) drawMiniMap(canvas, { data: shown.att, rows: shown.T, cols: shown.T, kind: 'unit', causal: shown.causal, size: MAP });
  }
  watchWidth(container, draw); // and again when the colour scheme changes

  return {
    update(d) {
      shown = d;
      chips.replaceChildren(...d.labels.map((label, i) => el(
        'span',
        { className: 'chip', attrs: { role: 'listitem' } },
        el('span', { className: 'chip-char', text: label }),
        el('span', { className: 'chip-id', text: String(d.ids[i]) }),
      )));
      const { T, layer, head } = d;
      canvas.setAttribute('aria-label', t('views.glance.mapLabel', { layer, head, T }));
      caption.textContent = t('views.glance.caption', { layer, head, causal: d.causal ? 'yes' : 'no' });
      draw();
    },
  };
}
