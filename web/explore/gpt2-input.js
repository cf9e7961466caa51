// "Open GPT-2 files…" in the model panel: the chosen files become a model, which Explore then shows.

import { errorText } from '../notices.js';
import { t } from '../i18n/i18n.js';

/**
 * @param {{ notices: { set: Function }, open: (files: File[]) => Promise<object>, use: (model: object) => Promise<void> }} o
 *   notices: the model panel's; open: loads the files (throws an Error naming what is wrong); use: shows the model
 */
export function wireGpt2Files({ notices, open, use }) {
  document.getElementById('gpt2-files').addEventListener('change', async (event) => {
    const files = [...event.target.files];
    event.target.value = '';
    if (!files.length) return;
    notices.set('gpt2', [{ level: 'info', text: t('page.gpt2.opening', { files: files.map((f) => f.name).join(', ') }) }]);
    try {
      const model = await open(files);
      notices.set('gpt2', []);
      await use(model);
    } catch (err) {
      console.error(err);
      notices.set('gpt2', [{ level: 'warn', text: t('page.gpt2.failed', { detail: errorText(err) }) }]);
    }
  });
}
