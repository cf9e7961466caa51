// "Open from the Hugging Face hub", in the model panel under "Open another model" (folded until
// opened): the named model (owner/name or a base URL in the hub's layout) is downloaded, with a
// progress bar and a Cancel button, and becomes the model Explore shows; the models kept in the
// browser are listed below (./hub-cached.js).

import { createProgressMeter } from './hub-progress.js';
import { createCachedList } from './hub-cached.js';
import { errorText } from '../notices.js';
import { t, formatNumber } from '../i18n/i18n.js';

const EXAMPLE_REPO = 'HuggingFaceTB/SmolLM2-135M'; // the text box's placeholder: a repo name, not words

/**
 * @param {{ notices: { set: Function }, open: (name: string, o: { signal: AbortSignal, onProgress: Function }) => Promise<object>,
 *   use: (model: object, text?: string) => Promise<void>, kept: () => void }} o open: downloads and loads (throws an Error
 *   naming what is wrong); use: shows the model (on `text`, else its example); kept: nothing was opened (cancelled or
 *   failed), the model shown stays
 * @returns {{ openRepo: (name: string, text?: string) => Promise<void>, pending: () => string|null, cancel: () => void }}
 *   openRepo: as if the user had asked for `name` (`text`: an address's, to show it on); pending: the name being opened,
 *   if any; cancel: as the Cancel button
 */
export function wireHubForm({ notices, open, use, kept }) {
  const $ = (id) => document.getElementById(id);
  const [panel, form, input, cancel, status, download, bar, barText] = ['open-model', 'hub-form', 'hub-repo', 'hub-cancel', 'hub-status', 'hub-download', 'hub-progress', 'hub-progress-text'].map($);
  const cached = createCachedList({ open: (name) => openRepo(name), onError: (err) => console.error(err) });
  let running = null; // { abort, name } of the download in flight
  input.placeholder = EXAMPLE_REPO;

  /** The bar and the line under it follow a progress report. */
  function show({ value, max, text }) {
    if (max) {
      bar.max = max;
      bar.value = value;
    } else bar.removeAttribute('value'); // indeterminate: the size is not known
    barText.textContent = text;
  }

  async function openRepo(name, text) {
    running?.abort.abort();
    const mine = { abort: new AbortController(), name };
    running = mine;
    panel.open = true; // its bar and Cancel in sight, whoever asked (the address, the cached list)
    input.value = name;
    cancel.hidden = false;
    download.hidden = false;
    bar.removeAttribute('value');
    barText.textContent = '';
    status.textContent = t('page.hub.opening', { repo: name });
    notices.set('hub', []);
    const meter = createProgressMeter();
    try {
      const model = await open(name, {
        signal: mine.abort.signal,
        onProgress: (p) => { if (running === mine) show(meter(p)); },
        onEstimate: (e) => { if (running === mine) status.textContent = estimateText(name, e); },
      });
      status.textContent = '';
      await use(model, text);
    } catch (err) {
      const cancelled = err?.name === 'AbortError';
      if (!cancelled) console.error(err);
      if (running !== mine) return; // another open took its place (finally still runs): the form and notices are its own
      status.textContent = '';
      notices.set('hub', [cancelled
        ? { level: 'info', text: t('page.hub.cancelled', { repo: name }) }
        : { level: 'warn', text: t('page.hub.failed', { repo: name, detail: errorText(err) }) }]);
      kept();
    } finally {
      if (running === mine) {
        running = null;
        cancel.hidden = true;
        download.hidden = true;
      }
      await cached.refresh(); // a model opened is now kept; a cancelled one is not
    }
  }

  form.addEventListener('submit', (event) => {
    event.preventDefault();
    const name = input.value.trim();
    if (name) openRepo(name);
  });
  cancel.addEventListener('click', () => running?.abort.abort());
  cached.refresh();
  return { openRepo, pending: () => running?.name ?? null, cancel: () => running?.abort.abort() };
}

/** "Opening X: 269 MB to download; the engine will hold about 0.82 GB." from hubEstimate's bytes. */
function estimateText(name, { download_bytes: download, weights_bytes: weights, activations_bytes: activations }) {
  const mb = formatNumber(download / 1e6, { maximumFractionDigits: download < 1e7 ? 1 : 0 });
  const gb = formatNumber((weights + activations) / 1e9, { minimumFractionDigits: 2, maximumFractionDigits: 2 });
  return t('page.hub.openingSized', { repo: name, download: mb, memory: gb });
}
