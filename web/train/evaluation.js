// What the Train page reads from its model at each evaluation, besides the training loss: the
// validation loss, the attention probe (an encoder-decoder's decodings of a source), a sample of
// what it writes (an encoder's guesses instead), and the gradient norms and update sizes. Each
// is a few engine calls, made between training calls.

import { familyOf, isEncDec } from './presets.js';
import { probeModel, sampleText } from './observe.js';
import { classifyExamples, predictMasked } from './predict.js';

const EVAL_BATCHES = 4; // batches of each split per evaluation
const SAMPLE_TOKENS = 80; // characters per sample
const SAMPLE_TEMPERATURE = 0.8;
const SAMPLES_KEPT = 20;

/**
 * @param {object} state the trainer's: its `engine`, `run` and `source` (an encoder-decoder's probe source)
 * @param {{ classes?: (data: object) => string[]|undefined, elapsedMs: () => number }} hooks
 *   classes: a classifier's class names for its data; elapsedMs: the run's training time so far
 * @returns {{ point: () => Promise<void>, probe: () => Promise<void> }}
 */
export function createEvaluation(state, { classes, elapsedMs }) {
  const stepsDone = () => state.run?.stepsDone ?? 0;
  const keep = (samples) => samples.splice(0, Math.max(0, samples.length - SAMPLES_KEPT));

  /** The attention maps (or an encoder-decoder's translation) of the run's probe input, now. */
  async function probe() {
    const { run, engine } = state;
    const text = isEncDec(run.settings) ? state.source ?? run.inputs.probe : run.inputs.probe;
    const p = await probeModel(engine, text);
    if (p) run.probe = { step: stepsDone(), ...p };
  }

  /** What the model makes of its fixed inputs: a decoder's sample, an encoder's guesses. */
  async function sample() {
    const { run, engine } = state;
    const step = stepsDone();
    const shows = familyOf(run.settings.family).shows ?? 'samples';
    if (shows === 'seq2seq') { // the probe just taken: what the decoder wrote both ways
      const tr = run.probe?.translation;
      if (tr) run.samples.push({ step, kind: 'seq2seq', target: tr.target, teacher: tr.teacher.text, greedy: tr.greedy.text });
    } else if (shows !== 'samples') {
      const names = classes?.(run.data) ?? ['unbalanced', 'balanced'];
      const p = shows === 'classes' ? await classifyExamples(engine, names) : await predictMasked(engine, run.inputs.probe, run.settings.seed);
      if (p) run.samples.push({ step, ...p });
    } else {
      const s = await sampleText(engine, run.inputs.prompt, { n: SAMPLE_TOKENS, temperature: SAMPLE_TEMPERATURE, seed: run.settings.seed + step });
      run.samples.push({ step, ...s });
    }
    keep(run.samples);
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

  return {
    probe,
    /** Validation loss, the probe, a sample and the gradient statistics for the current step. */
    async point() {
      const { run, engine } = state;
      const { train, val } = await engine.evaluate(EVAL_BATCHES);
      const step = stepsDone();
      if (!run.val.length || run.val[run.val.length - 1].step !== step) run.val.push({ step, train, val, ms: Math.round(elapsedMs()) });
      await probe();
      await sample();
      await gradStats();
    },
  };
}
