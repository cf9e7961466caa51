// The Train page: wires the set-up form, the trainer (the run), the Run card, the samples and
// live attention maps, Compare, the gradients and the checkpoint files together, and draws the
// run once per animation frame at most. Everything the user typed is shown as text.

import { createNotices } from '../notices.js';
import { deserializeTrain, serializeTrain } from '../state.js';
import { createSetupForm } from './form.js';
import { createTrainer } from './trainer.js';
import { createRunPanel } from './run-panel.js';
import { createSamplesPanel } from './samples-panel.js';
import { createFilesPanel } from './files-panel.js';
import { createGradientsPanel } from './gradients.js';
import { familyOf, familyTakes, isEncDec, normalize } from './presets.js';
import { createCompareView } from './compare-view.js';
import { runInputs } from './data.js';
import { chooseEngine } from './engine-choice.js';
import { createSavedRuns } from './saved-runs.js';
import { createEmbeddingSpace } from '../learn/embedding-space.js';
import { t } from '../i18n/i18n.js';

/**
 * Creates the Train page inside the static markup of index.html (#train-page).
 * @param {{ worker: { call: Function }, onExplore: (model: { engine: object, about: string, example: string }) => void,
 *   onEngine: (engine: object|null) => void, isShown: () => boolean }} options
 * @returns {Promise<{ show: (hash: string) => Promise<void>, debug: object }>}
 */
