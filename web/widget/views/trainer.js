// Widget "trainer": a tiny transformer learns a generated task in the reader's browser, by the
// Train page's training loop (train/loop.js) with small sizes of its own. Train and Pause,
// Reset, the loss curve, and the attention maps of the task's example redrawn as training goes,
// so the reader sees a head find its pattern.

import { el } from '../../views/dom.js';
import { t } from '../../i18n/i18n.js';
import { createAttentionMaps } from './attention-grid.js';
import { createLossChart } from '../../views/loss-chart.js';
import { trainerEngine, tasks } from '../engine-hub.js';
import { createTrainingLoop, newHistory } from '../../train/loop.js';

const STEPS_PER_CALL = 5; // the other widgets' calls to the worker take their turn in between
const EVAL_EVERY = 25; // steps between validation losses
const EVAL_BATCHES = 2;
/** Everything of nanoGPT's recipe but the run's length and seed, which come from the attributes. */
const TRAIN = { batch_size: 16, learning_rate: 1e-2, min_lr: 1e-3, warmup_steps: 20, weight_decay: 0.1, beta1: 0.9, beta2: 0.99, eps: 1e-8, grad_clip: 1 };

/**
 * @param {HTMLElement} container
 * @param {{ onError: (err: Error) => void }} env
 * @returns {{ update: (props: object, model: null, isStale: () => boolean) => Promise<object[]|null>,
 *   stop: () => void, dispose: () => Promise<void> }} stop pauses training (the element calls it when it leaves
 *   the page); dispose also frees its model (removed from the page, or another view shown)
 */
export function createTrainerWidget(container, { onError }) {
  const lesson = el('p', { className: 'tp-lesson' });
  const train = el('button', { className: 'primary', text: t('widget.trainer.train', { state: 'start' }), attrs: { type: 'button' } });
  const reset = el('button', { text: t('widget.trainer.reset'), attrs: { type: 'button' } });
  const status = el('span', { className: 'tp-train-status', attrs: { role: 'status' } });
  container.append(lesson, el('div', { className: 'tp-train-bar' }, train, reset, status));
  const chart = createLossChart(container, { compact: true });
  const example = el('p', { className: 'note' });
  container.append(example);
  const maps = createAttentionMaps(container);

  const loop = createTrainingLoop({ maxPerCall: STEPS_PER_CALL });
  let run = null; // { key, props, engine, model, text, steps, history (loop.js) }
  let playing = false; // the reader wants training to run
  let looping = null; // the promise of the running loop, or null

  function showStatus() {
    const { stepsDone, steps, loss, val } = run.history;
    const done = stepsDone >= run.steps;
    train.textContent = t('widget.trainer.train', { state: playing ? 'pause' : done ? 'done' : stepsDone > 0 ? 'resume' : 'start' });
    train.disabled = done && !playing;
    status.textContent = t('widget.trainer.status', { step: stepsDone, steps: run.steps, playing: playing ? 'yes' : 'no' });
    chart.update({ steps, loss, val, xMax: run.steps, chance: Math.log(run.engine.config.vocab_size) });
  }

  /** The attention maps of the task's example, with the reader's pick (or `pick`) drawn large. */
  const drawAttention = (pick) => maps.show(run.model, run.text, pick);

  async function evaluate() {
    const { val } = await run.engine.evaluate(EVAL_BATCHES);
    run.history.val.push({ step: run.history.stepsDone, val });
  }

  function loopOver(current) {
    return loop.run({
      engine: current.engine,
      history: current.history,
      maxSteps: current.steps,
      every: EVAL_EVERY,
      keepGoing: () => playing && current === run,
      evaluate,
      after: async () => {
        await drawAttention();
        showStatus();
      },
    });
  }

  function play() {
    playing = true;
    showStatus();
    if (looping) return; // paused and resumed before the loop noticed: it goes on
    const current = run;
    looping = loopOver(current).then(
      () => {
        looping = null;
        if (playing && current === run && run.history.stepsDone < run.steps) return play();
        playing = false;
        if (current === run) showStatus();
      },
      (err) => {
        looping = null;
        playing = false;
        onError(err);
      },
    );
  }

  /** Stops the loop after its current chunk; resolves once it has. */
  async function pause() {
    playing = false;
    await looping;
  }

  async function start(props) {
    await pause();
    const old = run?.engine;
    run = null;
    if (old) await old.dispose();
    const engine = await trainerEngine({ task: props.task, seed: props.seed });
    await engine.startTraining({ ...TRAIN, max_steps: props.steps, seed: props.seed });
    const info = (await tasks()).find((t) => t.name === props.task);
    const [sample] = info.lesson.split(' — ');
    const model = { engine, config: engine.config, vocab: engine.vocab };
    run = { key: runKey(props), props, engine, model, text: sample.slice(0, engine.config.block_size), steps: props.steps, history: newHistory() };
    lesson.textContent = t('widget.trainer.lesson', { task: props.task, lesson: info.lesson });
    const { n_layer: L, n_head: NH, n_embd: C } = engine.config;
    example.textContent = t('widget.trainer.model', {
      L, NH, C, seed: String(props.seed), backend: engine.backend === 'webgpu' ? 'webgpu' : 'cpu', example: run.text,
    });
    await evaluate();
    await drawAttention(props);
    showStatus();
  }

  train.addEventListener('click', () => (playing ? pause().then(showStatus) : play()));
  reset.addEventListener('click', () => { if (run) start(run.props).catch(onError); });

  return {
    async update(props, model, isStale) {
      const { pick } = maps;
      if (run?.key !== runKey(props)) await start(props);
      else if (pick && (pick.layer !== props.layer || pick.head !== props.head)) await drawAttention(props);
      return isStale() ? null : [];
    },
    stop: () => { pause(); },
    /** The widget leaves the page (or shows another view): its model is freed. */
    async dispose() {
      await pause();
      const engine = run?.engine;
      run = null;
      await engine?.dispose();
    },
  };
}

/** What identifies a run: another task, seed or length starts a new model. */
function runKey(props) {
  return `${props.task}|${props.seed}|${props.steps}`;
}
