// The playground's Share button: copies the link to what is on screen and opens a dialog with
// the link, the widget snippet and the iframe snippet, each with its own Copy button, which
// copies exactly the text beside it. Reads the state from the address, which the page keeps
// current, so it needs nothing from main.js.

import { el } from './views/dom.js';
import { shareTexts } from './widget/snippet.js';

const button = document.getElementById('share');
const dialog = document.getElementById('share-panel');
const status = el('p', { className: 'share-status', attrs: { role: 'status' } });
const close = el('button', { text: 'Close', attrs: { type: 'button' } });
const fields = {
  link: field('Link to this view', 'share-link', 2),
  widget: field('Widget for a post: a script tag and one element', 'share-widget', 4),
  iframe: field('Or an iframe, for sites that allow no scripts', 'share-iframe', 4),
};
dialog.append(
  el('div', { className: 'share-head' }, el('h2', { className: 'share-title', text: 'Share this view', attrs: { id: 'share-title' } }), close),
  ...Object.values(fields).map((f) => f.element),
  status,
);

/** A labelled read-only text box with a Copy button. */
function field(label, id, rows) {
  const box = el('textarea', { attrs: { id, rows: String(rows), readonly: '', spellcheck: 'false' } });
  const copyButton = el('button', { text: 'Copy', attrs: { type: 'button', 'aria-describedby': id } });
  copyButton.addEventListener('click', () => copy(box.value, `Copied: ${label.toLowerCase()}.`));
  const element = el('div', { className: 'share-field' }, el('label', { text: label, attrs: { for: id } }), el('div', { className: 'share-row' }, box, copyButton));
  return { element, box };
}

async function copy(text, done) {
  try {
    await navigator.clipboard.writeText(text);
    status.textContent = done;
  } catch {
    status.textContent = 'The browser did not allow copying: select the text above and copy it yourself.';
  }
}

button.addEventListener('click', () => {
  const texts = shareTexts(location.hash, location.href);
  for (const [name, f] of Object.entries(fields)) f.box.value = texts[name];
  status.textContent = '';
  dialog.showModal();
  copy(texts.link, 'Copied the link to this view.');
});
close.addEventListener('click', () => dialog.close());
