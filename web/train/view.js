// The Train page: wires the set-up form, the trainer, the loss chart, the samples, the live
// attention maps and the checkpoint files together, and draws the run once per animation
// frame at most. Everything the user typed is shown as text.

import { el } from '../views/dom.js';
import { fmt, tokenLabel } from '../views/format.js';
import { createNotices } from '../notices.js';
import { createAttentionView } from '../views/attention.js';
import { deserializeTrain, serializeTrain } from '../state.js';
import { createSetupForm } from './form.js';
import { createTrainer } from './trainer.js';
import { createLossChart } from './loss-chart.js';
import { createGradientsPanel } from './gradients.js';
import { familyOf, familyTakes, isEncDec, normalize, settingsOfConfig } from './presets.js';
import { createSeq2SeqView } from '../views/seq2seq.js';
import { predictionItem, predictionsIntro } from './predictions.js';
import { createCompareView } from './compare-view.js';
import { runInputs } from './data.js';
import { MAX_CHECKPOINT_BYTES, checkpointName, download, readBytes, runInfo, safetensorsMetadata } from './files.js';

const SAMPLES_SHOWN = 5;
const ETA_MIN_STEPS = 3; // steps timed before an ETA is shown

/**
 * Creates the Train page inside the static markup of index.html (#train-page).
 * @param {{ worker: { call: Function }, onExplore: (model: { engine: object, about: string, example: string }) => void,
 *   onEngine: (engine: object|null) => void, isShown: () => boolean }} options
 * @returns {Promise<{ show: (hash: string) => Promise<void>, debug: object }>}
 */
