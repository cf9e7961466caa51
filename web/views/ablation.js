// Ablation view: switch attention heads or whole blocks off and see what the model loses. A
// switched-off head's output (its HS columns, before the output projection) is multiplied by
// 0; a switched-off block adds nothing to the residual stream. The change shows in the loss on
// the text and in the next-token probabilities.

import { el, formulaBlock, liveText, tData } from './dom.js';
import { scrollBox } from './scroll-box.js';
import { fmt, pct, tokenLabel } from './format.js';
import { topIds } from './rank.js';
import { t } from '../i18n/i18n.js';
import { TOY_WORDS } from './model-words.js';

const SHOWN = 8; // tokens in the probability table

/**
 * @param {HTMLElement} container
 * @param {{ onChange: (spec: { heads: number[][], layers: number[] }) => void }} options
 */
export function createAblationView(container, { onChange }) {
  const intro = liveText('p', 'view-intro');
  const formula = formulaBlock();
  const toggles = el('div', { className: 'ablate-grid', attrs: { role: 'group', 'aria-label': t('views.ablation.gridLabel') } });
  const reset = el('button', { text: t('views.ablation.reset'), attrs: { type: 'button' } });
  const summary = liveText('p', 'callout');
  // signed numbers and token columns read left to right in a right-to-left page, as in the lens
  const table = el('table', { className: 'ablate-table', attrs: { dir: 'ltr' } });
  container.append(intro.element, formula.element, toggles, el('p', {}, reset), summary.element, scrollBox(table, t('views.ablation.tableLabel')));
  let shape = null; // { L, NH }
  const off = { heads: new Set(), layers: new Set() };

  const spec = () => ({ heads: [...off.heads].map((k) => k.split('.').map(Number)), layers: [...off.layers] });
  function toggle(set, key, button) {
    if (set.has(key)) set.delete(key);
    else set.add(key);
    button.setAttribute('aria-pressed', String(set.has(key)));
    onChange(spec());
  }
  reset.addEventListener('click', () => {
    off.heads.clear();
    off.layers.clear();
    for (const b of toggles.querySelectorAll('button')) b.setAttribute('aria-pressed', 'false');
    onChange(spec());
  });

  function build(L, NH) {
    shape = { L, NH };
    off.heads.clear();
    off.layers.clear();
    const rows = [];
    for (let l = 0; l < L; l++) {
      const block = el('button', { className: 'ablate-block', text: t('views.ablation.block', { l }), attrs: { type: 'button', 'aria-pressed': 'false' } });
      block.addEventListener('click', () => toggle(off.layers, l, block));
      const heads = Array.from({ length: NH }, (_, h) => {
        const b = el('button', { className: 'ablate-head', text: t('views.ablation.head', { h }), attrs: { type: 'button', 'aria-pressed': 'false', 'aria-label': t('views.ablation.blockHead', { l, h }) } });
        b.addEventListener('click', () => toggle(off.heads, `${l}.${h}`, b));
        return b;
      });
      rows.push(el('div', { className: 'ablate-row' }, block, ...heads));
    }
    toggles.replaceChildren(...rows);
  }

  return {
    /** The switched-off heads and blocks. */
    spec,
    /**
     * @param {{ L: number, NH: number, HS: number, labels: string[], vocab: string[], base: Float32Array, ablated: Float32Array,
     *   baseLoss: number|null, ablatedLoss: number|null }} d base, ablated: the next-token probabilities after the last token
     */
    update(d) {
      if (!shape || shape.L !== d.L || shape.NH !== d.NH) build(d.L, d.NH);
      intro.set(t('views.ablation.intro'));
      formula.set(t('views.ablation.formulaHead', { HS: d.HS }), t('views.ablation.formulaBlock'));
      const n = off.heads.size + off.layers.size;
      const loss = (v) => (v === null ? t('views.ablation.noLoss') : fmt(v, 4));
      const delta = d.baseLoss !== null && d.ablatedLoss !== null ? ` (${d.ablatedLoss >= d.baseLoss ? '+' : ''}${fmt(d.ablatedLoss - d.baseLoss, 3)})` : '';
      summary.set(
        n === 0
          ? t('views.ablation.allOn', { unit: (d.words ?? TOY_WORDS).unit, loss: loss(d.baseLoss) })
          : t('views.ablation.someOff', { n, base: loss(d.baseLoss), ablated: loss(d.ablatedLoss), delta }),
      );
      const order = topIds(d.base.map((p, id) => Math.max(p, d.ablated[id])), SHOWN);
      const head = el('tr', {}, ...['views.ablation.column.next', 'views.ablation.column.allOn', 'views.ablation.column.ablated', 'views.ablation.column.change'].map((key) => el('th', { text: t(key) })));
      const rows = order.map((id) =>
        el(
          'tr',
          {},
          el('td', { text: `'${tokenLabel(d.vocab[id])}'`, attrs: { translate: 'no' } }),
          el('td', { text: pct(d.base[id]) }),
          el('td', { text: pct(d.ablated[id]) }),
          el('td', { text: `${d.ablated[id] >= d.base[id] ? '+' : '−'}${pct(Math.abs(d.ablated[id] - d.base[id]))}` }),
        ),
      );
      table.replaceChildren(el('caption', {}, ...tData('views.ablation.caption', { label: d.labels[d.labels.length - 1], n: SHOWN }, ['label'])), head, ...rows);
    },
  };
}
