// Small DOM helpers shared by the views. Elements are built from data, never from HTML
// strings, so text a user typed is always shown as text (the page runs under a strict
// Content-Security-Policy: no inline scripts or styles, no innerHTML).

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

/**
 * A block for a formula (Unicode math). Returns the element and a setter for its lines.
 * @returns {{ element: HTMLElement, set: (...lines: string[]) => void }}
 */
export function formulaBlock() {
  const element = el('div', { className: 'formula', attrs: { role: 'math' } });
  return {
    element,
    set(...lines) {
      element.replaceChildren(...lines.map((line) => el('code', { text: line })));
    },
  };
}

/**
 * A paragraph whose text is replaced on every update (prose with the current numbers).
 * The class `view-intro` marks a view's introduction, which the embedded widget leaves out
 * (the post around it does the explaining).
 * @returns {{ element: HTMLElement, set: (text: string) => void }}
 */
export function liveText(tag = 'p', className = '') {
  const element = el(tag, { className });
  return { element, set: (text) => { element.textContent = text; } };
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
