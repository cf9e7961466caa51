// The Train page's runs opened and discarded: Reset, the run saved in this browser, a checkpoint
// file (with its optimizer state, to continue exactly), and the downloads of the weights and
// the optimizer state. Part of the trainer (trainer.js), whose state it changes.

import { loadEngine } from '../engine/client.js';
import { clearRun, loadRun, openRun, releaseRun } from './storage.js';
import { settingsOfConfig } from './presets.js';
import { kindOf } from './faults.js';
import { t } from '../i18n/i18n.js';

/**
 * @param {{ worker: { call: Function }, state: object, loop: object, exclusive: Function, notice: Function, changed: () => void,
 *   setEngine: Function, disposeEngine: () => Promise<void>, newRun: Function, autosave: object, recover: (why: string, kind: string) => Promise<void>,
 *   backend: (choice: string) => string }} ctx the trainer's
 */
export function createRunFiles({ worker, state, loop, exclusive, notice, changed, setEngine, disposeEngine, newRun, autosave, recover, backend }) {
  /** An export; a lost device on the way is rebuilt from the autosave (and the export fails). */
  async function exportWith(fn) {
    try {
      return await exclusive(() => fn(state.engine));
    } catch (err) {
      if (kindOf(err) === 'DeviceLost' || kindOf(err) === 'EngineCrashed') await recover(String(err?.message ?? err), kindOf(err));
      throw err;
    }
  }

  /** Opens a saved record as the run; resolves to it, or to null (with a message) when it cannot be opened. */
  async function open(rec) {
    state.status = 'busy';
    changed();
    try {
      state.status = await exclusive(() => autosave.restore(rec));
    } catch (err) {
      state.status = 'idle';
      state.run = null;
      notice('warn', t('train.saved.openFailed', { detail: err?.message ?? err }));
      changed();
      return null;
    }
    changed();
    return rec;
  }

  return {
    /** Discards the run and its autosave. */
    async reset() {
      state.status = 'busy'; // the loop stops after its current call, without saving
      await exclusive(async () => {
        await disposeEngine();
        await clearRun().catch(() => {});
      });
      loop.restart();
      Object.assign(state, { run: null, source: null, status: 'idle', wallPerStep: null, saved: null, saveError: null, lastError: null });
      notice('info', '');
      changed();
    },

    /** Opens the run saved in this browser, if any; resolves to its record or null. */
    async restore() {
      if (state.status !== 'idle') return null;
      let rec;
      try {
        rec = await loadRun();
      } catch (err) {
        notice('warn', t('train.saved.readFailed', { detail: err?.message ?? err }));
        return null;
      }
      return rec ? open(rec) : null;
    },

    /**
     * Opens saved run `id` (storage.js listRuns) in place of the run shown, which is saved first
     * and stays in the list; resolves to its record, or null when it could not be opened.
     */
    async openSaved(id) {
      if (['running', 'starting', 'pausing', 'busy', 'recovering'].includes(state.status)) return null;
      const from = state.status;
      state.status = 'busy';
      changed();
      let rec;
      try {
        rec = await exclusive(async () => {
          if (state.run && state.engine) await autosave.save();
          const opened = await openRun(id);
          await disposeEngine();
          return opened;
        });
      } catch (err) {
        state.status = state.engine ? from : 'idle';
        notice('warn', t('train.saved.thatReadFailed', { detail: err?.message ?? err }));

        changed();
        return null;
      }
      loop.restart();
      Object.assign(state, { run: null, source: null, status: 'idle', wallPerStep: null, saved: null, saveError: null, lastError: null });
      return open(rec);
    },

    /**
     * Replaces the run with a model from checkpoint bytes (validated by the engine).
     * @param {Uint8Array} bytes weights (.safetensors)
     * @param {Uint8Array|null} optimizer AdamW state to continue exactly, or null
     * @param {object} settings the sizes are taken from the checkpoint; the rest from here
     * @param {{ step: number, history: object|null }|null} [at] where a run continued exactly stands: the
     *   optimizer's step, and the loss history the weights file keeps (files.js runInfo)
     * @returns {Promise<object>} the engine (its config and vocab)
     */
    async load(bytes, optimizer, settings, at = null) {
      const from = state.status;
      state.status = 'busy'; // a running loop stops after its current call; the buttons wait
      changed();
      try {
        return await exclusive(async () => {
          const engine = await loadEngine(worker, bytes, { backend: backend(settings.engine), seed: settings.seed, encdec: true });
          await disposeEngine();
          await releaseRun().catch(() => {}); // the run it replaces stays saved (and listed) until it is deleted
          state.run = { ...newRun({ ...settings, ...settingsOfConfig(engine.config) }, null, null, 'upload'), optimizer };
          if (at) Object.assign(state.run, { ...at.history, stepsDone: at.step });
          setEngine(engine);
          state.lastError = null;
          loop.restart();
          await autosave.save();
          state.status = 'loaded';
          changed();
          return engine;
        });
      } catch (err) {
        if (state.status === 'busy') state.status = from === 'running' || from === 'pausing' ? 'paused' : from;
        changed();
        throw err;
      }
    },

    /** The weights as safetensors bytes. */
    exportCheckpoint: () => exportWith((e) => e.exportCheckpoint()),
    /** AdamW's state (only while a run trains). */
    exportOptimizer: () => exportWith((e) => e.exportOptimizer()),
  };
}
