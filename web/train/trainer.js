// The Train page's run: its engine in the worker, the training loop (train/loop.js), the
// evaluations (evaluation.js), the autosave (autosave.js) and what happens on a fault
// (faults.js); runs opened and discarded in run-files.js. No DOM: the view reads `trainer.state`
// when told that it changed.
//
// One engine call at a time: every call goes through `exclusive`. The loop makes one trainSteps
// call per turn, sized to take TARGET_CALL_MS, then gives the page a turn. Every EVAL_EVERY
// steps (presets.js) it evaluates, samples and redraws the attention maps; every AUTOSAVE_MS
// and on pause it saves the run to IndexedDB.

import { createEngine } from '../engine/client.js';
import { evalEvery, modelConfig, trainConfig } from './presets.js';
import { createTrainingLoop, newHistory } from './loop.js';
import { createEvaluation } from './evaluation.js';
import { createAutosave } from './autosave.js';
import { createFaults } from './faults.js';
import { createRunFiles } from './run-files.js';
import { releaseRun } from './storage.js';
import { t } from '../i18n/i18n.js';

const TARGET_CALL_MS = 150; // ms a trainSteps call should take, so Pause answers quickly
const MAX_STEPS_PER_CALL = 64;

/**
 * @param {{ call: Function }} worker from startWorker()
 * @param {{ backend: (choice: string) => string, onChange: () => void, onNotice: (messages: {level: string, text: string}[]) => void,
 *   onEngine: (engine: object|null) => void, inputs: (data: object, blockSize: number) => { prompt: string, probe: string },
 *   classes?: (data: object) => string[]|undefined }} hooks
 *   backend: what the engine is asked for on the settings' Engine choice (engine-choice.js);
 *   onEngine: the training engine was created, replaced or disposed
 */
