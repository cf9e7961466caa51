// A list of messages on the page, grouped by source (engine, model, address, input) so that
// each source replaces only its own; groups show in a fixed order, errors first. Text only:
// messages may quote what the user typed.

import { t } from './i18n/i18n.js';

const ORDER = ['error', 'input', 'address', 'engine', 'model']; // other groups follow, in the order first set

/**
 * @param {HTMLElement} container
 * @returns {{ set: (group: string, messages: ({level: 'info'|'warn', text: string}|string)[]) => void }}
 */
export function createNotices(container) {
  const groups = new Map(); // group → messages, in the order groups were first set
  function render() {
    const nodes = [];
    const rank = (g) => (ORDER.includes(g) ? ORDER.indexOf(g) : ORDER.length);
    for (const [group, messages] of [...groups].sort((a, b) => rank(a[0]) - rank(b[0]))) {
      for (const m of messages) {
        const { level, text } = typeof m === 'string' ? { level: 'info', text: m } : m;
        const p = document.createElement('p');
        p.className = `notice notice-${level}`;
        p.dataset.group = group;
        p.textContent = text;
        nodes.push(p);
      }
    }
    container.replaceChildren(...nodes);
  }
  return {
    set(group, messages) {
      groups.set(group, messages);
      render();
    },
  };
}

/**
 * What a failure says to the reader: its message in the page's language where it carries one
 * (`err.i18n`: { key, params }, set where it was thrown), else its own text (an engine's detail,
 * which stays in English).
 * @param {unknown} err
 */
export function errorText(err) {
  if (err?.i18n) return t(err.i18n.key, err.i18n.params);
  return err?.message ?? String(err);
}

/**
 * An Error whose message is English (for logs and tests) and which the page shows as `key`.
 * @param {string} english
 * @param {string} key
 * @param {Record<string, unknown>} [params]
 */
export function localError(english, key, params = {}) {
  return Object.assign(new Error(english), { i18n: { key, params } });
}
