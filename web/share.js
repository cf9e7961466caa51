// The playground's Share button: copies the link to what is on screen and opens a dialog with
// the link, the widget snippet and the iframe snippet, each with its own Copy button, which
// copies exactly the text beside it. Reads the state from the address, which the page keeps
// current, so it needs nothing from main.js.

import { el } from './views/dom.js';
import { shareTexts } from './widget/snippet.js';
import { t } from './i18n/i18n.js';
import { pageLanguageReady } from './i18n/page-language.js';

await pageLanguageReady; // the dialog's words come from the page's catalogs

const button = document.getElementById('share');
const dialog = document.getElementById('share-panel');
const status = el('p', { className: 'share-status', attrs: { role: 'status' } });
const close = el('button', { text: t('page.share.close'), attrs: { type: 'button' } });
const fields = {
  link: field('link', 'share-link', 2),
  widget: field('widget', 'share-widget', 4),
  iframe: field('iframe', 'share-iframe', 4),
};
dialog.append(
  el('div', { className: 'share-head' }, el('h2', { className: 'share-title', text: t('page.share.title'), attrs: { id: 'share-title' } }), close),
  ...Object.values(fields).map((f) => f.element),
  status,
);

/** A labelled read-only text box with a Copy button; `what`: link, widget or iframe. */
function field(what, id, rows) {
  const box = el('textarea', { attrs: { id, rows: String(rows), readonly: '', spellcheck: 'false', translate: 'no', dir: 'ltr' } });
  const copyButton = el('button', { text: t('page.share.copy'), attrs: { type: 'button', 'aria-describedby': id } });
  copyButton.addEventListener('click', () => copy(box.value, t('page.share.copied', { what })));
  const element = el('div', { className: 'share-field' }, el('label', { text: t('page.share.label', { what }), attrs: { for: id } }), el('div', { className: 'share-row' }, box, copyButton));
  return { element, box };
}

async function copy(text, done) {
  try {
    await navigator.clipboard.writeText(text);
    status.textContent = done;
  } catch {
    status.textContent = t('page.share.copyRefused');
  }
}

button.addEventListener('click', () => {
  const texts = shareTexts(location.hash, location.href);
  for (const [name, f] of Object.entries(fields)) f.box.value = texts[name];
  status.textContent = '';
  dialog.showModal();
  copy(texts.link, t('page.share.copiedLink'));
});
close.addEventListener('click', () => dialog.close());
