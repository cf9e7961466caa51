// The Train page's "Keep it, load one, look inside": Explore this model, the downloads of the
// weights and of the optimizer state, and a checkpoint loaded from files (the weights, and
// optionally their optimizer state), whose header fills in the settings it was trained with.

import { fmt } from '../views/format.js';
import { createNotices } from '../notices.js';
import { normalize, settingsOfConfig } from './presets.js';
import { MAX_CHECKPOINT_BYTES, checkpointName, download, readBytes, runInfo, safetensorsMetadata, stepOf, trainSettingsOf, withHistory } from './files.js';
import { t } from '../i18n/i18n.js';

/** What Explore says about the run's model: where its weights come from, and how far it trained. */
function aboutRun({ engine, run }) {
  if (run?.source === 'upload' && !run.train) return t('train.files.aboutLoaded');
  const data = run?.data?.task ? 'task' : run?.data ? 'text' : 'own';
  const val = run?.val[run.val.length - 1];
  const params = { data, task: run?.data?.task ?? '', step: run?.stepsDone ?? 0 };
  return val
    ? t('train.files.aboutTrainedVal', { ...params, val: fmt(val.val, 3), start: fmt(Math.log(engine.config.vocab_size), 3) })
    : t('train.files.aboutTrained', params);
}

/**
 * @param {{ trainer: object, form: object, onExplore: (model: object) => void, guard: (fn: Function) => Function,
 *   settingsChanged: () => void }} o guard: runs an action, a failure becomes a message; settingsChanged:
 *   the form's settings were replaced by a loaded checkpoint's
 */
export function createFilesPanel({ trainer, form, onExplore, guard, settingsChanged }) {
  const $ = (id) => document.getElementById(id);
  const { state } = trainer;
  const notices = createNotices($('tr-file-notices'));
  let loadedInfo = null; // what an uploaded checkpoint's header said

  function dataName() {
    const d = state.run?.data;
    return d?.task ?? (d?.text !== undefined ? 'text' : loadedInfo?.data ?? 'model');
  }

  /** Reads the chosen files: the weights (the first that is not an optimizer state), and an optimizer state. */
  async function readFiles(files) {
    let weights = null;
    let optimizer = null;
    for (const file of files) {
      let bytes;
      try {
        bytes = await readBytes(file, MAX_CHECKPOINT_BYTES);
      } catch (err) {
        notices.set('file', [{ level: 'warn', text: t('train.files.notLoaded', { name: file.name, detail: err.message }) }]);
        return null;
      }
      const meta = safetensorsMetadata(bytes);
      if (meta?.format === 'transformer-playground-optimizer') optimizer = { file, bytes, step: stepOf(meta) };
      else if (!weights) weights = { file, bytes, meta };
    }
    if (!weights) notices.set('file', [{ level: 'warn', text: t('train.files.optimizerOnly') }]);
    return weights ? { weights, optimizer } : null;
  }

  /** Loads checkpoint files: the weights, and optionally their optimizer state. */
  async function upload(files) {
    const names = files.map((f) => f.name);
    notices.set('file', [{ level: 'info', text: t('train.files.reading', { count: names.length, first: names[0], rest: names.slice(1).join(t('train.files.andSeparator')) }) }]);
    const read = await readFiles(files);
    if (!read) return;
    const { weights, optimizer } = read;
    if (state.run && state.status !== 'idle') {
      if (!window.confirm(t('train.files.confirmReplace', { step: state.run.stepsDone ?? 0, name: weights.file.name }))) {
        notices.set('file', []);
        return;
      }
    }
    const info = runInfo(weights.meta);
    const fromRun = trainSettingsOf(info.train);
    const s = { ...form.settings(), ...fromRun.settings };
    if (info.data) s.data = info.data;
    // with its optimizer state the run continues exactly: it shows the step it is at, and the history the file keeps
    const at = optimizer?.step ? { step: optimizer.step, history: info.history } : null;
    let engine;
    try {
      engine = await trainer.load(weights.bytes, optimizer?.bytes ?? null, s, at);
    } catch (err) {
      const refused = err?.name === 'BadCheckpoint' ? 'yes' : 'no';
      notices.set('file', [{ level: 'warn', text: t('train.files.loadFailed', { refused, name: weights.file.name, detail: err?.message ?? err }) }]);
      return;
    }
    loadedInfo = info;
    const c = engine.config;
    form.set(normalize({ ...s, ...settingsOfConfig(c), preset: 'custom' }));
    state.run.settings = form.settings();
    // sentences in a row: what was loaded, how training goes on, and what the reader may need to do
    const sentences = [
      t('train.files.loaded', {
        name: weights.file.name, layers: c.n_layer, heads: c.n_head, c: c.n_embd, ctx: c.block_size, vocab: c.vocab_size,
        trained: info.step === null ? 'no' : info.data === 'text' ? 'text' : info.data ? 'task' : 'yes', step: info.step ?? 0, task: info.data ?? '',
      }),
      optimizer ? t('train.files.withOptimizer', { name: optimizer.file.name }) : t('train.files.freshOptimizer'),
      info.data === 'text' ? t('train.files.pasteText') : null,
      fromRun.ignored.length ? t('train.files.ignored', { list: fromRun.ignored.join('; ') }) : null,
    ];
    notices.set('file', [{ level: 'info', text: sentences.filter(Boolean).join(t('train.files.sentenceSeparator')) }]);
    settingsChanged();
  }

  $('tr-explore').addEventListener('click', () => {
    const { engine, run } = state;
    if (!engine) return;
    const probe = run?.probe?.labels.join('') ?? run?.inputs?.probe ?? engine.vocab.slice(0, 16).join('');
    onExplore({ engine, about: aboutRun(state), example: probe.replace(/^\n/, '') });
  });
  $('tr-download').addEventListener('click', guard(async () => {
    const bytes = await trainer.exportCheckpoint();
    const run = state.run;
    download(run?.steps.length ? withHistory(bytes, run) : bytes, checkpointName(dataName(), trainer.stepsDone()));
  }));
  $('tr-download-opt').addEventListener('click', guard(async () => {
    download(await trainer.exportOptimizer(), checkpointName(dataName(), trainer.stepsDone(), 'optimizer'));
  }));
  const input = $('tr-upload');
  input.addEventListener('change', guard(async () => {
    const files = [...(input.files ?? [])];
    input.value = '';
    if (files.length) await upload(files);
  }));

  return {
    /** A new run starts: the last file's message goes. */
    clear: () => notices.set('file', []),
    /** The run was discarded: so is what its file said. */
    forget() {
      notices.set('file', []);
      loadedInfo = null;
    },
  };
}
