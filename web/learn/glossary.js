// Marked terms and their definitions. A text marks a term as [[term]] or [[term|shown words]];
// `marked` turns it into text and term buttons; hovering, focusing or tapping a term shows its
// definition in one shared tip; the glossary panel lists every term.

import { el } from '../views/dom.js';
import { GLOSSARY } from './glossary-terms.js';

const MARK = /\[\[([^\]|]+)(?:\|([^\]]+))?\]\]/g;
const TIP_GAP = 6; // px between a term and its tip
const EDGE = 8; // px the tip keeps from the window's edges

const WORDS = {
  panelTitle: 'Glossary',
  panelIntro: 'Every term the page marks with a dotted underline. Hover, focus or tap one anywhere to see its definition.',
  close: 'Close',
  missing: 'No definition yet.',
};

/** The term keys a marked text uses, in order. */
export function termsIn(text) {
  return [...String(text).matchAll(MARK)].map((m) => m[1]);
}

/** The text without its marks: what a reader sees. */
export function plainText(text) {
  return String(text).replace(MARK, (_, term, shown) => shown ?? term);
}

/** A marked text as nodes: strings, and a button per term. */
export function marked(text) {
  const out = [];
  let last = 0;
  for (const m of String(text).matchAll(MARK)) {
    if (m.index > last) out.push(text.slice(last, m.index));
    const key = m[1];
    out.push(el('button', { className: 'term', text: m[2] ?? m[1], attrs: { type: 'button', 'data-term': key, 'aria-describedby': 'term-tip' } }));
    last = m.index + m[0].length;
  }
  if (last < text.length) out.push(text.slice(last));
  return out;
}

/** The definition of `key` ({ name, text }), or undefined. */
export const definition = (key) => (Object.hasOwn(GLOSSARY, key) ? GLOSSARY[key] : undefined);

/**
 * Shows a term's definition on hover, focus or tap, anywhere on the page; fills the glossary panel.
 * @param {{ panel: HTMLDialogElement, opener: HTMLElement }} ui
 */
export function wireGlossary({ panel, opener }) {
  const tip = el('div', { className: 'term-tip', attrs: { id: 'term-tip', role: 'tooltip' } });
  tip.hidden = true;
  document.body.append(tip);
  let shownFor = null;

  function show(term) {
    const def = definition(term.dataset.term);
    tip.replaceChildren(el('strong', { text: def?.name ?? term.textContent }), ' ', def?.text ?? WORDS.missing);
    tip.hidden = false;
    shownFor = term;
    const r = term.getBoundingClientRect();
    const w = tip.offsetWidth;
    const h = tip.offsetHeight;
    const left = Math.min(Math.max(EDGE, r.left), innerWidth - w - EDGE);
    const below = r.bottom + TIP_GAP + h < innerHeight - EDGE;
    tip.style.left = `${left}px`;
    tip.style.top = `${below ? r.bottom + TIP_GAP : Math.max(EDGE, r.top - TIP_GAP - h)}px`;
  }
  function hide() {
    tip.hidden = true;
    shownFor = null;
  }
  const termOf = (e) => (e.target instanceof Element ? e.target.closest('.term[data-term]') : null);
  document.addEventListener('pointerover', (e) => { const t = termOf(e); if (t && e.pointerType === 'mouse') show(t); });
  document.addEventListener('pointerout', (e) => { if (termOf(e) && e.pointerType === 'mouse') hide(); });
  document.addEventListener('focusin', (e) => { const t = termOf(e); if (t) show(t); else if (shownFor) hide(); });
  document.addEventListener('focusout', (e) => { if (termOf(e)) hide(); });
  document.addEventListener('click', (e) => { // a tap (the focus already showed it) or a click: shown until a click elsewhere
    const t = termOf(e);
    if (t) show(t);
    else if (shownFor) hide();
  });
  document.addEventListener('keydown', (e) => { if (e.key === 'Escape' && shownFor) hide(); });
  addEventListener('scroll', () => { if (shownFor) show(shownFor); }, { passive: true }); // the tip follows its term

  const close = el('button', { className: 'panel-close', text: WORDS.close, attrs: { type: 'button' }, on: { click: () => panel.close() } });
  const entries = Object.values(GLOSSARY).sort((a, b) => a.name.localeCompare(b.name));
  const list = el('dl', { className: 'glossary-list' }, ...entries.flatMap((d) => [el('dt', { text: d.name }), el('dd', { text: d.text })]));
  panel.append(el('div', { className: 'panel-head' }, el('h2', { text: WORDS.panelTitle, attrs: { id: 'glossary-title' } }), close),
    el('p', { className: 'hint', text: WORDS.panelIntro }), list);
  opener.addEventListener('click', () => panel.showModal());
}
