// What the Train page does when an engine call fails. "NonFinite" pauses (the engine has already
// rolled the model back to its last good state); "DeviceLost" and "EngineCrashed" (the worker's
// wasm instance trapped and was replaced) rebuild the engine from the autosave and stay paused;
// anything else ("OutOfMemory", "BadConfig", "BadInput", …) becomes a message and leaves the
// page working.

import { loadRun } from './storage.js';
import { NO_WEBGPU } from './engine-choice.js';

/** An Error's kind as the engine names it ("NonFinite", …), or "Error". */
export const kindOf = (err) => err?.name ?? 'Error';

/** What the page says before the engine's own message, by the kind of failure. */
const ADVICE = {
  OutOfMemory: 'The GPU ran out of memory for this model. Choose a smaller preset, a smaller batch or context, or the CPU engine.',
  BadConfig: 'These settings do not fit this device (nothing was lost).',
  GpuFailure: 'The GPU failed.',
  DeviceLost: 'The GPU device was lost before the run began.',
  EngineCrashed: 'The engine crashed and was restarted.',
  BadInput: 'The data or the settings were refused.',
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
      notice(
        'warn',
        `Training paused: a step gave a loss or gradient that is not a finite number (${message}). The model is back at its last good ` +
          `state, step ${back.toLocaleString('en')}, so nothing is lost. This usually means the learning rate is too high ` +
          `(it is ${state.run.settings.lr}): lower it, then press Resume.`,
      );
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
    notice('warn', kind === 'NoWebGpu' ? NO_WEBGPU : `${ADVICE[kind] ?? 'Something went wrong.'} The engine said: ${message}`);
    changed();
  }

  /**
   * Rebuilds the engine from the autosave after the GPU device was lost (`kind` "DeviceLost") or
   * the engine worker crashed ("EngineCrashed"); stays paused.
   */
  async function recover(why, kind = 'DeviceLost') {
    const lost = kind === 'EngineCrashed' ? `The engine crashed (${why}) and was restarted` : `The GPU device was lost (${why})`;
    state.status = 'recovering';
    notice('warn', `${lost}. Rebuilding the engine from the autosave…`);
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
      notice('warn', `${lost} and there was no autosave to rebuild from. Press Start to train again.`);
      changed();
      return;
    }
    try {
      state.status = await exclusive(() => autosave.restore(rec)); // paused: the user resumes
      notice(
        'warn',
        `${lost}. The engine was rebuilt from the autosave at step ${rec.step.toLocaleString('en')}; ` +
          'steps after it are redone when you press Resume.',
      );
    } catch (err) {
      state.status = 'idle';
      state.run = null;
      notice('warn', `${lost}, and rebuilding from the autosave failed too (${err?.message ?? err}). Press Start to train again.`);
    }
    changed();
  }

  return { fault, recover };
}
