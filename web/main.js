// Boot and wiring of the playground page. It starts the engine worker and shows one of two
// pages, chosen by the URL hash: Explore (below) or Train (`#page=train`, ./train/view.js,
// loaded on first use). Explore reads its state from the hash, and on every change traces the
// text once (one forward call that asks for every key the views show; only the latest request
// runs) and hands each view plain data. Views never call the engine; controls change `state`,
// and every state change is written back to the URL. Explore shows the default model, or the
// model being trained when the Train page asks ("Explore this model").

import { worker, handsOver, firstDefault } from './boot.js';
import { loadDefaultModel } from './model-source.js';
import { loadGpt2 } from './gpt2-files.js';
import { deserialize, serialize, isTrainHash, MAX_TEXT } from './state.js';
import { traceText } from './trace.js';
import { traceKeys, viewData } from './trace-data.js';
import { latestOnly } from './latest.js';
import { createNotices } from './notices.js';
import { count, fmt } from './views/format.js';
import { createTokensView } from './views/tokens.js';
import { createEmbeddingsView } from './views/embeddings.js';
import { createLayerNormView } from './views/layernorm.js';
import { createHeadView } from './views/head.js';
import { createAttentionView } from './views/attention.js';
import { createFfnView } from './views/ffn.js';
import { createResidualView } from './views/residual.js';
import { createOutputView } from './views/output.js';
import { createFillMaskView, withMaskChars } from './views/fill-mask.js';
import { createClassesView } from './views/classes.js';
import { createInspect } from './inspect.js';

const GENERATE_COUNT = 20; // tokens appended by one press of Generate
const MAX_FROZEN_MS = 250; // while typing fast, a result already superseded is still drawn if the views are this old
const VIEW_BAND = '-25% 0px -70% 0px'; // a band a quarter down the viewport: the section crossing it is "in view"

const $ = (id) => document.getElementById(id);
const ui = {
  main: $('main'),
  fillMask: $('view-fill-mask'),
  classes: $('view-classes'),
  trainPage: $('train-page'),
  navExplore: $('nav-explore'),
  navTrain: $('nav-train'),
  text: $('text'),
  model: $('model'),
  shapes: $('shapes'),
  engine: $('engine'),
  layer: $('pick-layer'),
  head: $('pick-head'),
  temp: $('temp'),
  tempValue: $('temp-value'),
  topk: $('topk'),
  topp: $('topp'),
  seed: $('seed'),
  generate: $('generate'),
  genStatus: $('gen-status'),
};
const notices = createNotices($('notices')); // about the text and the address
const modelNotices = createNotices($('model-notices')); // about the engine and the weights

let highlighted = null; // token position pointed at in any view
const onHighlight = (pos) => {
  if (pos === highlighted) return;
  highlighted = pos;
  for (const v of Object.values(views)) v.highlight?.(pos);
  inspect.highlight(pos);
};
const views = {
  tokens: createTokensView($('view-tokens'), { onHighlight }),
  embeddings: createEmbeddingsView($('view-embeddings'), { onHighlight }),
  layernorm: createLayerNormView($('view-layernorm'), { onHighlight }),
  head: createHeadView($('view-head'), { onHighlight }),
  attention: createAttentionView($('view-attention'), { onHighlight, onSelect: (l, h) => choose({ layer: l, head: h }) }),
  ffn: createFfnView($('view-ffn'), { onHighlight }),
  residual: createResidualView($('view-residual'), { onHighlight }),
  output: createOutputView($('view-output'), { controls: $('sampling') }),
};
const fillMask = createFillMaskView(ui.fillMask);
const classesView = createClassesView(ui.classes);
let classNames = null; // the classifier's class names, from the engine's task list

