// The training loop, the one every trainer on the page runs: the Train page's run
// (train/trainer.js), its Compare mode (train/compare.js) and the widget's trainer
// (widget/views/trainer.js), each with its own sizes. A call is one `trainSteps` of the engine,
// never past an evaluation or the end of the run; its steps' loss, gradient norm and learning
// rate go into the run's history, which the loss chart (views/loss-chart.js) draws.

const RATE_WEIGHT = 0.8; // weight of the past in the ms/step average

/** A run's history: steps done, each step's numbers, and the evaluations ({ step, val, … }). */
export function newHistory() {
  return { stepsDone: 0, steps: [], loss: [], gradNorm: [], lr: [], val: [] };
}

/**
 * @param {{ maxPerCall: number, targetMs?: number|null }} sizes steps per call: as many as take
 *   about `targetMs` (so Pause answers quickly), at most `maxPerCall`; without targetMs, maxPerCall
 * @returns {{ rate: { msPerStep: number|null, engineMs: number, engineSteps: number }, call: Function, run: Function }}
 *   rate: engine time per step (a running average), and the time and steps of every call
 */
export function createTrainingLoop({ maxPerCall, targetMs = null }) {
  const rate = { msPerStep: null, engineMs: 0, engineSteps: 0 };

  function record(history, stats, ms) {
    for (const s of stats) {
      history.steps.push(s.step);
      history.loss.push(s.loss);
      history.gradNorm.push(s.grad_norm);
      history.lr.push(s.lr);
    }
    if (stats.length) history.stepsDone = stats[stats.length - 1].step + 1;
    rate.engineMs += ms;
    rate.engineSteps += stats.length;
    const per = ms / Math.max(1, stats.length);
    rate.msPerStep = rate.msPerStep === null ? per : RATE_WEIGHT * rate.msPerStep + (1 - RATE_WEIGHT) * per;
  }

  /** Steps for the next call: never past the next evaluation (every `every` steps) or `maxSteps`. */
  function stepsForCall(done, maxSteps, every) {
    const fit = targetMs === null ? maxPerCall : rate.msPerStep ? Math.floor(targetMs / rate.msPerStep) : 1;
    return Math.max(1, Math.min(fit, maxPerCall, every - (done % every), maxSteps - done));
  }

  /**
   * One trainSteps call of `engine`, recorded in `history`.
   * @param {{ maxSteps: number, every: number, n?: number }} run the run's length, its evaluation
   *   interval, and (n) the steps to take if not the loop's choice
   * @returns {Promise<boolean>} whether an evaluation is due (an evaluation step, or the end)
   */
  async function call(engine, history, { maxSteps, every, n = stepsForCall(history.stepsDone, maxSteps, every) }) {
    const t0 = performance.now();
    const stats = await engine.trainSteps(n);
    record(history, stats, performance.now() - t0);
    return history.stepsDone % every === 0 || history.stepsDone >= maxSteps;
  }

  return {
    rate,
    call,
    /** A new run: the ms/step average starts again (engineMs and engineSteps go on counting). */
    restart() {
      rate.msPerStep = null;
    },
    /**
     * Trains until `keepGoing()` turns false or the run is at its end. A turn is one call, the
     * evaluation when due and `after`; `exclusive` wraps each turn (the Train page queues it
     * behind its other engine calls), and `onTurn` follows it (the view draws). What a call
     * throws ends the loop and reaches the caller, who says what the fault means.
     * @param {{ engine: object, history: object, maxSteps: number, every: number, keepGoing: () => boolean,
     *   evaluate: () => Promise<void>, after?: () => Promise<void>, exclusive?: (turn: () => Promise<void>) => Promise<void>,
     *   onTurn?: () => void }} o
     */
    async run({ engine, history, maxSteps, every, keepGoing, evaluate, after = async () => {}, exclusive = (turn) => turn(), onTurn = () => {} }) {
      while (keepGoing() && history.stepsDone < maxSteps) {
        await exclusive(async () => {
          if (!keepGoing()) return;
          if (await call(engine, history, { maxSteps, every })) await evaluate();
          await after();
        });
        onTurn();
      }
    },
  };
}