export function createTrainer(worker, hooks) {
  const loop = createTrainingLoop({ maxPerCall: MAX_STEPS_PER_CALL, targetMs: TARGET_CALL_MS });
  /** What the view shows. `status`: idle | starting | running | pausing | paused | done | loaded | recovering | busy */
  const state = {
    status: 'idle',
    engine: null,
    run: null, // { settings, data, train, inputs, stepsDone, steps, loss, gradNorm, lr, val, samples, probe, grads, elapsedMs, source, optimizer? }
    rate: loop.rate, // { msPerStep: engine time per step, averaged; engineMs, engineSteps: every call since the page loaded }
    wallPerStep: null, // wall-clock time per step while running, evaluations included
    timedSteps: 0, // steps behind wallPerStep
    lastError: null, // { kind, message } of the last fault
    saved: null, // { step, at } of the last autosave
    saveError: null,
    source: null, // an encoder-decoder's probe source, once the user chose one (else the run's)
  };
  let chain = Promise.resolve();
  let session = null; // { t0, step0 } while running

  const changed = () => hooks.onChange();
  const notice = (level, text) => hooks.onNotice(text ? [{ level, text }] : []);
  const stepsDone = () => state.run?.stepsDone ?? 0;
  const maxSteps = () => state.run?.train?.max_steps ?? 0;
  const elapsedMs = () => state.run.elapsedMs + (session ? performance.now() - session.t0 : 0);

  /** Runs `fn` after every engine call already queued; never two at once. */
  function exclusive(fn) {
    const p = chain.then(fn);
    chain = p.catch(() => {});
    return p;
  }

  function setEngine(engine) {
    state.engine = engine;
    hooks.onEngine(engine);
  }

  async function disposeEngine() {
    const e = state.engine;
    if (!e) return;
    setEngine(null);
    try {
      await e.dispose();
    } catch {
      // a lost device may refuse even this; the handle is gone either way
    }
  }

  function newRun(settings, data, train, source) {
    return {
      settings: { ...settings },
      data,
      train,
      inputs: data ? hooks.inputs(data, settings.ctx) : null,
      ...newHistory(),
      samples: [],
      probe: null,
      grads: { names: null, steps: [], norms: [], ratios: [] }, // per tensor at each evaluation
      elapsedMs: 0,
      source, // 'new' | 'autosave' | 'upload'
    };
  }

  const evaluation = createEvaluation(state, { classes: hooks.classes, elapsedMs });
  const autosave = createAutosave({ worker, state, elapsedMs, newRun, setEngine, probe: evaluation.probe, backend: hooks.backend });
  const { fault, recover } = createFaults({ state, exclusive, notice, changed, disposeEngine, finishSession, autosave });
  const files = createRunFiles({ worker, state, loop, exclusive, notice, changed, setEngine, disposeEngine, newRun, autosave, recover, backend: hooks.backend });
  // the worker crashed: its engines are gone, so the run is rebuilt from its autosave (a call in
  // flight fails too, and faults.js leaves the recovery to this)
  worker.onCrash?.((err) => {
    if (state.engine && state.status !== 'recovering') recover(err.reason, 'EngineCrashed');
  });

  function finishSession() {
    if (session && state.run) state.run.elapsedMs += performance.now() - session.t0;
    session = null;
  }

  /** After a call of the loop: the end of the run, or a save when due; the wall-clock time per step. */
  async function afterCall() {
    const done = stepsDone();
    if (done >= maxSteps()) {
      finishSession();
      await autosave.save('done');
      state.status = 'done';
      notice('info', t('train.trainer.finished', { n: done }));
    } else if (autosave.due()) {
      await autosave.save();
    }
    if (session) {
      const steps = done - session.step0;
      if (steps > 0) state.wallPerStep = (performance.now() - session.t0) / steps;
      state.timedSteps = steps;
    }
  }

  /** Trains until paused or done; then, if pausing, saves. */
  async function train() {
    session = { t0: performance.now(), step0: stepsDone() };
    state.wallPerStep = null;
    state.timedSteps = 0;
    try {
      await loop.run({
        engine: state.engine,
        history: state.run,
        maxSteps: maxSteps(),
        every: evalEvery(maxSteps()),
        keepGoing: () => state.status === 'running',
        evaluate: evaluation.point,
        after: afterCall,
        exclusive,
        onTurn: changed, // the view draws on the next animation frame; the page got its turns while the worker computed
      });
    } catch (err) {
      await fault(err);
      return;
    }
    finishSession();
    if (state.status === 'pausing') {
      await exclusive(() => autosave.save()).catch((err) => fault(err));
      if (state.status === 'pausing') state.status = 'paused';
      changed();
    }
  }

  /** Re-prepares training when the learning rate or steps were changed while paused. */
  async function applyTrainChanges(settings) {
    const run = state.run;
    const next = trainConfig({ ...run.settings, lr: settings.lr, steps: settings.steps });
    if (JSON.stringify(next) === JSON.stringify(run.train)) return;
    const optimizer = await state.engine.exportOptimizer();
    state.engine.kernels = await state.engine.startTraining(next, optimizer);
    run.train = next;
    run.settings = { ...run.settings, lr: settings.lr, steps: settings.steps, preset: settings.preset };
  }

  /** The loss history of the loaded run `from`, continued by `to`. */
  function carryHistory(from, to) {
    for (const k of ['steps', 'loss', 'gradNorm', 'lr', 'val']) to[k] = [...from[k]];
  }

  return {
    state,

    /**
     * Creates the model, starts training and runs until paused or done.
     * @param {object} settings normalized TRAIN_PROPS values
     * @param {{ task: string }|{ text: string }} data
     * @param {{ paused?: boolean }} [options] paused: stop after the first evaluation (for Step)
     */
    async start(settings, data, { paused = false } = {}) {
      if (state.status === 'loaded') return this.resume(settings, data);
      if (state.status !== 'idle') return;
      state.status = paused ? 'pausing' : 'starting';
      state.lastError = null;
      notice('info', '');
      const config = trainConfig(settings);
      state.run = newRun(settings, data, config, 'new');
      loop.restart();
      changed();
      try {
        await exclusive(async () => {
          await releaseRun().catch(() => {}); // a run this tab still held stays saved: this one is new
          const engine = await createEngine(worker, { config: modelConfig(settings), seed: settings.seed, data, backend: hooks.backend(settings.engine) });
          try {
            engine.kernels = await engine.startTraining(config);
          } catch (err) {
            await engine.dispose().catch(() => {});
            throw err;
          }
          setEngine(engine);
          await evaluation.point();
          await autosave.save();
        });
      } catch (err) {
        state.run = null;
        await fault(err, false);
        return;
      }
      state.status = state.status === 'pausing' ? 'paused' : 'running';
      changed();
      if (state.status === 'running') await train();
    },

    /**
     * Continues a paused run (with the learning rate and steps of `settings`), or starts
     * training a loaded model on `data`; with `paused`, only prepares (for Step).
     */
    async resume(settings, data, { paused = false } = {}) {
      if (!['paused', 'done', 'loaded'].includes(state.status)) return;
      const from = state.status;
      state.status = 'busy';
      state.lastError = null;
      notice('info', '');
      changed();
      try {
        await exclusive(async () => {
          if (from !== 'loaded') return applyTrainChanges(settings);
          const config = trainConfig(settings);
          await state.engine.setData(data, settings.seed);
          state.engine.kernels = await state.engine.startTraining(config, state.run?.optimizer ?? undefined); // an uploaded checkpoint's
          const step = await state.engine.step();
          const loaded = state.run;
          state.run = newRun(settings, data, config, loaded?.source ?? 'upload');
          state.run.stepsDone = step;
          if (step > 0 && loaded?.stepsDone === step) carryHistory(loaded, state.run); // its optimizer continues the loaded run
          await evaluation.point();
          await autosave.save();
        });
      } catch (err) {
        state.status = from;
        await fault(err);
        return;
      }
      if (stepsDone() >= maxSteps()) {
        state.status = 'done';
        notice('info', t('train.trainer.alreadyDone', { n: maxSteps() }));

        changed();
        return;
      }
      state.status = paused ? 'paused' : 'running';
      changed();
      if (!paused) await train();
    },

    /** Stops after the current call; saves. */
    pause() {
      if (state.status === 'running' || state.status === 'starting') {
        state.status = 'pausing';
        changed();
      }
    },

    /** One training step while paused (and a fresh attention probe). */
    async stepOnce(settings) {
      if (state.status !== 'paused' && state.status !== 'done') return;
      const from = state.status;
      state.status = 'busy';
      changed();
      try {
        await exclusive(async () => {
          await applyTrainChanges(settings);
          if (stepsDone() >= maxSteps()) return;
          const due = await loop.call(state.engine, state.run, { maxSteps: maxSteps(), every: evalEvery(maxSteps()), n: 1 });
          await (due ? evaluation.point() : evaluation.probe());
        });
      } catch (err) {
        state.status = from;
        await fault(err);
        return;
      }
      state.status = stepsDone() >= maxSteps() ? 'done' : 'paused';
      changed();
    },

    ...files,
    /** Saves at the next turn of the loop (the tab is being hidden or closed). */
    saveSoon: () => autosave.soon(),
    /**
     * The next step's forward and backward trace of block `layer` (CPU reference, same weights
     * and batch as the engine); between training calls.
     */
    backwardTrace: (layer) => exclusive(() => state.engine.backwardTrace(layer)),
    /**
     * An encoder-decoder run on a new probe `source` (kept for later evaluations); between
     * training calls.
     */
    translate: (source) => exclusive(async () => {
      state.source = source;
      if (state.engine && state.run?.inputs) await evaluation.probe();
      changed();
    }),
    /** Steps between evaluations in this run. */
    evalEvery: () => evalEvery(maxSteps()),
    stepsDone,
  };
}
