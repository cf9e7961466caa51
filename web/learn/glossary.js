// Marked terms and their definitions. A text marks a term as [[term]] or [[term|shown words]];
// `marked` turns it into text and term buttons; hovering, focusing or tapping a term shows its
// definition in one shared tip; the glossary panel lists every term. `messageNodes` shows a
// message with marks whose data (the reader's text, tokens) sits in translate="no" spans.

import { el, dataMarker, withDataSpans } from '../views/dom.js';
import { t, language, plainKey } from '../i18n/i18n.js';
import { GLOSSARY } from './glossary-terms.js';

const MARK = /\[\[([^\]|]+)(?:\|([^\]]+))?\]\]/g;
const TIP_GAP = 6; // px between a term and its tip
const EDGE = 8; // px the tip keeps from the window's edges

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
    const key = plainKey(m[1]);
    out.push(el('button', { className: 'term', text: m[2] ?? m[1], attrs: { type: 'button', 'data-term': key, 'aria-describedby': 'term-tip' } }));
    last = m.index + m[0].length;
  }
  if (last < text.length) out.push(text.slice(last));
  return out;
}

/**
 * Data in marked text: `wrap(s)` gives a placeholder for `s` (the reader's text, a token) to put in
 * a message's parameter, and `nodes(text)` the marked text as nodes, each placeholder a
 * translate="no" span holding its data (so no mark can be forged from it, and translators leave it).
 */
export function dataHolder() {
  const values = [];
  return {
    wrap(s) {
      values.push(String(s));
      return dataMarker(values.length - 1);
    },
    nodes: (text) => marked(text).flatMap((n) => (typeof n === 'string' ? withDataSpans(n, values, { dir: 'auto' }) : [n])),
  };
}

/**
 * A message as nodes: its marked terms as buttons, its `data` parameters in translate="no" spans.
 * @param {string} key
 * @param {Record<string, unknown>} [params] numbers and words
 * @param {Record<string, string>} [data] the reader's text, tokens
 */
export function messageNodes(key, params = {}, data = {}) {
  const holder = dataHolder();
  const wrapped = Object.fromEntries(Object.entries(data).map(([name, value]) => [name, holder.wrap(value)]));
  return holder.nodes(t(key, { ...params, ...wrapped }));
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
    tip.replaceChildren(el('strong', { text: def?.name ?? term.textContent }), ' ', def?.text ?? t('learn.glossary.missing'));
    tip.hidden = false;
    shownFor = term;
    const r = term.getBoundingClientRect();
    const w = tip.offsetWidth;
    const h = tip.offsetHeight;
    const start = getComputedStyle(term).direction === 'rtl' ? r.right - w : r.left; // the tip lines up with the term's start edge
    const left = Math.min(Math.max(EDGE, start), innerWidth - w - EDGE);
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

  const close = el('button', { className: 'panel-close', text: t('learn.glossary.close'), attrs: { type: 'button' }, on: { click: () => panel.close() } });
  const entries = Object.values(GLOSSARY).map((d) => ({ name: d.name, text: d.text })).sort((a, b) => a.name.localeCompare(b.name, language()));
  const list = el('dl', { className: 'glossary-list' }, ...entries.flatMap((d) => [el('dt', { text: d.name }), el('dd', { text: d.text })]));
  panel.append(el('div', { className: 'panel-head' }, el('h2', { text: t('learn.glossary.panelTitle'), attrs: { id: 'glossary-title' } }), close),
    el('p', { className: 'hint', text: t('learn.glossary.panelIntro') }), list);
  opener.addEventListener('click', () => panel.showModal());
}
