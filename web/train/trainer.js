// The training run: its engine in the worker, the loop, and what happens on a fault. No DOM:
// the view reads `trainer.state` when told that it changed.
//
// One engine call at a time: every call goes through `exclusive`, and the loop makes one
// trainSteps call per turn, sized to take TARGET_CALL_MS, then gives the page a turn. Every
// EVAL_EVERY steps (presets.js) it evaluates, samples and redraws the attention maps; every
// AUTOSAVE_MS and on pause it saves the run to IndexedDB (storage.js). Probes and samples: observe.js.
//
// Faults: "NonFinite" pauses (the engine has already rolled the model back to its last good
// state); "DeviceLost" rebuilds the engine from the autosave and stays paused; anything else
// ("OutOfMemory", "BadConfig", "BadInput", …) becomes a message and leaves the page working.

import { createEngine, loadEngine } from '../engine/client.js';
import { saveRun, loadRun, clearRun } from './storage.js';
import { evalEvery, familyOf, isEncDec, modelConfig, settingsOfConfig, trainConfig } from './presets.js';
import { probeModel, sampleText } from './observe.js';
import { classifyExamples, predictMasked } from './predict.js';

const TARGET_CALL_MS = 150; // ms a trainSteps call should take, so Pause answers quickly
const MAX_STEPS_PER_CALL = 64;
const EVAL_BATCHES = 4; // batches of each split per evaluation
const SAMPLE_TOKENS = 80; // characters per sample
const SAMPLE_TEMPERATURE = 0.8;
const SAMPLES_KEPT = 20;
const AUTOSAVE_MS = 15_000; // ms between autosaves while training
const RATE_WEIGHT = 0.8; // weight of the past in the ms/step average
const RECORD_VERSION = 1;

/** An Error's kind as the engine names it ("NonFinite", …), or "Error". */
const kindOf = (err) => err?.name ?? 'Error';

/**
 * @param {{ call: Function }} worker from startWorker()
 * @param {{ onChange: () => void, onNotice: (messages: {level: string, text: string}[]) => void,
 *   onEngine: (engine: object|null) => void, inputs: (data: object, blockSize: number) => { prompt: string, probe: string } }} hooks
 *   onEngine: the training engine was created, replaced or disposed
 */
