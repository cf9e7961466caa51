// The hub models kept in this browser's Cache Storage (engine/hub.js), listed under the hub
// form with their size, an Open and a Remove button. Hidden when there are none, or where the
// browser has no Cache Storage (an insecure origin).

import { cachedHubModels, cachedHubBytes, forgetHubModel } from '../engine/hub.js';
import { nameOfBase } from '../hub-model.js';
import { t, formatNumber } from '../i18n/i18n.js';

/**
 * @param {{ open: (name: string) => void, onError: (err: Error) => void }} o open: as if the user had
 *   asked for `name` in the hub form
 * @returns {{ refresh: () => Promise<void> }} refresh: lists the cache as it now is
 */
export function createCachedList({ open, onError }) {
  const section = document.getElementById('hub-cached');
  const list = document.getElementById('hub-cached-list');
  let drawing = Promise.resolve(); // one refresh at a time, so two never interleave their rows

  async function draw() {
    const rows = [];
    for (const base of await cachedHubModels()) rows.push(row(base, nameOfBase(base), await cachedHubBytes(base)));
    list.replaceChildren(...rows);
    section.hidden = rows.length === 0;
  }

  function row(base, name, bytes) {
    const li = document.createElement('li');
    const label = document.createElement('span');
    label.className = 'hub-cached-name';
    label.translate = false;
    label.dir = 'ltr';
    label.textContent = name;
    const size = document.createElement('span');
    size.className = 'hint';
    size.textContent = t('page.hub.cachedSize', { mb: formatNumber(bytes / 1e6, { minimumFractionDigits: 1, maximumFractionDigits: 1 }) });
    const button = (text, label, action) => {
      const b = document.createElement('button');
      b.type = 'button';
      b.textContent = text;
      b.setAttribute('aria-label', label); // which model: every row's buttons read the same
      b.addEventListener('click', action);
      return b;
    };
    const opener = button(t('page.hub.cachedOpen'), t('page.hub.cachedOpenNamed', { name }), () => open(name));
    li.append(label, size, opener, button(t('page.hub.cachedRemove'), t('page.hub.cachedRemoveNamed', { name }), async () => {
      try {
        await forgetHubModel(base);
      } catch (err) {
        onError(err);
      }
      await refresh();
      // the button is gone with its row: the focus goes on to the list's next button, or to the hub field
      (list.querySelector('button') ?? document.getElementById('hub-repo')).focus();
    }));
    return li;
  }

  function refresh() {
    drawing = drawing.then(draw).catch(onError);
    return drawing;
  }
  return { refresh };
}
