// The Set-up form's own text: the box it is typed or pasted into and the .txt file it can be
// loaded from. A text is at most MAX_TEXT_BYTES (5 MiB of UTF-8), typed, pasted or loaded: a
// paste past that is cut before it reaches the box. A text box holding megabytes takes seconds
// per keystroke in a browser, so a text longer than EDIT_UNITS is kept whole by the page and
// the box shows its start, read-only (a paste replaces it, Clear empties it). Its statistics
// (length, distinct characters) are counted once per change, off the page's thread when the
// text is long (text-stats.js).

import { capText } from './data.js';
import { MAX_TEXT_BYTES, formatSize, readText } from './files.js';
import { createTextStats } from './text-stats.js';
import { t } from '../i18n/i18n.js';

export const EDIT_UNITS = 20_000; // UTF-16 units (about ten pages): typed into, a longer text made keystrokes of over 50 ms here
const PREVIEW_UNITS = EDIT_UNITS; // of a longer one, the box shows this much

/**
 * @param {{ box: HTMLTextAreaElement, file: HTMLInputElement, clear: HTMLButtonElement, notices: { set: Function },
 *   onChange: () => void }} o notices: the data group's (this box sets 'paste' and 'file');
 *   onChange: the text or its statistics changed
 * @returns {{ text: () => string, stats: () => ({ length: number, vocab: number }|null), held: () => boolean,
 *   set: (text: string) => void, lock: (locked: boolean) => void }} stats: null while a long text is being
 *   counted; held: the text is longer than the box edits (it shows the start)
 */
export function createTextBox({ box, file, clear, notices, onChange }) {
  let text = '';
  let held = false;
  let locked = false;
  const stats = createTextStats(onChange);

  function show() {
    box.readOnly = locked || held;
    clear.hidden = !held;
    clear.disabled = locked;
    file.disabled = locked;
  }

  /** The text became `next`; `inBox`: the box holds it already (typed), else the box is filled from it. */
  function changed(next, inBox) {
    const capped = capText(next, MAX_TEXT_BYTES);
    const wasHeld = held;
    text = capped.text;
    held = text.length > EDIT_UNITS;
    if (held) box.value = preview(text);
    else if (!inBox || wasHeld || capped.cut) box.value = text;
    notices.set('paste', capped.cut
      ? [{ level: 'info', text: t('train.text.cut', { size: formatSize(MAX_TEXT_BYTES) }) }]

      : []);
    show();
    stats.set(text);
    onChange();
  }

  box.addEventListener('paste', (event) => {
    const pasted = event.clipboardData?.getData('text/plain') ?? '';
    const { selectionStart: a, selectionEnd: b, value } = box;
    if (held) { // the box shows the start of a long text: a paste replaces it
      event.preventDefault();
      changed(pasted, false);
      return;
    }
    if (value.length - (b - a) + pasted.length <= EDIT_UNITS) return; // the browser pastes it
    event.preventDefault();
    changed(value.slice(0, a) + pasted + value.slice(b), false);
  });
  box.addEventListener('input', () => {
    if (!held) changed(box.value, true);
  });
  clear.addEventListener('click', () => {
    changed('', false);
    box.focus();
  });
  file.addEventListener('change', async () => {
    const chosen = file.files?.[0];
    file.value = '';
    if (!chosen) return;
    try {
      changed(await readText(chosen, MAX_TEXT_BYTES), false);
      notices.set('file', []);
    } catch (err) {
      notices.set('file', [{ level: 'warn', text: err.message }]);
      onChange();
    }
  });

  return {
    text: () => text,
    stats: stats.get,
    held: () => held,
    /** Replaces the text (a restored run's). */
    set(next) {
      changed(next ?? '', false);
    },
    lock(next) {
      locked = next;
      show();
    },
  };
}

/** The start of a long text for the box, cut at a character's end. */
function preview(text) {
  const end = /[\uD800-\uDBFF]/.test(text[PREVIEW_UNITS - 1]) ? PREVIEW_UNITS - 1 : PREVIEW_UNITS;
  return text.slice(0, end);
}
