// Compare mode's run: two models, A and B, made from two settings on the same data with the
// same seed (so the same initial batches), trained in turn a few steps each by the page's
// training loop (loop.js), evaluated at the same steps, with the attention maps of the same
// probe input. No DOM: the view reads `state`.

import { createEngine } from '../engine/client.js';
import { ARCH_DEFAULTS, evalEvery, modelConfig, trainConfig } from './presets.js';
import { probeModel } from './observe.js';
import { createTrainingLoop, newHistory } from './loop.js';

const STEPS_PER_TURN = 5; // steps one model takes before the other takes its turn
const EVAL_BATCHES = 2;

/** The fields of A that B may change. */
export const B_FIELDS = ['family', 'layers', 'heads', 'embd', 'lr', 'norm', 'normpos', 'positions', 'ffn', 'head'];

/**
 * The settings B starts from: A's with LLaMA's architecture (RMSNorm, rotary positions where each
 * head's width is even, SwiGLU) where A has GPT-2's, else with GPT-2's; so from the first step the
 * two curves differ, and neither hides the other.
 */
export function variantOf(a) {
  const gpt2 = a.norm === ARCH_DEFAULTS.norm && a.ffn === ARCH_DEFAULTS.ffn;
  const evenHeads = (a.embd / a.heads) % 2 === 0;
  const llama = { norm: 'rms_norm', positions: evenHeads ? 'rotary' : a.positions, ffn: 'swi_glu' };
  return { ...a, ...(gpt2 ? llama : { norm: ARCH_DEFAULTS.norm, positions: ARCH_DEFAULTS.positions, ffn: ARCH_DEFAULTS.ffn }) };
}

/**
 * @param {{ call: Function }} worker
 * @param {(choice: string) => string} backend what the engine is asked for on an Engine choice (engine-choice.js)
 * @param {() => void} onChange
 */
export function createComparison(worker, backend, onChange) {
  // sides: [{ name, settings, engine, loop, probe, stepsDone, steps, loss, gradNorm, lr, val }] (loop.js's history)
  const state = { status: 'idle', error: null, sides: [] };

  async function dispose() {
    for (const s of state.sides) await s.engine?.dispose().catch(() => {});
    state.sides = [];
  }

  async function evaluate(side, probeText) {
    const { val } = await side.engine.evaluate(EVAL_BATCHES);
    side.val.push({ step: side.stepsDone, val });
    const p = await probeModel(side.engine, probeText);
    if (p) side.probe = p;
  }

  return {
    state,
    /**
     * Trains A and B to the end of A's steps, in turns.
     * @param {object} a A's settings (data, seed, batch, ctx, steps, engine are shared)
     * @param {object} b B's settings
     * @param {object} data { task } or { text }
     * @param {string} probeText the input whose attention maps are compared
     */
    async run(a, b, data, probeText) {
      if (state.status === 'running') return;
      await dispose();
      state.status = 'running';
      state.error = null;
      onChange();
      try {
        const shared = { data: a.data, seed: a.seed, batch: a.batch, ctx: a.ctx, steps: a.steps, engine: a.engine };
        for (const [name, s] of [['A', a], ['B', { ...b, ...shared }]]) {
          const engine = await createEngine(worker, { config: modelConfig(s), seed: s.seed, data, backend: backend(s.engine) });
          const loop = createTrainingLoop({ maxPerCall: STEPS_PER_TURN });
          state.sides.push({ name, settings: s, engine, loop, probe: null, ...newHistory() });
          await engine.startTraining(trainConfig(s));
        }
        for (const side of state.sides) await evaluate(side, probeText);
        const run = { maxSteps: a.steps, every: evalEvery(a.steps) };
        while (state.status === 'running' && state.sides[0].stepsDone < a.steps) {
          for (const side of state.sides) if (await side.loop.call(side.engine, side, run)) await evaluate(side, probeText);
          onChange();
        }
        state.status = state.status === 'running' ? 'done' : 'stopped';
      } catch (err) {
        state.error = String(err?.message ?? err);
        state.status = 'failed';
      }
      onChange();
    },
    stop() {
      if (state.status === 'running') state.status = 'stopping';
    },
    /** Tokens per second of a side's training calls. */
    tokensPerSecond(side) {
      const s = side.settings;
      const { engineMs, engineSteps } = side.loop.rate;
      return engineMs > 0 ? (engineSteps * s.batch * s.ctx * 1000) / engineMs : null;
    },
    dispose,
  };
}