export async function createTrainView({ worker, onExplore, onEngine, isShown }) {
  const $ = (id) => document.getElementById(id);
  const [tasks, adapter] = await Promise.all([worker.call('tasks'), worker.call('adapterInfo')]);

  const runNotices = createNotices($('tr-notices'));
  const form = createSetupForm({ tasks, adapter, onChange: settingsChanged });
  const backend = (choice) => chooseEngine(choice, adapter).backend;
  const trainer = createTrainer(worker, {
    backend,
    onChange: schedule,
    onNotice: (messages) => runNotices.set('run', messages),
    onEngine,
    inputs: (data, ctx) => runInputs(data, tasks, ctx),
    classes: (data) => tasks.find((task) => task.name === data?.task)?.classes,
  });
  const { state } = trainer;
  const runPanel = createRunPanel();
  const samples = createSamplesPanel({ onSource: (source) => trainer.translate(source) });
  const gradients = createGradientsPanel($('tr-gradients'), { trace: (layer) => trainer.backwardTrace(layer) });
  let drawnGrads = null; // what the gradients panel shows: `${engine handle}|${evaluations}|${can trace}`
  const space = createEmbeddingSpace($('tr-space'));
  let drawnSpace = null; // what the embeddings' map shows: `${engine handle}|${the attention probe's step}`
  const compare = createCompareView($('tr-compare'), {
    worker,
    backend,
    settingsA: () => form.settings(),
    dataA: () => form.data(),
    probe: () => runInputs(form.data(), tasks, form.settings().ctx).probe,
    takes: (family) => {
      const d = form.data();
      return d.text !== undefined ? familyOf(family).tasks === 'lm' : familyTakes(family, tasks.find((task) => task.name === d.task) ?? { name: d.task });
    },
  });
  /** Runs an action; a failure becomes a message. */
  const guard = (fn) => () => fn().catch((err) => {
    console.error(err);
    runNotices.set('run', [{ level: 'warn', text: t('train.view.failed', { detail: err?.message ?? err }) }]);
    schedule();
  });
  const files = createFilesPanel({ trainer, form, onExplore, guard, settingsChanged });
  const saved = createSavedRuns($('tr-saved-runs'), { onOpen: (id) => guard(() => openSaved(id))() });
  let listedAt = null; // the save the list of saved runs was drawn after
  let restored = null; // promise of the first restore from IndexedDB
  let frame = 0;

  form.set(normalize(deserializeTrain('').state));
  compare.sync();

  function schedule() {
    if (!frame) frame = requestAnimationFrame(render);
  }

  /** The address follows the settings (only when they changed: the text typed is not in it, and a browser takes milliseconds per write). */
  function writeHash(settings) {
    const hash = `#${serializeTrain(settings)}`;
    if (hash !== location.hash) history.replaceState(null, '', hash);
  }

  function settingsChanged() {
    const s = form.settings();
    compare.sync();
    if (isShown() && form.valid()) writeHash(s);
    schedule();
  }

  /** The form follows the run: its settings, and what may change. */
  function syncForm() {
    const { status, run, engine } = state;
    const level = ['running', 'starting', 'pausing', 'busy', 'recovering'].includes(status) ? 'all'
      : status === 'loaded' ? 'loaded' : run ? 'run' : 'none';
    form.lock(level, engine?.config.vocab_size ?? null);
  }

  function render() {
    frame = 0;
    syncForm();
    const settings = form.settings();
    runPanel.draw(state, { steps: settings.steps, valid: form.valid() });
    samples.draw(state, { settings, every: trainer.evalEvery(), redraw: schedule });
    drawGradients();
    drawSpace();
    runNotices.set('save', state.saveError ? [{ level: 'warn', text: state.saveError }] : []);
    saved.setBusy(['running', 'starting', 'pausing', 'busy', 'recovering'].includes(state.status));
    if (state.saved?.at !== listedAt) {
      listedAt = state.saved?.at;
      saved.refresh();
    }
  }

  /** The form follows a run opened from storage (`rec`), and the page says what was opened (`how`: the message's key). */
  function showRestored(rec, how) {
    form.set(normalize({ ...rec.settings, preset: rec.settings.preset }));
    if (rec.data?.text !== undefined) form.setText(rec.data.text);
    const status = state.status;
    const what = status === 'loaded' ? 'model' : status === 'paused' ? 'paused' : 'run';
    runNotices.set('run', [{ level: 'info', text: t(how, { what, step: rec.step }) }]);
    if (isShown()) writeHash(state.run?.settings ?? form.settings());
  }

  /** Opens a run from the list of saved runs in place of the one shown (which stays in the list); `ask`: confirm first. */
  async function openSaved(id, ask = true) {
    const at = state.run?.stepsDone;
    if (ask && state.run && !window.confirm(t('train.view.confirmOpen', { step: at ?? 0 }))) return;
    files.forget();
    samples.forget();
    const rec = await trainer.openSaved(id);
    if (rec) showRestored(rec, 'train.view.opened');
    saved.refresh();
    schedule();
    return rec;
  }

  /** The embeddings' map follows the run: projected again whenever the attention probe is (each evaluation). */
  function drawSpace() {
    const { engine, run } = state;
    const section = $('tr-space').closest('section');
    section.hidden = !engine || isEncDec(run?.settings ?? form.settings()); // an encoder-decoder is not traced by token stream
    const key = `${engine?.handle}|${run?.probe?.step ?? -1}`;
    if (section.hidden || key === drawnSpace) return;
    drawnSpace = key;
    space.update(engine, 0, { fresh: true }).catch((err) => {
      console.error(err);
      runNotices.set('space', [{ level: 'warn', text: t('train.view.spaceFailed', { detail: err?.message ?? err }) }]);
    });
  }

  function drawGradients() {
    const { status, run, engine } = state;
    $('tr-gradients').closest('section').hidden = isEncDec(run?.settings ?? form.settings()); // traced for one token stream only
    const canTrace = Boolean(engine && run?.train && run.data) && (status === 'paused' || status === 'done');
    const key = `${engine?.handle}|${run?.grads?.steps.length ?? 0}|${canTrace}`;
    if (key === drawnGrads) return;
    drawnGrads = key;
    gradients.update({ config: engine?.config ?? null, steps: engine?.steps ?? null, vocab: engine?.vocab ?? null, canTrace, grads: run?.grads ?? null });
  }

  /** Start, or Resume; with `thenStep`, prepares the run paused and takes one step. */
  async function start({ thenStep = false } = {}) {
    const s = form.settings();
    if (state.status !== 'idle' && state.status !== 'loaded') return trainer.resume(s);
    if (!form.valid()) return;
    if (state.status === 'idle') {
      files.clear();
      await trainer.start(s, form.data(), { paused: thenStep });
    } else {
      await trainer.resume(s, form.data(), { paused: thenStep });
    }
    if (thenStep && state.status === 'paused') await trainer.stepOnce(form.settings());
  }

  $('tr-start').addEventListener('click', guard(() => start()));
  $('tr-pause').addEventListener('click', () => trainer.pause());
  $('tr-step').addEventListener('click', guard(async () => {
    if (state.status === 'idle' || state.status === 'loaded') await start({ thenStep: true });
    else await trainer.stepOnce(form.settings());
  }));
  $('tr-reset').addEventListener('click', guard(async () => {
    const at = state.run?.stepsDone ?? 0;
    if (!window.confirm(t('train.view.confirmReset', { step: at }))) return;
    await trainer.reset();
    files.forget();
    samples.forget();
    saved.refresh();
  }));
  document.addEventListener('visibilitychange', () => { if (document.hidden) trainer.saveSoon(); }); // a closing tab loses less

  /** Opens the run saved in this browser (once), then follows `hash` where no run fixes the settings. */
  async function show(hash) {
    restored ??= (async () => {
      const rec = await trainer.restore();
      saved.refresh();
      if (rec) showRestored(rec, 'train.view.restored');
    })().catch((err) => {
      console.error(err);
      runNotices.set('run', [{ level: 'warn', text: t('train.view.restoreFailed', { detail: err?.message ?? err }) }]);

    });
    await restored;
    if (!state.run && hash) {
      const parsed = deserializeTrain(hash);
      if (serializeTrain(normalize(parsed.state)) !== serializeTrain(form.settings())) form.set(normalize(parsed.state));
      compare.sync();
      runNotices.set('address', parsed.messages.map((text) => ({ level: 'warn', text })));
    }
    if (isShown()) writeHash(state.run?.settings ?? form.settings());
    schedule();
  }

  return {
    show,
    /** Test hooks: the trainer's state and its engine. */
    debug: {
      /** The gradients panel (heatmap pairs, norms chart). */
      gradients,
      get engine() { return state.engine; },
      get status() { return state.status; },
      get step() { return state.run?.stepsDone ?? 0; },
      get run() { return state.run; },
      get saved() { return state.saved; },
      get msPerStep() { return state.rate.msPerStep; },
      get wallPerStep() { return state.wallPerStep; },
      get timedSteps() { return state.timedSteps; },
      /** ms per step over every trainSteps call since the page loaded (the page shows a recent average). */
      get meanMsPerStep() { return state.rate.engineSteps ? state.rate.engineMs / state.rate.engineSteps : null; },
      get lastError() { return state.lastError; },
      get settings() { return form.settings(); },
      /** Compare mode's run: { status, error, sides: [{ name, settings, steps, loss, val, probe, … }] }. */
      compare: compare.state,
      /** The list of saved runs as drawn: [{ id, text, savedAt, mine, elsewhere }]. */
      get savedRuns() { return saved.runs(); },
      /** Opens a saved run by its id, as its Open button does (without asking). */
      openSaved: (id) => openSaved(id, false),
    },
  };
}
