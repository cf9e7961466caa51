// The Train page's "Keep it, load one, look inside": Explore this model, the downloads of the
// weights and of the optimizer state, and a checkpoint loaded from files (the weights, and
// optionally their optimizer state), whose header fills in the settings it was trained with.

import { fmt } from '../views/format.js';
import { createNotices } from '../notices.js';
import { normalize, settingsOfConfig } from './presets.js';
import { MAX_CHECKPOINT_BYTES, checkpointName, download, readBytes, runInfo, safetensorsMetadata, stepOf, trainSettingsOf, withHistory } from './files.js';

/** "1 layer", "2 layers". */
function plural(n, word) {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

/** What Explore says about the run's model: where its weights come from, and how far it trained. */
function aboutRun({ engine, run }) {
  if (run?.source === 'upload' && !run.train) return 'These are the weights of the checkpoint you loaded on the Train page.';
  const data = run?.data?.task ? `the ${run.data.task} task` : run?.data ? 'your text' : 'its own data';
  const val = run?.val[run.val.length - 1];
  return `These are the weights you trained on ${data}: step ${(run?.stepsDone ?? 0).toLocaleString('en')}` +
    (val ? `, validation loss ${fmt(val.val, 3)} (it started near ${fmt(Math.log(engine.config.vocab_size), 3)}, guessing).` : '.') +
    ' Train in the header goes back to the run.';
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
        notices.set('file', [{ level: 'warn', text: `${file.name} was not loaded: ${err.message}` }]);
        return null;
      }
      const meta = safetensorsMetadata(bytes);
      if (meta?.format === 'transformer-playground-optimizer') optimizer = { file, bytes, step: stepOf(meta) };
      else if (!weights) weights = { file, bytes, meta };
    }
    if (!weights) notices.set('file', [{ level: 'warn', text: 'That is an optimizer state only: choose the weights file (.safetensors) too, or alone.' }]);
    return weights ? { weights, optimizer } : null;
  }

  /** Loads checkpoint files: the weights, and optionally their optimizer state. */
  async function upload(files) {
    notices.set('file', [{ level: 'info', text: `Reading ${files.map((f) => f.name).join(' and ')}…` }]);
    const read = await readFiles(files);
    if (!read) return;
    const { weights, optimizer } = read;
    if (state.run && state.status !== 'idle') {
      const at = (state.run.stepsDone ?? 0).toLocaleString('en');
      if (!window.confirm(`Replace the current run (step ${at}) with ${weights.file.name}? Its autosave is replaced too.`)) {
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
      const kind = err?.name === 'BadCheckpoint' ? 'This file was refused' : 'This file could not be loaded';
      notices.set('file', [{ level: 'warn', text: `${kind}: ${weights.file.name}: ${err?.message ?? err}. The current run is unchanged.` }]);
      return;
    }
    loadedInfo = info;
    const c = engine.config;
    form.set(normalize({ ...s, ...settingsOfConfig(c), preset: 'custom' }));
    state.run.settings = form.settings();
    const trained = info.step !== null ? `, trained for ${info.step.toLocaleString('en')} steps${info.data ? ` on ${info.data === 'text' ? 'a text' : `the ${info.data} task`}` : ''}` : '';
    const how = optimizer
      ? `Its optimizer state (${optimizer.file.name}) was loaded too, so training continues exactly where it stopped.`
      : 'Training it further starts a fresh optimizer at step 0; load its optimizer file together with it to continue exactly.';
    const textNote = info.data === 'text' ? ' Paste the text it was trained on (its characters must be in the model’s vocabulary).' : '';
    const ignored = fromRun.ignored.length ? ` Not taken from its metadata, the form’s own values are used instead: ${fromRun.ignored.join('; ')}.` : '';
    notices.set('file', [{
      level: 'info',
      text: `Loaded ${weights.file.name}: ${plural(c.n_layer, 'layer')}, ${plural(c.n_head, 'head')}, C = ${c.n_embd}, context ${c.block_size}, ` +
        `a vocabulary of ${c.vocab_size}${trained}. Explore it, or press Start training. ${how}${textNote}${ignored}`,
    }]);
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
