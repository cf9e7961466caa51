// "Open from the Hugging Face hub" in the model panel: the named model is downloaded (with its
// progress shown and a Cancel button) and becomes the model Explore shows.

import { progressText } from '../hub-model.js';

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

  async function openRepo(repo) {
    running?.abort();
    const abort = new AbortController();
    running = abort;
    input.value = repo;
    cancel.hidden = false;
    status.textContent = `Opening ${repo}…`;
    notices.set('hub', []);
    try {
      const model = await open(repo, { signal: abort.signal, onProgress: (p) => { status.textContent = progressText(p); } });
      status.textContent = '';
      await use(model);
    } catch (err) {
      status.textContent = '';
      if (err?.name === 'AbortError') notices.set('hub', [{ level: 'info', text: `Opening ${repo} was cancelled.` }]);
      else {
        console.error(err);
        notices.set('hub', [{ level: 'warn', text: `${repo} could not be opened: ${err?.message ?? err}` }]);
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
