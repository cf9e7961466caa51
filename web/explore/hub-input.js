// "Open from the Hugging Face hub" in the model panel: the named model is downloaded (with its
// progress shown and a Cancel button) and becomes the model Explore shows.

import { progressText } from '../hub-model.js';
import { errorText } from '../notices.js';
import { t } from '../i18n/i18n.js';

const EXAMPLE_REPO = 'HuggingFaceTB/SmolLM2-135M'; // the text box's placeholder: a repo name, not words

/**
 * @param {{ notices: { set: Function }, open: (repo: string, o: { signal: AbortSignal, onProgress: Function }) => Promise<object>,
 *   use: (model: object) => Promise<void> }} o open: downloads and loads (throws an Error naming what is wrong)
 * @returns {{ openRepo: (repo: string) => Promise<void> }} openRepo: as if the user had asked for `repo`
 */
export function wireHubForm({ notices, open, use }) {
  const form = document.getElementById('hub-form');
  const input = document.getElementById('hub-repo');
  const cancel = document.getElementById('hub-cancel');
  const status = document.getElementById('hub-status');
  let running = null; // the AbortController of the download in flight
  input.placeholder = EXAMPLE_REPO;

  async function openRepo(repo) {
    running?.abort();
    const abort = new AbortController();
    running = abort;
    input.value = repo;
    cancel.hidden = false;
    status.textContent = t('page.hub.opening', { repo });
    notices.set('hub', []);
    try {
      const model = await open(repo, { signal: abort.signal, onProgress: (p) => { status.textContent = progressText(p); } });
      status.textContent = '';
      await use(model);
    } catch (err) {
      status.textContent = '';
      if (err?.name === 'AbortError') notices.set('hub', [{ level: 'info', text: t('page.hub.cancelled', { repo }) }]);
      else {
        console.error(err);
        notices.set('hub', [{ level: 'warn', text: t('page.hub.failed', { repo, detail: errorText(err) }) }]);
      }
    } finally {
      if (running === abort) {
        running = null;
        cancel.hidden = true;
      }
    }
  }

  form.addEventListener('submit', (event) => {
    event.preventDefault();
    const repo = input.value.trim();
    if (repo) openRepo(repo);
  });
  cancel.addEventListener('click', () => running?.abort());
  return { openRepo };
}
