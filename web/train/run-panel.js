// The Train page's Run card and its file buttons, drawn from the trainer's state: which buttons
// the run allows, the status line, the progress bar with the time left, the loss chart and the
// numbers under it.

import { el } from '../views/dom.js';
import { fmt } from '../views/format.js';
import { createLossChart } from '../views/loss-chart.js';

const ETA_MIN_STEPS = 3; // steps timed before an ETA is shown
const WORKING = ['busy', 'recovering', 'starting']; // the engine is in use: its buttons wait

/** "1 min 20 s", "45 s", "2 h 5 min". */
function duration(seconds) {
  const s = Math.max(0, Math.round(seconds));
  if (s < 60) return `${s} s`;
  if (s < 3600) return `${Math.floor(s / 60)} min ${s % 60} s`;
  return `${Math.floor(s / 3600)} h ${Math.floor((s % 3600) / 60)} min`;
}

/** The status line; `valid`: whether the Set up form's settings can start a run. */
function statusText({ status, run }, valid) {
  const at = (run?.stepsDone ?? 0).toLocaleString('en');
  return {
    idle: valid ? 'Ready: press Start.' : 'Start waits: Set up says what to change first.',
    starting: 'Creating the model (the first time, the GPU kernels compile: a few seconds)…',
    running: 'Training…',
    pausing: 'Pausing after this step…',
    paused: `Paused at step ${at}.`,
    done: `Done: ${at} steps.`,
    loaded: !valid ? 'A loaded model: Start waits, Set up says what to change first.'
      : run?.stepsDone ? `A run loaded at step ${at}: press Start training to continue it, or explore it.`
      : 'A loaded model: choose its data and press Start training, or explore it.',
    recovering: 'Rebuilding the engine from the autosave…',
    busy: 'Working…',
  }[status] ?? '';
}

function progressText(state, done, max, running) {
  const parts = [`${done.toLocaleString('en')} of ${max.toLocaleString('en')} steps`];
  if (running && done < max) {
    const timed = state.wallPerStep && state.timedSteps >= ETA_MIN_STEPS;
    parts.push(timed ? `about ${duration(((max - done) * state.wallPerStep) / 1000)} left` : 'timing the steps…');
  } else if (state.run?.elapsedMs) {
    parts.push(`${duration(state.run.elapsedMs / 1000)} of training`);
  }
  if (state.saved) parts.push(`saved at step ${state.saved.step.toLocaleString('en')}`);
  return parts.join(' · ');
}

export function createRunPanel() {
  const $ = (id) => document.getElementById(id);
  const ui = {
    start: $('tr-start'),
    pause: $('tr-pause'),
    step: $('tr-step'),
    reset: $('tr-reset'),
    status: $('tr-status'),
    progress: $('tr-progress'),
    progressText: $('tr-progress-text'),
    stats: $('tr-stats'),
    explore: $('tr-explore'),
    download: $('tr-download'),
    downloadOpt: $('tr-download-opt'),
    upload: $('tr-upload'),
  };
  const chart = createLossChart($('tr-chart'));

  function drawStats({ run, engine, rate: { msPerStep } }) {
    const n = run?.loss.length ?? 0;
    const lastVal = run?.val[run.val.length - 1];
    const s = run?.settings;
    const rows = [
      ['Step', run ? (run.stepsDone ?? 0).toLocaleString('en') : '–'],
      ['Loss', n ? fmt(chart.smoothed(), 4) : '–', 'training loss, running average'],
      ['Val loss', lastVal ? fmt(lastVal.val, 4) : '–', lastVal ? `validation loss at step ${lastVal.step}` : 'validation loss'],
      ['Tokens/s', msPerStep && s ? Math.round((s.batch * s.ctx * 1000) / msPerStep).toLocaleString('en') : '–', 'batch × context × steps per second'],
      ['ms/step', msPerStep ? fmt(msPerStep, 3) : '–'],
      ['LR', n ? fmt(run.lr[n - 1], 3) : '–', 'learning rate: warmup, then cosine decay'],
      ['Grad norm', n ? fmt(run.gradNorm[n - 1], 3) : '–', 'size of the gradient before clipping to 1'],
      ['Engine', engine ? (engine.backend === 'webgpu' ? 'WebGPU' : 'CPU') : '–', engine?.adapter ?? (engine ? `the CPU engine, in WebAssembly, ${engine.threads > 1 ? `${engine.threads} threads` : 'one thread'}` : '')],
    ];
    ui.stats.replaceChildren(...rows.map(([name, value, title]) => el(
      'div',
      {},
      el('dt', { text: name, attrs: title ? { title } : {} }),
      el('dd', { text: value, attrs: { 'data-stat': name.toLowerCase().replace(/[^a-z]+/g, '-') } }),
    )));
  }

  return {
    /**
     * @param {object} state the trainer's
     * @param {{ steps: number, valid: boolean }} form the Set up form's steps, and whether its settings can start a run
     */
    draw(state, form) {
      const { status, run, engine } = state;
      const done = run?.stepsDone ?? 0;
      // form.steps is NaN while the field is empty (being retyped): keep the steps done till then
      const max = run?.train?.max_steps ?? (Number.isFinite(form.steps) ? form.steps : done);
      const running = status === 'running' || status === 'pausing' || status === 'starting';
      const idle = status === 'idle';
      const canStart = ((idle || status === 'loaded') && form.valid) || status === 'paused' || (status === 'done' && form.steps > done);
      ui.start.textContent = { paused: 'Resume', done: 'Train on', loaded: 'Start training' }[status] ?? 'Start';
      ui.start.disabled = !canStart;
      ui.pause.disabled = !(status === 'running' || status === 'starting');
      ui.step.disabled = !(status === 'paused' || (status === 'done' && form.steps > done) || ((idle || status === 'loaded') && form.valid));
      ui.reset.disabled = !run || WORKING.includes(status);
      ui.status.textContent = statusText(state, form.valid);
      ui.progress.max = Math.max(1, max);
      ui.progress.value = Math.min(done, max);
      ui.progressText.textContent = progressText(state, done, max, running);
      chart.update({
        steps: run?.steps ?? [],
        loss: run?.loss ?? [],
        val: run?.val ?? [],
        xMax: max,
        chance: engine ? Math.log(engine.config.n_classes || engine.config.vocab_size) : null,
        chanceName: engine?.config.n_classes ? 'ln K' : 'ln V', // K classes, or V tokens
      });
      drawStats(state); // after the chart: it shows the chart's running average
      const hasEngine = Boolean(engine) && !WORKING.includes(status);
      ui.explore.disabled = !hasEngine || running;
      ui.explore.title = running ? 'Pause first: the model changes with every step.' : '';
      ui.download.disabled = !hasEngine;
      ui.downloadOpt.disabled = !hasEngine || !run?.train || status === 'loaded';
      ui.upload.disabled = WORKING.includes(status);
    },
  };
}
