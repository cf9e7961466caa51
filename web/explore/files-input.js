// "Open a checkpoint or GPT-2 files…" in the model panel: the chosen files become a model, which
// Explore then shows. One .safetensors file alone is a checkpoint the Train page saved (any
// family); several files are a Hugging Face GPT-2 (its weights and tokenizer files).

import { errorText } from '../notices.js';
import { isCheckpointChoice } from '../checkpoint-file.js';
import { t } from '../i18n/i18n.js';

/**
 * @param {{ notices: { set: Function }, open: (files: File[]) => Promise<object>, use: (model: object) => Promise<void> }} o
 *   notices: the model panel's; open: loads the files (throws an Error naming what is wrong); use: shows the model
 */
export function wireModelFiles({ notices, open, use }) {
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
      const text = isCheckpointChoice(files)
        ? t('page.checkpoint.failed', { file: files[0].name, detail: errorText(err) })
        : t('page.gpt2.failed', { detail: errorText(err) });
      notices.set('gpt2', [{ level: 'warn', text }]);
    }
  });
}
