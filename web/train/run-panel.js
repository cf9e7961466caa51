// The Train page's Run card and its file buttons, drawn from the trainer's state: which buttons
// the run allows, the status line, the progress bar with the time left, the loss chart and the
// numbers under it.

import { el } from '../views/dom.js';
import { fmt } from '../views/format.js';
import { createLossChart } from '../views/loss-chart.js';
import { formatNumber, t } from '../i18n/i18n.js';

const ETA_MIN_STEPS = 3; // steps timed before an ETA is shown
const WORKING = ['busy', 'recovering', 'starting']; // the engine is in use: its buttons wait

/** "1 min 20 s", "45 s", "2 h 5 min". */
function duration(seconds) {
  const s = Math.max(0, Math.round(seconds));
  if (s < 60) return t('train.time.s', { s });
  if (s < 3600) return t('train.time.minS', { min: Math.floor(s / 60), s: s % 60 });
  return t('train.time.hMin', { h: Math.floor(s / 3600), min: Math.floor((s % 3600) / 60) });
}

/** The status line; `valid`: whether the Set up form's settings can start a run. */
function statusText({ status, run }, valid) {
  const n = run?.stepsDone ?? 0;
  const key = {
    idle: valid ? 'train.status.ready' : 'train.status.waits',
    starting: 'train.status.starting',
    running: 'train.status.running',
    pausing: 'train.status.pausing',
    paused: 'train.status.paused',
    done: 'train.status.done',
    loaded: !valid ? 'train.status.loadedWaits' : run?.stepsDone ? 'train.status.loadedRun' : 'train.status.loaded',
    recovering: 'train.status.recovering',
    busy: 'train.status.busy',
  }[status];
  return key ? t(key, { n }) : '';
}

function progressText(state, done, max, running) {
  const parts = [t('train.progress.steps', { done, max })];
  if (running && done < max) {
    const timed = state.wallPerStep && state.timedSteps >= ETA_MIN_STEPS;
    parts.push(timed ? t('train.progress.left', { time: duration(((max - done) * state.wallPerStep) / 1000) }) : t('train.progress.timing'));
  } else if (state.run?.elapsedMs) {
    parts.push(t('train.progress.elapsed', { time: duration(state.run.elapsedMs / 1000) }));
  }
  if (state.saved) parts.push(t('train.progress.saved', { n: state.saved.step }));
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

  /** The engine stat's explanation: the GPU adapter and what its launches are sized for, or the CPU engine's threads. */
  function engineTitle(engine) {
    if (!engine) return '';
    if (!engine.adapter) return t('train.stat.cpuEngine', { threads: engine.threads > 1 ? engine.threads : 1 });
    return engine.kernels ? t('train.stat.gpuEngine', { adapter: engine.adapter, kernels: engine.kernels }) : engine.adapter;
  }

  function drawStats({ run, engine, rate: { msPerStep } }) {
    const n = run?.loss.length ?? 0;
    const lastVal = run?.val[run.val.length - 1];
    const s = run?.settings;
    // [data-stat (tests read it), the name, the value, its explanation]
    const rows = [
      ['step', t('train.stat.step'), run ? formatNumber(run.stepsDone ?? 0) : '–'],
      ['loss', t('train.stat.loss'), n ? fmt(chart.smoothed(), 4) : '–', t('train.stat.lossTitle')],
      ['val-loss', t('train.stat.valLoss'), lastVal ? fmt(lastVal.val, 4) : '–', lastVal ? t('train.stat.valLossAt', { step: lastVal.step }) : t('train.stat.valLossTitle')],
      ['tokens-s', t('train.stat.tokensPerS'), msPerStep && s ? formatNumber(Math.round((s.batch * s.ctx * 1000) / msPerStep)) : '–', t('train.stat.tokensPerSTitle')],
      ['ms-step', t('train.stat.msPerStep'), msPerStep ? fmt(msPerStep, 3) : '–'],
      ['lr', t('train.stat.lr'), n ? fmt(run.lr[n - 1], 3) : '–', t('train.stat.lrTitle')],
      ['grad-norm', t('train.stat.gradNorm'), n ? fmt(run.gradNorm[n - 1], 3) : '–', t('train.stat.gradNormTitle')],
      ['engine', t('train.stat.engine'), engine ? (engine.backend === 'webgpu' ? 'WebGPU' : 'CPU') : '–',
        engineTitle(engine)],
    ];
    ui.stats.replaceChildren(...rows.map(([stat, name, value, title]) => el(
      'div',
      {},
      el('dt', { text: name, attrs: title ? { title } : {} }),
      el('dd', { text: value, attrs: { 'data-stat': stat, translate: 'no' } }),
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
      ui.start.textContent = t({ paused: 'train.run.resume', done: 'train.run.trainOn', loaded: 'train.run.startTraining' }[status] ?? 'train.run.start');
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
      ui.explore.title = running ? t('train.files.exploreRunning') : '';

      ui.download.disabled = !hasEngine;
      ui.downloadOpt.disabled = !hasEngine || !run?.train || status === 'loaded';
      ui.upload.disabled = WORKING.includes(status);
    },
  };
}