export function createTrainer(worker, hooks) {
  /** What the view shows. `status`: idle | starting | running | pausing | paused | done | loaded | recovering | busy */
  const state = {
    status: 'idle',
    engine: null,
    run: null, // { settings, data, train, inputs, steps: [], loss: [], gradNorm: [], lr: [], val: [], samples: [], probe, elapsedMs, source }
    msPerStep: null, // engine time per step, averaged
    wallPerStep: null, // wall-clock time per step while running, evaluations included
    timedSteps: 0, // steps behind wallPerStep
    engineMs: 0, // time in trainSteps calls since the page loaded, and the steps they took
    engineSteps: 0,
    lastError: null, // { kind, message } of the last fault
    saved: null, // { step, at } of the last autosave
    saveError: null,
    source: null, // an encoder-decoder's probe source, once the user chose one (else the run's)
  };
  let chain = Promise.resolve();
  let lastSave = 0;
  let session = null; // { t0, step0 } while running
  let uploadedOptimizer = null; // bytes given with an uploaded checkpoint

  const changed = () => hooks.onChange();
  const notice = (level, text) => hooks.onNotice(text ? [{ level, text }] : []);

  /** Runs `fn` after every engine call already queued; never two at once. */
  function exclusive(fn) {
    const p = chain.then(fn);
    chain = p.catch(() => {});
    return p;
  }

  const stepsDone = () => state.run?.stepsDone ?? 0;
  const maxSteps = () => state.run?.train?.max_steps ?? 0;

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
      stepsDone: 0,
      steps: [],
      loss: [],
      gradNorm: [],
      lr: [],
      val: [],
      samples: [],
      probe: null,
      grads: { names: null, steps: [], norms: [], ratios: [] }, // per tensor at each evaluation
      elapsedMs: 0,
      source, // 'new' | 'autosave' | 'upload'
    };
  }

  /** Validation loss, a sample and the attention probe for the current step. */
  async function evaluatePoint() {
    const { run, engine } = state;
    const { train, val } = await engine.evaluate(EVAL_BATCHES);
    const step = stepsDone();
    const ms = Math.round(run.elapsedMs + (session ? performance.now() - session.t0 : 0)); // training time so far
    if (!run.val.length || run.val[run.val.length - 1].step !== step) run.val.push({ step, train, val, ms });
    await probe();
    await sample();
    await gradStats();
  }

  /** Gradient norms and AdamW update sizes per tensor, for the step just taken (not kept for an encoder-decoder). */
  async function gradStats() {
    const { run, engine } = state;
    if (!run.train || stepsDone() === 0 || isEncDec(run.settings)) return;
    const g = await engine.gradStats();
    const grads = (run.grads ??= { names: null, steps: [], norms: [], ratios: [] }); // a run restored from an older save has none
    grads.names = g.names;
    if (grads.steps[grads.steps.length - 1] === g.step) return;
    grads.steps.push(g.step);
    grads.norms.push(g.grad_norms);
    grads.ratios.push(g.update_ratios);
  }

  async function probe() {
    const text = isEncDec(state.run.settings) ? state.source ?? state.run.inputs.probe : state.run.inputs.probe;
    const p = await probeModel(state.engine, text);
    if (p) state.run.probe = { step: stepsDone(), ...p };
  }

  /** What the model makes of its fixed inputs: a decoder's sample, an encoder's guesses. */
  async function sample() {
    const { run, engine } = state;
    const step = stepsDone();
    const shows = familyOf(run.settings.family).shows ?? 'samples';
    if (shows === 'seq2seq') { // the probe just taken: what the decoder wrote both ways
      const tr = run.probe?.translation;
      if (tr) run.samples.push({ step, kind: 'seq2seq', target: tr.target, teacher: tr.teacher.text, greedy: tr.greedy.text });
      if (run.samples.length > SAMPLES_KEPT) run.samples.splice(0, run.samples.length - SAMPLES_KEPT);
      return;
    }
    if (shows !== 'samples') {
      const classes = hooks.classes?.(run.data) ?? ['unbalanced', 'balanced'];
      const p = shows === 'classes' ? await classifyExamples(engine, classes) : await predictMasked(engine, run.inputs.probe, run.settings.seed);
      if (p) run.samples.push({ step, ...p });
      if (run.samples.length > SAMPLES_KEPT) run.samples.splice(0, run.samples.length - SAMPLES_KEPT);
      return;
    }
    const s = await sampleText(engine, run.inputs.prompt, { n: SAMPLE_TOKENS, temperature: SAMPLE_TEMPERATURE, seed: run.settings.seed + step });
    run.samples.push({ step, ...s });
    if (run.samples.length > SAMPLES_KEPT) run.samples.splice(0, run.samples.length - SAMPLES_KEPT);
  }

  function record(stats, ms) {
    const run = state.run;
    for (const s of stats) {
      run.steps.push(s.step);
      run.loss.push(s.loss);
      run.gradNorm.push(s.grad_norm);
      run.lr.push(s.lr);
    }
    if (stats.length) run.stepsDone = stats[stats.length - 1].step + 1;
    state.engineMs += ms;
    state.engineSteps += stats.length;
    const per = ms / Math.max(1, stats.length);
    state.msPerStep = state.msPerStep === null ? per : RATE_WEIGHT * state.msPerStep + (1 - RATE_WEIGHT) * per;
  }

  /** Steps for the next call: about TARGET_CALL_MS of work, never past an evaluation or the end. */
  function nextCallSteps() {
    const done = stepsDone();
    const every = evalEvery(maxSteps());
    const toEval = every - (done % every);
    const toEnd = maxSteps() - done;
    const fit = state.msPerStep ? Math.floor(TARGET_CALL_MS / state.msPerStep) : 1;
    return Math.max(1, Math.min(fit, MAX_STEPS_PER_CALL, toEval, toEnd));
  }

  /** One turn of the loop: a trainSteps call, and an evaluation or a save when due. */
  async function turn() {
    if (state.status !== 'running') return;
    const n = nextCallSteps();
    const t0 = performance.now();
    const stats = await state.engine.trainSteps(n);
    record(stats, performance.now() - t0);
    const done = stepsDone();
    if (done % evalEvery(maxSteps()) === 0 || done >= maxSteps()) await evaluatePoint();
    if (done >= maxSteps()) {
      finishSession();
      await autosave('done');
      state.status = 'done';
      const explore = isEncDec(state.run.settings) ? 'Look at its predictions, download it' : 'Explore the model, download it'; // Explore shows one token stream
      notice('info', `Finished: ${done.toLocaleString('en')} steps. ${explore}, or raise Steps and press Train on.`);
    } else if (performance.now() - lastSave > AUTOSAVE_MS) {
      await autosave();
    }
    if (session) {
      const wall = performance.now() - session.t0;
      const steps = done - session.step0;
      if (steps > 0) state.wallPerStep = wall / steps;
      state.timedSteps = steps;
    }
  }

  function finishSession() {
    if (session && state.run) state.run.elapsedMs += performance.now() - session.t0;
    session = null;
  }

  async function loop() {
    session = { t0: performance.now(), step0: stepsDone() };
    state.wallPerStep = null;
    state.timedSteps = 0;
    while (state.status === 'running') {
      try {
        await exclusive(turn);
      } catch (err) {
        await fault(err);
        return;
      }
      changed(); // the view draws on the next animation frame; the page got its turns while the worker computed
    }
    finishSession();
    if (state.status === 'pausing') {
      await exclusive(autosave).catch((err) => fault(err));
      if (state.status === 'pausing') state.status = 'paused';
      changed();
    }
  }

  /**
   * Saves the run; a failure (storage full, private mode) is a message and training goes on.
   * @param {'paused'|'done'} [as] what a reload shows: the run paused, or finished
   */
  async function autosave(as = state.status === 'done' ? 'done' : 'paused') {
    const { run, engine } = state;
    if (!run || !engine) return;
    const training = run.train && state.status !== 'loaded';
    const checkpoint = await engine.exportCheckpoint();
    const optimizer = training ? await engine.exportOptimizer() : null;
    const elapsedMs = run.elapsedMs + (session ? performance.now() - session.t0 : 0);
    const rec = {
      version: RECORD_VERSION,
      settings: run.settings,
      data: run.data,
      train: run.train,
      step: stepsDone(),
      checkpoint,
      optimizer,
      history: { steps: run.steps, loss: run.loss, gradNorm: run.gradNorm, lr: run.lr },
      val: run.val,
      samples: run.samples,
      elapsedMs,
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
      state.saveError = full
        ? 'This browser’s storage for the page is full, so the run is not being saved; training goes on. Download the checkpoint to keep it.'
        : `The run could not be saved in this browser (${err?.message ?? err}); training goes on. Download the checkpoint to keep it.`;
    }
  }

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
      let back = stepsDone();
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
      await exclusive(autosave).catch(() => {});
      return;
    }
    if (kind === 'DeviceLost' && recoverable) {
      await recover(message);
      return;
    }
    state.status = state.engine && state.run?.train ? 'paused' : state.engine ? 'loaded' : 'idle';
    const advice = {
      OutOfMemory: 'The GPU ran out of memory for this model. Choose a smaller preset, a smaller batch or context, or the CPU engine.',
      BadConfig: 'These settings do not fit this device.',
      NoWebGpu: 'WebGPU is not available here; choose the Auto or CPU engine.',
      GpuFailure: 'The GPU failed.',
      DeviceLost: 'The GPU device was lost before the run began.',
      BadInput: 'The data or the settings were refused.',
    }[kind] ?? 'Something went wrong.';
    notice('warn', `${advice} The engine said: ${message}`);
    changed();
  }

  /** Rebuilds the engine from the autosave after the GPU device was lost; stays paused. */
  async function recover(why) {
    state.status = 'recovering';
    notice('warn', `The GPU device was lost (${why}). Rebuilding the engine from the autosave…`);
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
      notice('warn', `The GPU device was lost (${why}) and there was no autosave to rebuild from. Press Start to train again.`);
      changed();
      return;
    }
    try {
      const status = await exclusive(() => restoreRecord(rec));
      state.status = status; // paused: the user resumes
      notice(
        'warn',
        `The GPU device was lost (${why}). The engine was rebuilt from the autosave at step ${rec.step.toLocaleString('en')}; ` +
          'steps after it are redone when you press Resume.',
      );
    } catch (err) {
      state.status = 'idle';
      state.run = null;
      notice('warn', `The GPU device was lost, and rebuilding from the autosave failed too (${err?.message ?? err}). Press Start to train again.`);
    }
    changed();
  }

  /**
   * Opens a saved record: the model, its data, and (if it was training) its optimizer.
   * @returns {Promise<string>} the status the run is in: 'paused', 'done' or 'loaded'
   */
  async function restoreRecord(rec) {
    if (rec.version !== RECORD_VERSION) throw new Error('the saved run is from another version of the page');
    const s = rec.settings;
    const engine = await loadEngine(worker, rec.checkpoint, { backend: s.engine, seed: s.seed, encdec: true });
    try {
      if (rec.train) {
        await engine.setData(rec.data, s.seed);
        await engine.startTraining(rec.train, rec.optimizer ?? undefined);
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
    state.run = run;
    setEngine(engine);
    state.saved = { step: rec.step, at: rec.savedAt ?? Date.now() };
    if (rec.train && rec.optimizer) await probe();
    return !rec.train || !rec.optimizer ? 'loaded' : rec.status === 'done' || rec.step >= rec.train.max_steps ? 'done' : 'paused';
  }

  /** Re-prepares training when the learning rate or steps were changed while paused. */
  async function applyTrainChanges(settings) {
    const run = state.run;
    const train = trainConfig({ ...run.settings, lr: settings.lr, steps: settings.steps });
    if (JSON.stringify(train) === JSON.stringify(run.train)) return;
    const optimizer = await state.engine.exportOptimizer();
    await state.engine.startTraining(train, optimizer);
    run.train = train;
    run.settings = { ...run.settings, lr: settings.lr, steps: settings.steps, preset: settings.preset };
  }

  /** An export; a lost device on the way is rebuilt from the autosave (and the export fails). */
  async function exportWith(fn) {
    try {
      return await exclusive(() => fn(state.engine));
    } catch (err) {
      if (kindOf(err) === 'DeviceLost') await recover(String(err?.message ?? err));
      throw err;
    }
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
      const train = trainConfig(settings);
      state.run = newRun(settings, data, train, 'new');
      state.msPerStep = null;
      changed();
      try {
        await exclusive(async () => {
          const engine = await createEngine(worker, { config: modelConfig(settings), seed: settings.seed, data, backend: settings.engine });
          try {
            await engine.startTraining(train);
          } catch (err) {
            await engine.dispose().catch(() => {});
            throw err;
          }
          setEngine(engine);
          await evaluatePoint();
          await autosave();
        });
      } catch (err) {
        state.run = null;
        await fault(err, false);
        return;
      }
      state.status = state.status === 'pausing' ? 'paused' : 'running';
      changed();
      if (state.status === 'running') await loop();
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
          if (from === 'loaded') {
            const train = trainConfig(settings);
            await state.engine.setData(data, settings.seed);
            await state.engine.startTraining(train, uploadedOptimizer ?? undefined);
            const step = await state.engine.step();
            const source = state.run?.source ?? 'upload';
            state.run = newRun(settings, data, train, source);
            state.run.stepsDone = step;
            uploadedOptimizer = null;
            await evaluatePoint();
            await autosave();
          } else {
            await applyTrainChanges(settings);
          }
        });
      } catch (err) {
        state.status = from;
        await fault(err);
        return;
      }
      if (stepsDone() >= maxSteps()) {
        state.status = 'done';
        notice('info', `This run has done its ${maxSteps().toLocaleString('en')} steps: raise Steps to train on.`);
        changed();
        return;
      }
      if (paused) {
        state.status = 'paused';
        changed();
        return;
      }
      state.status = 'running';
      changed();
      await loop();
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
          const t0 = performance.now();
          record(await state.engine.trainSteps(1), performance.now() - t0);
          if (stepsDone() % evalEvery(maxSteps()) === 0 || stepsDone() >= maxSteps()) await evaluatePoint();
          else await probe();
        });
      } catch (err) {
        state.status = from;
        await fault(err);
        return;
      }
      state.status = stepsDone() >= maxSteps() ? 'done' : 'paused';
      changed();
    },

    /** Discards the run and its autosave. */
    async reset() {
      state.status = 'busy'; // the loop stops after its current call, without saving
      await exclusive(async () => {
        await disposeEngine();
        await clearRun().catch(() => {});
      });
      uploadedOptimizer = null;
      state.run = null;
      state.source = null;
      state.status = 'idle';
      state.msPerStep = null;
      state.wallPerStep = null;
      state.saved = null;
      state.saveError = null;
      state.lastError = null;
      notice('info', '');
      changed();
    },

    /** Opens the run saved in this browser, if any; resolves to its record's step or null. */
    async restore() {
      if (state.status !== 'idle') return null;
      let rec;
      try {
        rec = await loadRun();
      } catch (err) {
        notice('warn', `The saved run could not be read (${err?.message ?? err}).`);
        return null;
      }
      if (!rec) return null;
      state.status = 'busy';
      changed();
      try {
        state.status = await exclusive(() => restoreRecord(rec));
      } catch (err) {
        state.status = 'idle';
        state.run = null;
        notice('warn', `A run was saved in this browser but could not be opened (${err?.message ?? err}). Reset discards it.`);
        changed();
        return null;
      }
      changed();
      return rec;
    },

    /**
     * Replaces the run with a model from checkpoint bytes (validated by the engine).
     * @param {Uint8Array} bytes weights (.safetensors)
     * @param {Uint8Array|null} optimizer AdamW state to continue exactly, or null
     * @param {object} settings the sizes are taken from the checkpoint; the rest from here
     * @returns {Promise<object>} the engine (its config and vocab)
     */
    async load(bytes, optimizer, settings) {
      const from = state.status;
      state.status = 'busy'; // a running loop stops after its current call; the buttons wait
      changed();
      const job = exclusive(async () => {
        const engine = await loadEngine(worker, bytes, { backend: settings.engine, seed: settings.seed, encdec: true });
        await disposeEngine();
        await clearRun().catch(() => {});
        const c = engine.config;
        const s = { ...settings, ...settingsOfConfig(c) };
        state.run = newRun(s, null, null, 'upload');
        uploadedOptimizer = optimizer;
        setEngine(engine);
        state.lastError = null;
        state.msPerStep = null;
        await autosave();
        state.status = 'loaded';
        changed();
        return engine;
      });
      try {
        return await job;
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
    /** Saves at the next turn of the loop (the tab is being hidden or closed). */
    saveSoon() {
      lastSave = -Infinity;
    },
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
      if (state.engine && state.run?.inputs) await probe();
      changed();
    }),
    /** Steps between evaluations in this run. */
    evalEvery: () => evalEvery(maxSteps()),
    stepsDone,
  };
}
