// Plain ↔ technical: one switch for the page. Plain hides the equations and shapes and shows
// each step in words; technical shows them (the page as it always was). The choice is kept in
// this browser; <html data-words="plain|technical"> is what the styles follow.

import { t } from '../i18n/i18n.js';

const KEY = 'playground.words';
export const MODES = ['technical', 'plain'];

function stored() {
  try {
    return MODES.includes(localStorage.getItem(KEY)) ? localStorage.getItem(KEY) : 'technical';
  } catch {
    return 'technical'; // storage refused (a sandboxed frame): the default
  }
}

/**
 * @param {HTMLButtonElement} button a toggle button (aria-pressed: plain words on)
 * @param {(mode: string) => void} onChange called with the new mode, and once with the first
 */
export function createWordsSwitch(button, onChange) {
  let mode = stored();
  button.textContent = t('learn.words.label');
  button.title = t('learn.words.hint');
  const apply = () => {
    document.documentElement.dataset.words = mode;
    button.setAttribute('aria-pressed', String(mode === 'plain'));
    onChange(mode);
  };
  button.addEventListener('click', () => set(mode === 'plain' ? 'technical' : 'plain'));
  function set(next) {
    mode = next;
    try {
      localStorage.setItem(KEY, mode);
    } catch {
      // not kept: the switch still works for this visit
    }
    apply();
  }
  apply();
}