const inspect = createInspect({
  lens: $('view-lens'), ablation: $('view-ablation'), cost: $('view-cost'), worker, onHighlight, onError: (what, err) => fail(what, err),
});
let engine = null; // the engine Explore shows
let config = null;
let vocab = null;
let limits = null;
let state = null;
let last = { input: null, trace: null, keys: [], logits: null, sampling: null, output: null }; // what the views show
let changedAt = null; // performance.now() of the oldest change not yet drawn
// ms since navigation start: the first engine ready, its first heatmaps, and the first heatmaps
// of the engine the page stays on (WebGPU after a hand-over; else the same as firstHeatmapMs)
const timings = { engineReadyMs: null, firstHeatmapMs: null, engineSettledMs: null, update: null };
let firstBackend = null;
let renders = 0;
let renderedAt = 0; // performance.now() of the last render
let generating = false;
let stopGenerating = false;
/** The hand-over's CPU engine, once WebGPU has taken over: freed when no Generate samples from it. */
let retired = null;
let page = null; // 'explore' | 'train': the page shown
let exploreBooted = null; // promise: Explore's first model loaded and drawn
let defaultModel = null; // promise of loadDefaultModel() on the page's engine ('auto')
let bpeView = null; // promise of the BPE panel, once opened
let shownModel = null; // the model Explore shows: { engine, about, example, trained }
let trainView = null; // promise of the Train page's view
let trainEngine = null; // the training run's engine (null when none)
let lastHash = { explore: '', train: 'page=train' }; // each page's address, to return to it

const trace = latestOnly(traceNow, (err) => fail('Tracing the text failed', err));
const resample = latestOnly(resampleNow, (err) => fail('Updating the probabilities failed', err));

Object.defineProperty(window, 'playgroundDebug', {
  value: Object.freeze({
    get state() { return { ...state }; },
    get input() { return last.input; },
    get trace() { return last.trace; },
    get keys() { return [...last.keys]; },
    get sampling() { return last.sampling; },
    get timings() { return { ...timings }; },
    get renders() { return renders; },
    get backend() { return engine?.backend ?? null; },
    /** The backend that drew the first heatmaps ('cpu' before a hand-over to WebGPU). */
    get firstBackend() { return firstBackend; },
    get config() { return config; },
    /** "char", or "gpt2" for opened GPT-2 files. */
    get tokenizer() { return engine?.tokenizer ?? null; },
    get page() { return page; },
    /** The Train page's state (status, step, run, …), once it has been shown. */
    get train() { return trainDebug; },
    /** Test hook: the training run's engine (injectFault, exportCheckpoint, …). */
    get trainEngine() { return trainEngine; },
    /**
     * Logit lens, ablation and cost views. They ask the engine only when on screen; `inspected`
     * has them all show the latest trace, and resolves once they do.
     */
    get inspect() { return inspect; },
    get inspected() { return inspect.showAll(); },
    /** Soak-test hook: `{ gpuBuffers: { created, live, live_bytes } | null, wasmBytes }` of the engine worker. */
    counters: () => worker.call('counters'),
  }),
});
let trainDebug = null;