export async function createTrainView({ worker, onExplore, onEngine, isShown }) {
  const $ = (id) => document.getElementById(id);
  const tasks = await worker.call('tasks');
  const ui = {
    start: $('tr-start'),
    pause: $('tr-pause'),
    step: $('tr-step'),
    reset: $('tr-reset'),
    status: $('tr-status'),
    progress: $('tr-progress'),
    progressText: $('tr-progress-text'),
    stats: $('tr-stats'),
    samples: $('tr-samples'),
    samplesTitle: $('tr-samples-title'),
    samplesIntro: $('tr-samples-intro'),
    attentionIntro: $('tr-attention-intro'),
    explore: $('tr-explore'),
    download: $('tr-download'),
    downloadOpt: $('tr-download-opt'),
    upload: $('tr-upload'),
  };
  const runNotices = createNotices($('tr-notices'));
  const fileNotices = createNotices($('tr-file-notices'));
  const form = createSetupForm({ tasks, onChange: settingsChanged });
  const chart = createLossChart($('tr-chart'));
  let selected = { layer: 0, head: 0 };
  const attention = createAttentionView($('tr-attention'), { onSelect: (layer, head) => { selected = { layer, head }; drawnProbe = null; schedule(); } });
  const gradients = createGradientsPanel($('tr-gradients'), { trace: (layer) => trainer.backwardTrace(layer) });
  let drawnGrads = null; // what the gradients panel shows: `${engine handle}|${evaluations}|${can trace}`
  const trainer = createTrainer(worker, {
    onChange: schedule,
    onNotice: (messages) => runNotices.set('run', messages),
    onEngine,
    inputs: (data, ctx) => runInputs(data, tasks, ctx),
    classes: (data) => tasks.find((t) => t.name === data?.task)?.classes,
  });
  const { state } = trainer;
  const compare = createCompareView($('tr-compare'), {
    worker,
    settingsA: () => form.settings(),
    dataA: () => form.data(),
    probe: () => runInputs(form.data(), tasks, form.settings().ctx).probe,
    takes: (family) => {
      const d = form.data();
      return d.text !== undefined ? familyOf(family).tasks === 'lm' : familyTakes(family, tasks.find((t) => t.name === d.task) ?? { name: d.task });
    },
  });
  // an encoder-decoder's "What it predicts": its alignment and its two decodings of a source
  const seq2seqBox = el('div', { className: 'seq2seq', attrs: { id: 'tr-seq2seq', hidden: '' } });
  ui.samples.before(seq2seqBox);
  const seq2seq = createSeq2SeqView(seq2seqBox, {
    onSource: (source) => trainer.translate(source).catch((err) => seq2seq.message(`Could not run the model: ${err?.message ?? err}`)),
  });
  let restored = null; // promise of the first restore from IndexedDB
  let frame = 0;
  let drawnProbe; // the probe the attention view shows (null: none, hidden)
  let drawnSamples = null;
  let loadedInfo = null; // what an uploaded checkpoint's header said

  form.set(normalize(deserializeTrain('').state));
  compare.sync();

  function schedule() {
    if (!frame) frame = requestAnimationFrame(render);
  }

  function settingsChanged() {
    const s = form.settings();
    compare.sync();
    if (isShown() && form.valid()) history.replaceState(null, '', `#${serializeTrain(s)}`);
    schedule();
  }

  /** The form follows the run: its settings, and what may change. */
  function syncForm() {
    const { status, run, engine } = state;
    const level = ['running', 'starting', 'pausing', 'busy', 'recovering'].includes(status) ? 'all'
      : status === 'loaded' ? 'loaded' : run ? 'run' : 'none';
    form.lock(level, engine?.config.vocab_size ?? null);
  }

  // ---- drawing ----------------------------------------------------------------------------

  function render() {
    frame = 0;
    syncForm();
    const { status, run, engine } = state;
    const done = run?.stepsDone ?? 0;
    const wanted = form.settings().steps; // NaN while the field is empty (being retyped)
    const max = run?.train?.max_steps ?? (Number.isFinite(wanted) ? wanted : done);
    const running = status === 'running' || status === 'pausing' || status === 'starting';
    const idle = status === 'idle';
    const canStart = (idle && form.valid()) || status === 'paused' || status === 'loaded' || (status === 'done' && form.settings().steps > done);
    ui.start.textContent = { paused: 'Resume', done: 'Train on', loaded: 'Start training' }[status] ?? 'Start';
    ui.start.disabled = !canStart;
    ui.pause.disabled = !(status === 'running' || status === 'starting');
    ui.step.disabled = !(status === 'paused' || (status === 'done' && form.settings().steps > done) || ((idle || status === 'loaded') && form.valid()));
    ui.reset.disabled = !run || ['busy', 'recovering', 'starting'].includes(status);
    ui.status.textContent = statusText();

    ui.progress.max = Math.max(1, max);
    ui.progress.value = Math.min(done, max);
    ui.progressText.textContent = progressText(done, max, running);
    chart.update({
      steps: run?.steps ?? [],
      loss: run?.loss ?? [],
      val: run?.val ?? [],
      xMax: max,
      chance: engine ? Math.log(engine.config.n_classes || engine.config.vocab_size) : null,
      chanceName: engine?.config.n_classes ? 'ln K' : 'ln V', // K classes, or V tokens
    });
    drawStats(); // after the chart: it shows the chart's running average
    drawSamples();
    drawAttention();
    drawGradients();
    const hasEngine = Boolean(engine) && !['busy', 'recovering', 'starting'].includes(status);
    const encdec = engine?.config.family === 'encoder_decoder';
    ui.explore.disabled = !hasEngine || running || encdec;
    ui.explore.title = encdec ? 'Explore shows one token stream; the encoder-decoder is inspected here, under “What it predicts”.'
      : running ? 'Pause first: the model changes with every step.' : '';
    ui.download.disabled = !hasEngine;
    ui.downloadOpt.disabled = !hasEngine || !run?.train || status === 'loaded';
    ui.upload.disabled = ['busy', 'recovering', 'starting'].includes(status);
    runNotices.set('save', state.saveError ? [{ level: 'warn', text: state.saveError }] : []);
  }

  function statusText() {
    const { status, run } = state;
    const at = (run?.stepsDone ?? 0).toLocaleString('en');
    return {
      idle: 'Ready: press Start.',
      starting: 'Creating the model (the first time, the GPU kernels compile: a few seconds)…',
      running: 'Training…',
      pausing: 'Pausing after this step…',
      paused: `Paused at step ${at}.`,
      done: `Done: ${at} steps.`,
      loaded: 'A loaded model: choose its data and press Start training, or explore it.',
      recovering: 'Rebuilding the engine from the autosave…',
      busy: 'Working…',
    }[status] ?? '';
  }

  function progressText(done, max, running) {
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

  function drawStats() {
    const { run, engine, msPerStep } = state;
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
      ['Engine', engine ? (engine.backend === 'webgpu' ? 'WebGPU' : 'CPU') : '–', engine?.adapter ?? (engine ? 'the CPU reference, in WebAssembly' : '')],
    ];
    const nodes = rows.map(([name, value, title]) => el(
      'div',
      {},
      el('dt', { text: name, attrs: title ? { title } : {} }),
      el('dd', { text: value, attrs: { 'data-stat': name.toLowerCase().replace(/[^a-z]+/g, '-') } }),
    ));
    ui.stats.replaceChildren(...nodes);
  }

  function drawSamples() {
    const run = state.run;
    const samples = run?.samples ?? [];
    const every = trainer.evalEvery();
    const shows = familyOf(run?.settings.family).shows ?? 'samples';
    seq2seqBox.hidden = !(run && shows === 'seq2seq');
    if (run && shows === 'seq2seq') {
      ui.samplesTitle.textContent = 'What it predicts';
      ui.samplesIntro.textContent = `Every ${every} steps and after each Step, the model runs the source below: the cross-attention map ` +
        'is the alignment (a trained reverser draws an anti-diagonal), and the table shows what the decoder is fed and predicts with ' +
        'teacher forcing (the true previous letters, as in training) and step by step (its own outputs, as at inference). ' +
        'Map also shows the encoder’s and the decoder’s self-attention. Type another source to run it.';
      if (run.probe?.translation) seq2seq.update(run.probe);
    } else if (run && shows !== 'samples') {
      ui.samplesTitle.textContent = 'What it predicts';
      ui.samplesIntro.textContent = predictionsIntro(shows, every);
    } else if (run?.inputs) {
      ui.samplesTitle.textContent = 'What it writes';
      const shown = JSON.stringify(run.inputs.prompt.replace(/^\n/, '')).slice(1, -1);
      ui.samplesIntro.textContent = `Every ${every} steps the model continues the prompt “${shown}” for 80 characters (temperature 0.8). ` +
        'Grey is the prompt, the rest is the model’s own. Untrained, it writes noise; as it learns, the output follows the data.';
    } else if (!run && isEncDec(form.settings())) {
      ui.samplesTitle.textContent = 'What it predicts';
      ui.samplesIntro.textContent = 'Once training starts, the encoder-decoder’s alignment and what it writes for a source, teacher-forced and step by step, appear here.';
    } else {
      ui.samplesTitle.textContent = 'What it writes';
      ui.samplesIntro.textContent = 'Samples of what the model writes appear here while it trains.';
    }
    const key = `${samples.length}|${samples[samples.length - 1]?.step}`;
    if (drawnSamples === key) return;
    drawnSamples = key;
    ui.samples.replaceChildren(...samples.slice(-SAMPLES_SHOWN).reverse().map((s) => s.kind ? predictionItem(s) : el(
      'li',
      { className: 'sample' },
      el('span', { className: 'sample-step', text: `step ${s.step.toLocaleString('en')}` }),
      el('pre', { className: 'sample-text' }, el('span', { className: 'sample-prompt', text: s.prompt.replace(/^\n/, '') }), s.text),
    )));
  }

  function drawAttention() {
    const probe = state.run?.probe;
    if (isEncDec(state.run?.settings ?? form.settings())) {
      ui.attentionIntro.textContent = 'The encoder-decoder’s attention maps (the cross-attention alignment, and the encoder’s and the ' +
        'decoder’s self-attention) are under “What it predicts”, for a source you can change.';
      if (drawnProbe !== null) { drawnProbe = null; $('tr-attention').hidden = true; }
      return;
    }
    if (!probe) {
      ui.attentionIntro.textContent = 'Once training starts, the attention maps of this model for a fixed input appear here, redrawn as it learns.';
      if (drawnProbe !== null) { drawnProbe = null; $('tr-attention').hidden = true; }
      return;
    }
    if (drawnProbe === probe) return;
    drawnProbe = probe;
    $('tr-attention').hidden = false;
    const nLayer = probe.maps.length;
    const nHead = probe.maps[0].length;
    selected = { layer: Math.min(selected.layer, nLayer - 1), head: Math.min(selected.head, nHead - 1) };
    const labels = probe.labels.map(tokenLabel);
    ui.attentionIntro.textContent =
      `The input “${probe.labels.join('').replace(/\n/g, '↵')}” (${probe.ids.length} tokens) through the model at step ${probe.step.toLocaleString('en')}, ` +
      `redrawn every ${trainer.evalEvery()} steps and after each Step. At first every head spreads its attention evenly; watch them specialise.`;
    const causal = state.engine?.config.family !== 'encoder';
    attention.update({ labels, T: probe.ids.length, layer: selected.layer, head: selected.head, maps: probe.maps, causal });
  }

  // ---- actions ----------------------------------------------------------------------------

  const guard = (fn) => () => fn().catch((err) => {
    console.error(err);
    runNotices.set('run', [{ level: 'warn', text: `Something went wrong: ${err?.message ?? err}` }]);
    schedule();
  });

  /** Start, or Resume; with `thenStep`, prepares the run paused and takes one step. */
  async function start({ thenStep = false } = {}) {
    const s = form.settings();
    if (state.status === 'idle' || state.status === 'loaded') {
      if (!form.valid()) return;
      if (state.status === 'idle') {
        fileNotices.set('file', []);
        await trainer.start(s, form.data(), { paused: thenStep });
      } else {
        await trainer.resume(s, form.data(), { paused: thenStep });
      }
      if (thenStep && state.status === 'paused') await trainer.stepOnce(form.settings());
      return;
    }
    await trainer.resume(s);
  }

  ui.start.addEventListener('click', guard(() => start()));
  ui.pause.addEventListener('click', () => trainer.pause());
  ui.step.addEventListener('click', guard(async () => {
    if (state.status === 'idle' || state.status === 'loaded') await start({ thenStep: true });
    else await trainer.stepOnce(form.settings());
  }));
  ui.reset.addEventListener('click', guard(async () => {
    const at = state.run?.stepsDone ?? 0;
    if (!window.confirm(`Discard this run (step ${at.toLocaleString('en')}) and its autosave? Download the weights first to keep them.`)) return;
    await trainer.reset();
    fileNotices.set('file', []);
    loadedInfo = null;
    drawnProbe = undefined;
  }));
  ui.explore.addEventListener('click', () => {
    const { engine, run } = state;
    if (!engine) return;
    const data = run?.data?.task ? `the ${run.data.task} task` : run?.data ? 'your text' : 'its own data';
    const val = run?.val[run.val.length - 1];
    const about = run?.source === 'upload' && !run.train
      ? 'These are the weights of the checkpoint you loaded on the Train page.'
      : `These are the weights you trained on ${data}: step ${(run?.stepsDone ?? 0).toLocaleString('en')}` +
        (val ? `, validation loss ${fmt(val.val, 3)} (it started near ${fmt(Math.log(engine.config.vocab_size), 3)}, guessing).` : '.') +
        ' Train in the header goes back to the run.';
    const probe = run?.probe?.labels.join('') ?? run?.inputs?.probe ?? engine.vocab.slice(0, 16).join('');
    onExplore({ engine, about, example: probe.replace(/^\n/, '') });
  });
  ui.download.addEventListener('click', guard(async () => {
    const bytes = await trainer.exportCheckpoint();
    download(bytes, checkpointName(dataName(), trainer.stepsDone()));
  }));
  ui.downloadOpt.addEventListener('click', guard(async () => {
    const bytes = await trainer.exportOptimizer();
    download(bytes, checkpointName(dataName(), trainer.stepsDone(), 'optimizer'));
  }));
  ui.upload.addEventListener('change', guard(async () => {
    const files = [...(ui.upload.files ?? [])];
    ui.upload.value = '';
    if (files.length) await upload(files);
  }));

  function dataName() {
    const d = state.run?.data;
    return d?.task ?? (d?.text !== undefined ? 'text' : loadedInfo?.data ?? 'model');
  }

  /** Loads checkpoint files: the weights, and optionally their optimizer state. */
  async function upload(files) {
    fileNotices.set('file', [{ level: 'info', text: `Reading ${files.map((f) => f.name).join(' and ')}…` }]);
    let weights = null;
    let optimizer = null;
    for (const file of files) {
      let bytes;
      try {
        bytes = await readBytes(file, MAX_CHECKPOINT_BYTES);
      } catch (err) {
        fileNotices.set('file', [{ level: 'warn', text: `${file.name} was not loaded: ${err.message}` }]);
        return;
      }
      const meta = safetensorsMetadata(bytes);
      if (meta?.format === 'transformer-playground-optimizer') optimizer = { file, bytes };
      else if (!weights) weights = { file, bytes, meta };
    }
    if (!weights) {
      fileNotices.set('file', [{ level: 'warn', text: 'That is an optimizer state only: choose the weights file (.safetensors) too, or alone.' }]);
      return;
    }
    if (state.run && state.status !== 'idle') {
      const at = (state.run.stepsDone ?? 0).toLocaleString('en');
      if (!window.confirm(`Replace the current run (step ${at}) with ${weights.file.name}? Its autosave is replaced too.`)) {
        fileNotices.set('file', []);
        return;
      }
    }
    const info = runInfo(weights.meta);
    const s = { ...form.settings() };
    if (info.data) s.data = info.data;
    if (info.train) {
      for (const [field, key] of [['batch', 'batch_size'], ['lr', 'learning_rate'], ['steps', 'max_steps'], ['seed', 'seed']]) {
        if (Number.isFinite(info.train[key])) s[field] = info.train[key];
      }
    }
    let engine;
    try {
      engine = await trainer.load(weights.bytes, optimizer?.bytes ?? null, s);
    } catch (err) {
      const kind = err?.name === 'BadCheckpoint' ? 'This file was refused' : 'This file could not be loaded';
      fileNotices.set('file', [{ level: 'warn', text: `${kind}: ${weights.file.name}: ${err?.message ?? err}. The current run is unchanged.` }]);
      return;
    }
    loadedInfo = info;
    const c = engine.config;
    const next = { ...s, ...settingsOfConfig(c), preset: 'custom' };
    form.set(normalize({ ...next, preset: 'custom' }));
    state.run.settings = form.settings();
    const trained = info.step !== null ? `, trained for ${info.step.toLocaleString('en')} steps${info.data ? ` on ${info.data === 'text' ? 'a text' : `the ${info.data} task`}` : ''}` : '';
    const how = optimizer
      ? `Its optimizer state (${optimizer.file.name}) was loaded too, so training continues exactly where it stopped.`
      : 'Training it further starts a fresh optimizer at step 0; load its optimizer file together with it to continue exactly.';
    const textNote = info.data === 'text' ? ' Paste the text it was trained on (its characters must be in the model’s vocabulary).' : '';
    fileNotices.set('file', [{
      level: 'info',
      text: `Loaded ${weights.file.name}: ${plural(c.n_layer, 'layer')}, ${plural(c.n_head, 'head')}, C = ${c.n_embd}, context ${c.block_size}, ` +
        `a vocabulary of ${c.vocab_size}${trained}. Explore it, or press Start training. ${how}${textNote}`,
    }]);
    settingsChanged();
  }

  document.addEventListener('visibilitychange', () => { if (document.hidden) trainer.saveSoon(); }); // a closing tab loses less

  // ---- showing the page -------------------------------------------------------------------

  /** Opens the run saved in this browser (once), then follows `hash` where no run fixes the settings. */
  async function show(hash) {
    restored ??= (async () => {
      const rec = await trainer.restore();
      if (!rec) return;
      form.set(normalize({ ...rec.settings, preset: rec.settings.preset }));
      if (rec.data?.text !== undefined) form.setText(rec.data.text);
      const status = state.status;
      const where = status === 'loaded' ? 'the model you loaded' : `your run at step ${rec.step.toLocaleString('en')}`;
      runNotices.set('run', [{
        level: 'info',
        text: `Restored ${where} from this browser’s storage${status === 'paused' ? ', with its loss history: press Resume to carry on' : ''}.`,
      }]);
    })().catch((err) => {
      console.error(err);
      runNotices.set('run', [{ level: 'warn', text: `The saved run could not be restored: ${err?.message ?? err}` }]);
    });
    await restored;
    if (!state.run && hash) {
      const parsed = deserializeTrain(hash);
      if (serializeTrain(normalize(parsed.state)) !== serializeTrain(form.settings())) form.set(normalize(parsed.state));
      compare.sync();
      runNotices.set('address', parsed.messages.map((text) => ({ level: 'warn', text })));
    }
    if (isShown()) history.replaceState(null, '', `#${serializeTrain(state.run?.settings ?? form.settings())}`);
    schedule();
  }

  function drawGradients() {
    const { status, run, engine } = state;
    $('tr-gradients').closest('section').hidden = isEncDec(run?.settings ?? form.settings()); // traced for one token stream only
    const canTrace = Boolean(engine && run?.train && run.data) && (status === 'paused' || status === 'done');
    const key = `${engine?.handle}|${run?.grads?.steps.length ?? 0}|${canTrace}`;
    if (key === drawnGrads) return;
    drawnGrads = key;
    gradients.update({ config: engine?.config ?? null, vocab: engine?.vocab ?? null, canTrace, grads: run?.grads ?? null });
  }

  return {
    show,
    /** Test hooks: the trainer's state and its engine. */
    debug: {
      /** The gradients panel (heatmap pairs, norms chart). */
      gradients,
      get engine() { return state.engine; },
      get status() { return state.status; },
      get step() { return state.run?.stepsDone ?? 0; },
      get run() { return state.run; },
      get saved() { return state.saved; },
      get msPerStep() { return state.msPerStep; },
      get wallPerStep() { return state.wallPerStep; },
      get timedSteps() { return state.timedSteps; },
      /** ms per step over every trainSteps call since the page loaded (the page shows a recent average). */
      get meanMsPerStep() { return state.engineSteps ? state.engineMs / state.engineSteps : null; },
      get lastError() { return state.lastError; },
      get settings() { return form.settings(); },
      /** Compare mode's run: { status, error, sides: [{ name, settings, steps, loss, val, ms, probe }] }. */
      compare: compare.state,
    },
  };
}

/** "1 layer", "2 layers". */
function plural(n, word) {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

/** "1 min 20 s", "45 s", "2 h 5 min". */
function duration(seconds) {
  const s = Math.max(0, Math.round(seconds));
  if (s < 60) return `${s} s`;
  if (s < 3600) return `${Math.floor(s / 60)} min ${s % 60} s`;
  return `${Math.floor(s / 3600)} h ${Math.floor((s % 3600) / 60)} min`;
}
