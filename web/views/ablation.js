// Ablation view: switch attention heads or whole blocks off and see what the model loses. A
// switched-off head's output (its HS columns, before the output projection) is multiplied by
// 0; a switched-off block adds nothing to the residual stream. The change shows in the loss on
// the text and in the next-token probabilities.

import { el, formulaBlock, liveText } from './dom.js';
import { scrollBox } from './scroll-box.js';
import { fmt, pct, tokenLabel } from './format.js';
import { topIds } from './rank.js';

const SHOWN = 8; // tokens in the probability table

/**
 * @param {HTMLElement} container
 * @param {{ onChange: (spec: { heads: number[][], layers: number[] }) => void }} options
 */
export function createAblationView(container, { onChange }) {
  const intro = liveText('p', 'view-intro');
  const formula = formulaBlock();
  const toggles = el('div', { className: 'ablate-grid', attrs: { role: 'group', 'aria-label': 'heads and blocks to switch off' } });
  const reset = el('button', { text: 'Reset: everything on', attrs: { type: 'button' } });
  const summary = liveText('p', 'callout');
  const table = el('table', { className: 'ablate-table' });
  container.append(intro.element, formula.element, toggles, el('p', {}, reset), summary.element, scrollBox(table, 'the probability table'));
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
      const block = el('button', { className: 'ablate-block', text: `block ${l}`, attrs: { type: 'button', 'aria-pressed': 'false' } });
      block.addEventListener('click', () => toggle(off.layers, l, block));
      const heads = Array.from({ length: NH }, (_, h) => {
        const b = el('button', { className: 'ablate-head', text: `head ${h}`, attrs: { type: 'button', 'aria-pressed': 'false', 'aria-label': `block ${l} head ${h}` } });
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
      intro.set(
        'Switch a head or a whole block off and the model runs without it: press the buttons below. The loss on your text and the ' +
          'next-token probabilities show what it contributed. Nothing is retrained; Reset switches everything back on.',
      );
      formula.set(
        `head h off:  out_h = att_h · V_h  becomes  0 · out_h   (its HS = ${d.HS} columns of [T×C], before the projection)`,
        'block l off:  x ← x + attn(…) + mlp(…)  becomes  x ← x',
      );
      const n = off.heads.size + off.layers.size;
      const loss = (v) => (v === null ? 'n/a (one token has no next token in the text)' : fmt(v, 4));
      const delta = d.baseLoss !== null && d.ablatedLoss !== null ? ` (${d.ablatedLoss >= d.baseLoss ? '+' : ''}${fmt(d.ablatedLoss - d.baseLoss, 3)})` : '';
      summary.set(
        n === 0
          ? `Everything is on. Loss on your text (mean −ln p of each next character): ${loss(d.baseLoss)}.`
          : `${n} switched off. Loss on your text: ${loss(d.baseLoss)} with everything on → ${loss(d.ablatedLoss)} without${delta}.`,
      );
      const order = topIds(d.base.map((p, id) => Math.max(p, d.ablated[id])), SHOWN);
      const head = el('tr', {}, ...['next token', 'all on', 'ablated', 'change'].map((s) => el('th', { text: s })));
      const rows = order.map((id) =>
        el(
          'tr',
          {},
          el('td', { text: `'${tokenLabel(d.vocab[id])}'` }),
          el('td', { text: pct(d.base[id]) }),
          el('td', { text: pct(d.ablated[id]) }),
          el('td', { text: `${d.ablated[id] >= d.base[id] ? '+' : '−'}${pct(Math.abs(d.ablated[id] - d.base[id]))}` }),
        ),
      );
      table.replaceChildren(el('caption', { text: `After '${d.labels[d.labels.length - 1]}': the ${SHOWN} likeliest next tokens` }), head, ...rows);
    },
  };
}