window.addEventListener('hashchange', (event) => {
  const old = new URL(event.oldURL).hash.replace(/^#/, '');
  lastHash[isTrainHash(old) ? 'train' : 'explore'] = old;
  route();
});
ui.navExplore.addEventListener('click', (e) => { e.preventDefault(); go('explore'); });
ui.navTrain.addEventListener('click', (e) => { e.preventDefault(); go('train'); });
route();

/** Shows the other page at the address it last had (one history entry per switch). */
function go(to) {
  if (to === page) return;
  location.hash = lastHash[to];
  if (lastHash[to] === '' && location.hash === '') route(); // '' → '' fires no hashchange
}

/** Shows the page the hash names. */
function route() {
  const next = isTrainHash(location.hash) ? 'train' : 'explore';
  const entering = next !== page;
  page = next;
  ui.main.hidden = next !== 'explore';
  ui.trainPage.hidden = next !== 'train';
  ui.navExplore.toggleAttribute('aria-current', next === 'explore');
  ui.navTrain.toggleAttribute('aria-current', next === 'train');
  if (ui.navExplore.hasAttribute('aria-current')) ui.navExplore.setAttribute('aria-current', 'page');
  if (ui.navTrain.hasAttribute('aria-current')) ui.navTrain.setAttribute('aria-current', 'page');
  document.title = next === 'train' ? 'Train · Transformer Playground' : 'Transformer Playground';
  if (next === 'train') {
    stopGenerating = true;
    showTrain().catch((err) => {
      console.error(err);
      ui.trainPage.querySelector('#tr-notices').textContent = `The Train page could not start: ${err?.message ?? err}`;
    });
    if (entering) window.scrollTo(0, 0);
    return;
  }
  if (entering) window.scrollTo(0, 0); // the section named in the address is scrolled to below
  if (!exploreBooted) {
    exploreBooted = bootExplore(shownModel ?? null).catch((err) => {
      fail('The engine could not start', err);
      $('loading-note').textContent = 'The model could not be loaded; the message above says why.';
    });
    return;
  }
  exploreBooted.then(() => {
    if (shownModel?.trained && shownModel.engine !== trainEngine) return useModel(null); // the run's engine is gone
    if (!state) return;
    applyHash(entering);
  });
}

async function showTrain() {
  trainView ??= import('./train/view.js').then(({ createTrainView }) => createTrainView({
    worker,
    isShown: () => page === 'train',
    onEngine: (e) => {
      trainEngine = e;
      if (shownModel?.trained && shownModel.engine !== e && page === 'explore') useModel(null);
    },
    onExplore: (model) => {
      shownModel = { ...model, trained: true };
      lastHash.explore = '';
      if (exploreBooted) exploreBooted.then(() => useModel(shownModel));
      go('explore');
    },
  }));
  const view = await trainView;
  await view.show(location.hash);
  trainDebug = view.debug; // once the page shows its settings (and any run restored from storage)
}

/** Explore's first model: the one given, or the default. Loads, draws, and wires the controls. */
async function bootExplore(given) {
  // where the browser has WebGPU at all, the CPU engine draws first; handOver learns from
  // `handsOver` whether there is an adapter to hand over to (not awaited here: see boot.js)
  const quick = !given && firstDefault !== null && Boolean(navigator.gpu);
  const model = given ?? (quick ? { ...(await firstDefault), trained: false, quick: true } : await loadDefault());
  timings.engineReadyMs = performance.now();
  setModel(model);
  const parsed = deserialize(location.hash, limits);
  state = parsed.state;
  notices.set('address', parsed.messages.map((text) => ({ level: 'warn', text })));
  fillControls();
  wireControls();
  writeHash();
  changedAt = performance.now();
  await trace();
  requestAnimationFrame(() => setTimeout(() => { // after the frame that shows the first heatmaps
    timings.firstHeatmapMs = performance.now(); // since navigation start
    firstBackend = model.engine.backend;
    performance.mark('playground:first-heatmap');
    if (!quick) timings.engineSettledMs = timings.firstHeatmapMs;
    else handOver(model).catch((err) => keepCpu(model, err));
  }));
  if (state.view !== 'tokens') $(state.view).scrollIntoView();
  markCurrent();
  followScrolling();
}

function loadDefault() {
  defaultModel ??= handsOver
    .then((quick) => (quick || !firstDefault ? loadDefaultModel(worker) : firstDefault))
    .then((m) => ({ ...m, trained: false }));
  return defaultModel;
}

/**
 * No hand-over: the CPU engine stays Explore's default, and the page says why (`err`: WebGPU
 * failed to start; none: the browser has no WebGPU adapter).
 */
function keepCpu(model, err) {
  model.quick = false;
  if (err !== undefined) {
    console.error(err);
    model.gpuError = err?.message ?? String(err);
  }
  defaultModel = Promise.resolve(model);
  timings.engineSettledMs ??= timings.firstHeatmapMs; // the CPU engine's heatmaps stay
  if (shownModel === model) modelNotices.set('engine', engineNotices());
}

/**
 * Explore's first heatmaps came from the CPU engine (`quick`): loads the default model on the
 * page's engine, compiles its kernels with one forward pass of the shown input, then lets it
 * draw, unless Explore has moved on to another model meanwhile. Ablation and every other
 * setting live in the page, so the next trace applies them to the new engine.
 */
async function handOver(quick) {
  if (!(await handsOver)) return keepCpu(quick);
  const next = await loadDefault();
  // Explore moved on (useModel(null) takes `next` from loadDefault()): the CPU copy is not shown again
  if (shownModel !== quick) return retire(quick.engine);
  const ids = last.input?.ids.length ? last.input.ids : [0];
  await next.engine.forward(ids, traceKeys(config, state.layer, state.head));
  if (shownModel !== quick) return retire(quick.engine);
  setModel(next);
  changedAt ??= performance.now();
  await trace();
  retire(quick.engine);
  requestAnimationFrame(() => setTimeout(() => { timings.engineSettledMs = performance.now(); }));
}

/** Frees the hand-over's CPU engine now, or when the Generate sampling from it ends. */
function retire(cpu) {
  retired = cpu;
  if (!generating) freeRetired();
}

function freeRetired() {
  retired?.dispose().catch((err) => console.error(err));
  retired = null;
}

/** Explore's model: its engine, limits and the sentence about it. */
function setModel(model) {
  shownModel = model;
  engine = model.engine;
  classNames = null;
  config = engine.config;
  vocab = engine.vocab;
  limits = { nLayer: config.n_layer, nHead: config.n_head, vocabSize: config.vocab_size, example: model.example };
  modelNotices.set('engine', engineNotices());
  modelNotices.set('model', [{ level: 'info', text: model.about }]);
  describeModel();
}

/**
 * Switches Explore to `model` (null: the default model) and shows its example; the layer and
 * head are kept where the new model has them.
 */
async function useModel(model) {
  stopGenerating = true;
  const next = model ?? (await loadDefault());
  if (next === shownModel && engine === next.engine) return;
  setModel(next);
  state = deserialize(serialize({ ...state, text: next.example }), limits).state;
  notices.set('address', []);
  fillControls();
  writeHash();
  changedAt ??= performance.now();
  await trace();
}

/** The hash changed on the Explore page: its state follows. */
function applyHash(entering) {
  if (entering && location.hash.replace(/^#/, '') === '') {
    writeHash(); // back from Train: Explore's state as it was
    return;
  }
  const parsed = deserialize(location.hash, limits);
  notices.set('address', parsed.messages.map((text) => ({ level: 'warn', text })));
  state = parsed.state;
  fillControls();
  changedAt ??= performance.now();
  trace();
  $(state.view).scrollIntoView();
}

function engineNotices() {
  if (shownModel.quick || shownModel.gpuError) {
    ui.engine.textContent = shownModel.quick
      ? 'Engine: the CPU reference implementation (WebAssembly), in a worker, for these first views, while the WebGPU engine starts.'
      : 'Engine: the CPU reference implementation (WebAssembly), in a worker.';
    return shownModel.gpuError ? [{ level: 'warn', text: `The WebGPU engine could not start, so the CPU engine stays: ${shownModel.gpuError}` }] : [];
  }
  ui.engine.textContent =
    engine.backend === 'webgpu'
      ? `Engine: WebGPU on ${engine.adapter ?? 'this GPU'}, in a worker, so the page stays responsive.`
      : 'Engine: the CPU reference implementation (WebAssembly), in a worker.';
  if (engine.backend === 'webgpu') return [];
  return [{
    level: 'warn',
    text: 'WebGPU is not available here, so the model runs on the CPU engine: the same computation and the same ' +
      `numbers, just without the GPU. Every view works. (The browser said: ${engine.fallbackReason ?? 'no WebGPU adapter. A browser with WebGPU enabled, e.g. a recent Chrome or Edge, runs the GPU engine.'})`,
  }];
}

/** What kind of transformer the model is, in the words of the explainers. */
function familyName() {
  if (config.family !== 'encoder') return 'GPT';
  return config.n_classes ? 'BERT-style encoder with a [CLS] classifier' : 'BERT-style encoder (masked LM)';
}

function describeModel() {
  const { n_layer: L, n_head: NH, n_embd: C, block_size: B, vocab_size: V } = config;
  const sentence = (weights) =>
    `${shownModel?.trained ? 'Your trained model: a' : 'A'} ${familyName()} with ${L} layer${L === 1 ? '' : 's'} (transformer blocks) of ${NH} attention head${NH === 1 ? '' : 's'}, C = ${C} numbers per token, a vocabulary of V = ${V} ` +
    `${engine.tokenizer === 'gpt2' ? 'byte-level BPE tokens' : 'characters'} and a context of block_size = ${B} tokens${weights}.`;
  ui.model.textContent = sentence('');
  // the count of the model's own parameter layout, so every variant's is exact
  const { vocab_size: _, ...sizes } = config;
  const shown = engine;
  worker.call('cost', sizes, V, 1, 1).then((cost) => {
    if (engine === shown) ui.model.textContent = sentence(`: ${count(cost.params)} weights`);
  }, () => {}); // the sentence without the count is still true
}

/**
 * One update: one trace call (the text encoded, a forward pass with every key the views show,
 * the sampling distribution), then every view. A result that a newer request has already
 * superseded is drawn only when the views would otherwise stay unchanged for too long (fast typing).
 */
async function traceNow(isStale) {
  const since = changedAt ?? performance.now();
  const t0 = performance.now();
  const { layer, head } = state;
  const text = isMaskedLm() ? withMaskChars(state.text) : state.text;
  const params = { temperature: state.temp, topK: state.topk, topP: state.topp };
  const keys = [...traceKeys(config, layer, head), ...(config.n_classes ? ['cls_probs'] : [])];
  const { input, trace: result, sampling: probs } = await traceText(engine, text, { keys, sampling: params });
  const skip = () => isStale() && performance.now() - renderedAt < MAX_FROZEN_MS;
  if (input.ids.length === 0) {
    if (!skip()) showEmpty(input);
    return;
  }
  const V = vocab.length;
  const logits = result.logits.data.slice((input.ids.length - 1) * V);
  const t1 = performance.now();
  if (skip()) return;
  if (!isStale()) changedAt = null;
  last = { input, trace: result, keys, logits, sampling: { probs, ...params }, output: null };
  notices.set('input', input.messages);
  notices.set('error', []);
  ui.main.classList.remove('is-empty', 'is-loading');
  const data = viewData(result, { config, vocab, layer, head, input, tokenizer: engine.tokenizer });
  last.output = data.output;
  for (const [name, view] of Object.entries(views)) view.update(name === 'output' ? { ...data.output, sampling: last.sampling } : data[name]);
  await showEncoderOutput(input, result);
  if (highlighted !== null && highlighted >= input.ids.length) highlighted = null;
  for (const v of Object.values(views)) v.highlight?.(highlighted);
  inspect.update({ engine, ids: input.ids, labels: input.labels, config, vocab });
  const { n_embd: C, n_head: NH } = config;
  ui.shapes.textContent =
    `This input: T = ${input.ids.length} tokens · C = ${C} numbers per token · NH = ${NH} heads · HS = C / NH = ${C / NH} ` +
    `numbers per head · V = ${V} ${engine.tokenizer === 'gpt2' ? 'tokens' : 'characters'}. Showing layer ${layer}, head ${head}.`;
  const t2 = performance.now();
  const update = { totalMs: t2 - since, engineMs: t1 - t0, renderMs: t2 - t1, toPaintMs: null, tokens: input.ids.length };
  timings.update = update;
  requestAnimationFrame(() => setTimeout(() => { update.toPaintMs = performance.now() - since; })); // after the frame that shows it
  renderedAt = t2;
  renders++;
}

/** No tokens: the messages say why; the views keep nothing stale on screen. */
/** Whether the model is an encoder trained as a masked LM (its output is the fill-the-mask view). */
function isMaskedLm() {
  return config.family === 'encoder' && !config.n_classes;
}

/** An encoder's output in place of the next token: fill the mask for a masked LM, the class probabilities for a classifier. */
async function showEncoderOutput(input, result) {
  const mlm = isMaskedLm();
  const cls = config.family === 'encoder' && config.n_classes > 0;
  ui.fillMask.hidden = !mlm;
  ui.classes.hidden = !cls;
  for (const id of ['sampling', 'view-output']) $(id).hidden = mlm || cls;
  $('h-output').lastChild.textContent = mlm ? ' Output: fill the mask' : cls ? ' Output: the class' : ' Output: the next token';
  if (mlm) fillMask.update({ ids: Array.from(input.ids), probs: result.probs.data, vocab });
  if (cls) {
    classNames ??= await classesOf(config.n_classes);
    classesView.update({ probs: result.cls_probs.data, classes: classNames, first: vocab[input.ids[0]] });
  }
}

/** Names of a classifier's K classes: those of the engine's task with K classes in this vocabulary, else "class k". */
async function classesOf(k) {
  const tasks = await worker.call('tasks');
  const task = tasks.find((t) => t.classes.length === k && [...new Set(t.alphabet)].sort().join('') === [...vocab].sort().join(''));
  return task?.classes ?? Array.from({ length: k }, (_, i) => `class ${i}`);
}

function showEmpty(input) {
  changedAt = null;
  last = { input, trace: null, keys: [], logits: null, sampling: null, output: null };
  notices.set('input', input.messages);
  views.tokens.update({ items: input.items, hiddenBefore: input.hiddenBefore, ids: [], vocab, blockSize: config.block_size, tokenizer: engine.tokenizer });
  ui.main.classList.remove('is-loading');
  ui.main.classList.add('is-empty');
  ui.shapes.textContent = 'This input: T = 0 tokens.';
  renderedAt = performance.now();
  renders++;
}

/** Temperature, top-k or top-p changed: only the output view's distribution is recomputed. */
async function resampleNow(isStale) {
  if (!last.logits) return;
  const params = { temperature: state.temp, topK: state.topk, topP: state.topp };
  const probs = await worker.call('samplingProbabilities', last.logits, params.temperature, params.topK, params.topP);
  if (isStale()) return;
  last.sampling = { probs, ...params };
  views.output.update({ ...last.output, sampling: last.sampling });
  renderedAt = performance.now();
  renders++;
}

function writeHash() {
  if (page !== 'explore') return; // the Train page owns the address
  history.replaceState(null, '', `#${serialize(state)}`);
}

/** Changes state (layer/head/…), mirrors it in the controls and the URL, and traces again. */
function choose(changes) {
  Object.assign(state, changes);
  fillControls();
  writeHash();
  changedAt ??= performance.now();
  trace();
}

function fillControls() {
  const options = (select, n) => {
    if (select.options.length !== n) select.replaceChildren(...Array.from({ length: n }, (_, i) => new Option(String(i), String(i))));
  };
  options(ui.layer, config.n_layer);
  options(ui.head, config.n_head);
  ui.layer.value = String(state.layer);
  ui.head.value = String(state.head);
  if (ui.text.value !== state.text) ui.text.value = state.text;
  ui.temp.value = String(state.temp);
  ui.tempValue.textContent = fmt(state.temp, 3);
  ui.topk.max = String(config.vocab_size);
  ui.topk.value = String(state.topk);
  ui.topp.value = String(state.topp);
  ui.seed.value = String(state.seed);
}

function wireControls() {
  ui.text.maxLength = MAX_TEXT;
  ui.text.addEventListener('input', () => {
    stopGenerating = true;
    state.text = ui.text.value;
    writeHash();
    changedAt ??= performance.now();
    trace();
  });
  ui.layer.addEventListener('change', () => choose({ layer: Number(ui.layer.value) }));
  ui.head.addEventListener('change', () => choose({ head: Number(ui.head.value) }));
  const sampling = () => {
    const temp = Number(ui.temp.value);
    const topk = Math.round(Number(ui.topk.value));
    const topp = Number(ui.topp.value);
    if (Number.isFinite(temp)) state.temp = temp;
    if (Number.isInteger(topk) && topk >= 0 && topk <= config.vocab_size) state.topk = topk;
    if (topp > 0 && topp <= 1) state.topp = topp;
    ui.tempValue.textContent = fmt(state.temp, 3);
    writeHash();
    resample();
  };
  for (const input of [ui.temp, ui.topk, ui.topp]) {
    input.addEventListener('input', sampling);
    input.addEventListener('change', fillControls); // a value out of range shows the one in use again
  }
  ui.seed.addEventListener('change', () => {
    const seed = Math.round(Number(ui.seed.value));
    if (Number.isInteger(seed) && seed >= 0 && seed < 2 ** 32) state.seed = seed;
    ui.seed.value = String(state.seed);
    writeHash();
  });
  ui.generate.addEventListener('click', () => (generating ? (stopGenerating = true) : generate()));
  for (const button of document.querySelectorAll('[data-goto]')) {
    button.addEventListener('click', () => {
      state.view = button.dataset.goto;
      writeHash();
      markCurrent();
      const still = window.matchMedia('(prefers-reduced-motion: reduce)').matches;
      $(state.view).scrollIntoView({ behavior: still ? 'auto' : 'smooth' });
    });
  }
}

/** Generate: seeded, one token at a time, each appended to the text and traced before the next. */
async function generate() {
  generating = true;
  stopGenerating = false;
  ui.generate.textContent = 'Stop';
  const sampler = engine; // seeded here; a hand-over to WebGPU while generating does not reseed
  try {
    await sampler.setSeed(state.seed);
    await trace(); // the logits of exactly the current text
    for (let i = 0; i < GENERATE_COUNT && !stopGenerating && last.logits; i++) {
      if ([...state.text].length >= MAX_TEXT) {
        ui.genStatus.textContent = `Stopped: the text reached ${MAX_TEXT} characters.`;
        break;
      }
      const id = await sampler.sample(last.logits, state.temp, state.topk, state.topp);
      if (stopGenerating) break;
      state.text += engine.tokenizer === 'gpt2' ? await engine.decode([id]) : vocab[id];
      ui.text.value = state.text;
      writeHash();
      ui.genStatus.textContent = `Generated ${i + 1} of ${GENERATE_COUNT} (seed ${state.seed}).`;
      changedAt ??= performance.now();
      await trace();
    }
  } catch (err) {
    fail('Generating failed', err);
  } finally {
    generating = false;
    ui.generate.textContent = `Generate ${GENERATE_COUNT}`;
    if (retired) freeRetired(); // the hand-over's CPU engine, if this run sampled from it
  }
}

/** Keeps `view` in the URL on the section being read, so a reload comes back to it. */
function followScrolling() {
  const crossing = new Set();
  const sections = [...document.querySelectorAll('section[data-view]')];
  const observer = new IntersectionObserver((entries) => {
    for (const e of entries) crossing[e.isIntersecting ? 'add' : 'delete'](e.target);
    const above = window.scrollY + innerHeight * 0.25 < sections[0].offsetTop; // still in the introduction
    const seen = above ? sections[0] : sections.find((s) => crossing.has(s));
    if (!seen || seen.id === state.view) return;
    state.view = seen.id;
    writeHash();
    markCurrent();
  }, { rootMargin: VIEW_BAND });
  for (const section of sections) observer.observe(section);
}

/** Marks the section button of `state.view` in the steps bar. */
function markCurrent() {
  for (const b of document.querySelectorAll('[data-goto]')) b.toggleAttribute('aria-current', b.dataset.goto === state.view);
}

/** A failure becomes a message on the page and a log entry; nothing else stops. */
// the BPE panel under Tokens, built when first opened
$('bpe').addEventListener('toggle', () => {
  if (!$('bpe').open || bpeView) return;
  bpeView = import('./views/bpe.js').then(({ createBpeView }) => createBpeView($('view-bpe'), { worker, getText: () => ui.text.value }));
}, { once: false });

/** GPT-2 files chosen in the model panel: load them, then explore the GPT-2. */
$('gpt2-files').addEventListener('change', async (event) => {
  const files = [...event.target.files];
  event.target.value = '';
  if (!files.length) return;
  modelNotices.set('gpt2', [{ level: 'info', text: `Opening ${files.map((f) => f.name).join(', ')}…` }]);
  try {
    const model = await loadGpt2(worker, files);
    modelNotices.set('gpt2', []);
    if (exploreBooted) await exploreBooted;
    await useModel(model);
  } catch (err) {
    console.error(err);
    modelNotices.set('gpt2', [{ level: 'warn', text: `GPT-2 could not be opened: ${err?.message ?? err}` }]);
  }
});

function fail(what, err) {
  console.error(err);
  notices.set('error', [{ level: 'warn', text: `${what}: ${err?.message ?? err}` }]);
}
