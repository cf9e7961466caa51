// The Train page's run saved in this browser (IndexedDB, storage.js): every AUTOSAVE_MS while
// training, on pause and at the end; and a saved record opened again (the model, its data and,
// if it was training, its optimizer). A failed save is a message and training goes on.

import { loadEngine } from '../engine/client.js';
import { saveRun } from './storage.js';
import { t } from '../i18n/i18n.js';

const AUTOSAVE_MS = 15_000; // ms between autosaves while training
const RECORD_VERSION = 1;

/** An error in words: its message, or its name where the browser gave no message. */
function errorText(err) {
  if (err?.message) return err.message;
  return err?.name ? t('train.save.noMessage', { name: err.name }) : String(err);
}

/**
 * @param {{ worker: { call: Function }, state: object, elapsedMs: () => number, newRun: Function,
 *   setEngine: (engine: object) => void, probe: () => Promise<void>, backend: (choice: string) => string }} ctx the
 *   trainer's: its state (engine, run, status, saved, saveError), the run's training time so far, how a run is
 *   made, how its engine is set, the attention probe, and the engine an Engine choice gets
 */
export function createAutosave({ worker, state, elapsedMs, newRun, setEngine, probe, backend }) {
  let lastSave = 0; // performance.now() of the last save

  return {
    /** Whether the run is due a save while training. */
    due: () => performance.now() - lastSave > AUTOSAVE_MS,
    /** Saves at the next turn of the loop (the tab is being hidden or closed). */
    soon() {
      lastSave = -Infinity;
    },

    /**
     * Saves the run; a failure (storage full, private mode) is a message and training goes on.
     * @param {'paused'|'done'} [as] what a reload shows: the run paused, or finished
     */
    async save(as = state.status === 'done' ? 'done' : 'paused') {
      const { run, engine } = state;
      if (!run || !engine) return;
      const training = run.train && state.status !== 'loaded';
      const checkpoint = await engine.exportCheckpoint();
      const optimizer = training ? await engine.exportOptimizer() : run.optimizer ?? null; // a loaded model's, to continue it after a reload
      const rec = {
        version: RECORD_VERSION,
        settings: run.settings,
        data: run.data,
        train: run.train,
        step: run.stepsDone,
        checkpoint,
        optimizer,
        history: { steps: run.steps, loss: run.loss, gradNorm: run.gradNorm, lr: run.lr },
        val: run.val,
        samples: run.samples,
        elapsedMs: elapsedMs(),
        source: run.source,
        status: as,
      };
      lastSave = performance.now();
      try {
        await saveRun(rec);
        state.saved = { step: rec.step, at: Date.now() };
        state.saveError = null;
      } catch (err) {
        const full = err?.name === 'QuotaExceededError';
        state.saveError = full ? t('train.save.full') : t('train.save.failed', { detail: errorText(err) });

      }
    },

    /**
     * Opens a saved record: the model, its data, and (if it was training) its optimizer.
     * @returns {Promise<string>} the status the run is in: 'paused', 'done' or 'loaded'
     */
    async restore(rec) {
      if (rec.version !== RECORD_VERSION) throw new Error(t('train.save.otherVersion'));

      const s = rec.settings;
      const engine = await loadEngine(worker, rec.checkpoint, { backend: backend(s.engine), seed: s.seed, encdec: true });
      try {
        if (rec.train) {
          await engine.setData(rec.data, s.seed);
          engine.kernels = await engine.startTraining(rec.train, rec.optimizer ?? undefined);
        }
      } catch (err) {
        await engine.dispose().catch(() => {});
        throw err;
      }
      const run = newRun(s, rec.data, rec.train, rec.source ?? 'autosave');
      Object.assign(run, {
        stepsDone: rec.step,
        steps: rec.history.steps,
        loss: rec.history.loss,
        gradNorm: rec.history.gradNorm,
        lr: rec.history.lr,
        val: rec.val,
        samples: rec.samples,
        elapsedMs: rec.elapsedMs ?? 0,
      });
      if (!rec.train) run.optimizer = rec.optimizer ?? null;
      state.run = run;
      setEngine(engine);
      state.saved = { step: rec.step, at: rec.savedAt ?? Date.now() };
      if (rec.train && rec.optimizer) await probe();
      return !rec.train || !rec.optimizer ? 'loaded' : rec.status === 'done' || rec.step >= rec.train.max_steps ? 'done' : 'paused';
    },
  };
}
