// Small DOM helpers shared by the views. Elements are built from data, never from HTML
// strings, so text a user typed is always shown as text (the page runs under a strict
// Content-Security-Policy: no inline scripts or styles, no innerHTML).

import { tNodes } from '../i18n/i18n.js';

/**
 * Creates an element.
 * @param {string} tag
 * @param {{ className?: string, text?: string, attrs?: Record<string, string>, on?: Record<string, Function> }} [props]
 * @param {...(Node|string|null|undefined)} children strings become text nodes; null is skipped
 * @returns {HTMLElement}
 */
export function el(tag, props = {}, ...children) {
  const node = document.createElement(tag);
  if (props.className) node.className = props.className;
  if (props.text !== undefined) node.textContent = props.text;
  for (const [name, value] of Object.entries(props.attrs ?? {})) node.setAttribute(name, value);
  for (const [event, handler] of Object.entries(props.on ?? {})) node.addEventListener(event, handler);
  for (const child of children) if (child !== null && child !== undefined) node.append(child);
  return node;
}

const DATA_MARK = /\uE000(\d+)\uE001/; // a data value's place in a message being built

/**
 * The placeholder of data value `i` in a message being built: private-use characters, so it is
 * never a letter, a glossary mark or a message's syntax.
 */
export const dataMarker = (i) => `\uE000${i}\uE001`;

/**
 * `text` cut at its data markers, each marker a translate="no" span (with `attrs`) holding
 * `values[i]`: data (tokens, what the reader typed, names), not words of the language.
 * @param {string} text
 * @param {string[]} values
 * @param {Record<string, string>} [attrs]
 * @returns {Array<string|Node>}
 */
export function withDataSpans(text, values, attrs = {}) {
  return text.split(DATA_MARK)
    .map((part, i) => (i % 2 ? el('span', { text: values[Number(part)], attrs: { translate: 'no', ...attrs } }) : part))
    .filter((part) => part !== '');
}

/**
 * A message as nodes (for an element's replaceChildren), with the parameters named in `dataNames`
 * (tokens, what the reader typed, names: data, not words of the language) in translate="no" spans.
 * @param {string} key
 * @param {Record<string, unknown>} [params]
 * @param {string[]} [dataNames]
 * @returns {Array<string|Node>}
 */
export function tData(key, params = {}, dataNames = []) {
  const marked = { ...params };
  dataNames.forEach((name, i) => { marked[name] = dataMarker(i); });
  const values = dataNames.map((name) => String(params[name]));
  const fill = (node) => {
    for (const child of [...node.childNodes]) {
      if (child.nodeType === 3 && DATA_MARK.test(child.data)) child.replaceWith(...withDataSpans(child.data, values));
      else if (child.nodeType === 1) fill(child);
    }
    return node;
  };
  const parts = [];
  for (const part of tNodes(key, marked)) {
    if (typeof part === 'string' && typeof parts[parts.length - 1] === 'string') parts[parts.length - 1] += part; // one text node per run of text
    else parts.push(part);
  }
  return parts.flatMap((part) => (typeof part === 'string' ? withDataSpans(part, values) : [fill(part)]));
}

/**
 * A block for a formula (Unicode math). Returns the element and a setter for its lines.
 * @returns {{ element: HTMLElement, set: (...lines: string[]) => void }}
 */
export function formulaBlock() {
  const element = el('div', { className: 'formula', attrs: { role: 'math', dir: 'ltr' } });
  return {
    element,
    set(...lines) {
      element.replaceChildren(...lines.map((line) => el('code', { text: line })));
    },
  };
}

/**
 * A paragraph whose text is replaced on every update (prose with the current numbers): a string,
 * or nodes (tData's).
 * The class `view-intro` marks a view's introduction, which the embedded widget leaves out
 * (the post around it does the explaining).
 * @returns {{ element: HTMLElement, set: (text: string|Array<string|Node>) => void }}
 */
export function liveText(tag = 'p', className = '') {
  const element = el(tag, { className });
  return { element, set: (text) => { if (Array.isArray(text)) element.replaceChildren(...text); else element.textContent = text; } };
}

/**
 * Moves keyboard focus to `target` (a section's heading, say; made focusable by script where it
 * is not), so that the next Tab goes on from there.
 * @param {HTMLElement} target
 * @param {{ preventScroll?: boolean }} [options]
 */
export function moveFocus(target, { preventScroll = false } = {}) {
  if (target.tabIndex < 0 && !target.hasAttribute('tabindex')) target.tabIndex = -1;
  target.focus({ preventScroll });
}
