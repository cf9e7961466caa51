// What the Train page does when an engine call fails. "NonFinite" pauses (the engine has already
// rolled the model back to its last good state); "DeviceLost" and "EngineCrashed" (the worker's
// wasm instance trapped and was replaced) rebuild the engine from the autosave and stay paused;
// anything else ("OutOfMemory", "BadConfig", "BadInput", …) becomes a message and leaves the
// page working.

import { loadRun } from './storage.js';
import { noWebGpu } from './engine-choice.js';
import { t } from '../i18n/i18n.js';

/** An Error's kind as the engine names it ("NonFinite", …), or "Error". */
export const kindOf = (err) => err?.name ?? 'Error';

/** What the page says before the engine's own message, by the kind of failure: the message's key. */
const ADVICE = {
  OutOfMemory: 'train.fault.OutOfMemory',
  BadConfig: 'train.fault.BadConfig',
  GpuFailure: 'train.fault.GpuFailure',
  DeviceLost: 'train.fault.DeviceLost',
  EngineCrashed: 'train.fault.EngineCrashed',
  BadInput: 'train.fault.BadInput',
};

/**
 * @param {{ state: object, exclusive: Function, notice: (level: string, text: string) => void, changed: () => void,
 *   disposeEngine: () => Promise<void>, finishSession: () => void, autosave: object }} ctx the trainer's
 * @returns {{ fault: (err: Error, recoverable?: boolean) => Promise<void>, recover: (why: string) => Promise<void> }}
 */
export function createFaults({ state, exclusive, notice, changed, disposeEngine, finishSession, autosave }) {
  /**
   * A failed engine call: the message, and the state the page goes to. A lost device is
   * rebuilt from the autosave unless `recoverable` is false (a run that never started).
   */
  async function fault(err, recoverable = true) {
    const kind = kindOf(err);
    const message = String(err?.message ?? err);
    state.lastError = { kind, message };
    finishSession();
    if (kind === 'NonFinite') {
      let back = state.run?.stepsDone ?? 0;
      try {
        back = await exclusive(() => state.engine.step());
      } catch {
        // keep the count we have
      }
      state.run.stepsDone = back;
      state.status = 'paused';
      notice('warn', t('train.fault.nonFinite', { detail: message, step: back, lr: String(state.run.settings.lr) }));
      changed();
      await exclusive(() => autosave.save()).catch(() => {});
      return;
    }
    if (kind === 'EngineCrashed' && state.status === 'recovering') return; // the crash is being recovered from already
    if ((kind === 'DeviceLost' || kind === 'EngineCrashed') && recoverable) {
      await recover(err?.reason ?? message, kind);
      return;
    }
    state.status = state.engine && state.run?.train ? 'paused' : state.engine ? 'loaded' : 'idle';
    // no adapter: the page's one message (the engine's own tells a reader of Explore that it falls back)
    const advice = t(ADVICE[kind] ?? 'train.fault.other');
    notice('warn', kind === 'NoWebGpu' ? noWebGpu() : t('train.fault.engineSaid', { advice, detail: message }));
    changed();
  }

  /**
   * Rebuilds the engine from the autosave after the GPU device was lost (`kind` "DeviceLost") or
   * the engine worker crashed ("EngineCrashed"); stays paused.
   */
  async function recover(why, kind = 'DeviceLost') {
    const lost = { kind: kind === 'EngineCrashed' ? 'crashed' : 'lost', why: String(why) };
    state.status = 'recovering';
    notice('warn', t('train.fault.rebuilding', lost));
    changed();
    await disposeEngine();
    let rec = null;
    try {
      rec = await loadRun();
    } catch {
      rec = null;
    }
    if (!rec) {
      state.run = null;
      state.status = 'idle';
      notice('warn', t('train.fault.noAutosave', lost));
      changed();
      return;
    }
    try {
      state.status = await exclusive(() => autosave.restore(rec)); // paused: the user resumes
      notice('warn', t('train.fault.rebuilt', { ...lost, step: rec.step }));
    } catch (err) {
      state.status = 'idle';
      state.run = null;
      notice('warn', t('train.fault.rebuildFailed', { ...lost, detail: err?.message ?? err }));

    }
    changed();
  }

  return { fault, recover };
}
