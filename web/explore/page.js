// The Explore page: the model it shows (explore/loader.js loads it), its state in the address,
// and one trace of the text per change (../trace.js: one worker round trip), drawn by every
// view (explore/views.js). Only the latest request runs; the controls change the state through
// the store, and every change is written back to the address. An encoder-decoder (from the
// Train page, or a checkpoint file) is shown by its own panel (explore/seq2seq-panel.js) instead
// of the views.

import { deserialize, serialize, VIEWS } from '../state.js';
import { traceKeys } from '../trace-data.js';
import { traceText } from '../trace.js';
import { latestOnly } from '../latest.js';
import { createNotices, errorText } from '../notices.js';
import { t, tNodes } from '../i18n/i18n.js';
import { withMaskChars } from '../views/fill-mask.js';
import { moveFocus } from '../views/dom.js';
import { createExploreViews, isMaskedLm } from './views.js';
import { createControls } from './controls.js';
import { createGenerator } from './generate.js';
import { createModelPanel } from './model-panel.js';
import { wireModelFiles } from './files-input.js';
import { wireHubForm } from './hub-input.js';
import { wireBpePanel } from './bpe-panel.js';
import { createLearn } from '../learn/learn.js';
import { loadEngine } from '../engine/client.js';
import { createSeq2SeqPanel, isEncDec } from './seq2seq-panel.js';
import { createSections } from './sections.js';
import { createJumps } from './jump.js';
import { drawWaiting, drawsWaiting } from '../views/canvas.js';

const MAX_FROZEN_MS = 250; // while typing fast, a result already superseded is still drawn if the views are this old

/** What the views show before the first trace (and, with `input`, when the text has no token). */
export const NOTHING_SHOWN = Object.freeze({ input: null, trace: null, keys: [], logits: null, sampling: null, output: null });

/** What a draw shows of the address state `url`: the `keys` it follows (every one a trace follows). */
const drawnState = (url, keys = ['text', 'layer', 'head', 'temp', 'topk', 'topp']) => Object.fromEntries(keys.map((k) => [k, url[k]]));

/** The address's limits for a model: its sizes, and its example as the default text. */
const limits = ({ engine, example }) => ({ nLayer: engine.config.n_layer, nHead: engine.config.n_head, vocabSize: engine.config.vocab_size, example });

/**
 * @param {{ store: object, worker: { call: Function }, loader: ReturnType<import('./loader.js').createModelLoader> }} deps
 *   store: main.js's; Explore keeps `model`, `url`, `shown`, `highlighted`, `timings`, `firstBackend` and `renders` in it
 */
export function createExplorePage({ store, worker, loader }) {
  const $ = (id) => document.getElementById(id);
  const notices = createNotices($('notices')); // about the text and the address
  const panel = createModelPanel({ worker, isShown: (engine) => store.get().model?.engine === engine });
  const engine = () => store.get().model.engine;
  let uncounted = false; // a render whose sections are not all up to date yet: counted once they are
  const sections = createSections({ root: $('main'), onCurrent: () => { if (uncounted) countRender(); } });
  /**
   * Every stale section and every canvas waiting to be drawn, now: before a jump measures where a
   * section lies (a canvas's size follows its data), and before printing.
   */
  const bringUpToDate = () => {
    sections.flush();
    drawWaiting();
  };
  addEventListener('beforeprint', bringUpToDate);
  let changedAt = null; // performance.now() of the oldest change not yet drawn
  const jumps = createJumps({
    root: $('main'),
    // nothing left that could change a section's height: no change waiting for its trace, no
    // section stale or waiting for the engine, no view of inspect.js computing, no canvas waiting
    settled: () => changedAt === null && sections.isCurrent && !$('main').querySelector('[aria-busy]') && !drawsWaiting(),
    onEnd: () => controls.recheckScrolling(),
  });
  const views = createExploreViews({
    worker,
    sections,
    highlighted: () => store.get().highlighted,
    onHighlight: (pos) => store.update({ highlighted: pos }),
    onSelect: (layer, head) => choose({ layer, head }),
    onError: fail,
  });
  const controls = createControls({
    current: () => ({ url: store.get().url, config: engine().config }),
    onText: (text) => {
      generator.stop();
      setUrl({ text });
      changed();
    },
    onPick: choose,
    onSampling: (changes) => {
      setUrl(changes);
      resample();
    },
    onSeed: (seed) => setUrl({ seed }),
    onGenerate: () => generator.toggle(),
    onView: showView,
  });
  const generator = createGenerator({
    current: () => ({ engine: engine(), url: store.get().url, logits: store.get().shown.logits }),
    append: (token) => {
      const text = store.get().url.text + token;
      controls.setText(text);
      setUrl({ text });
      return changed();
    },
    retrace: () => trace(),
    show: controls.showGenerate,
    onEnd: () => loader.release(), // the hand-over's CPU engine, if this run sampled from it
    onError: (err) => fail(t('page.fail.generate'), err),
  });
  const learn = createLearn({
    current: () => store.get(),
    load: (bytes) => loadEngine(worker, bytes, { backend: 'cpu' }),
    onGoto: (view) => (VIEWS.includes(view) ? showView(view, true) : jumpTo(view)),
    sections,
    jump: jumpTo,
    onPick: choose,
    onTour: (tour) => setUrl({ tour }),
    onError: fail,
  });
  const seq2seq = createSeq2SeqPanel({ onSource: () => changed() });
  const trace = latestOnly(traceNow, (err) => fail(t('page.fail.trace'), err));
  const resample = latestOnly(resampleNow, (err) => fail(t('page.fail.resample'), err));
  let renderedAt = 0; // performance.now() of the last render
  let booted = null; // promise: the first model loaded and drawn
  let given = null; // the model to show first instead of the default (the Train page's)
  const useOpened = async (model, text) => {
    await booted;
    await useModel(model, text);
  };
  wireModelFiles({ notices: panel.notices, open: (files) => loader.openFiles(files), use: useOpened });
  const hubForm = wireHubForm({ notices: panel.notices, open: (name, options) => loader.openHub(name, options), use: useOpened, kept: writeHash });
  wireBpePanel({ worker, text: () => $('text').value });
  worker.onCrash?.((err) => reloadAfterCrash(err).catch((e) => fail(t('page.fail.reload'), e)));

  const time = (changes) => store.update({ timings: { ...store.get().timings, ...changes } });
  let drawing = null; // what the last draw showed: { engine, state: the address state it traced (drawnState) }
  /**
   * The views were drawn, showing `shows`: counted in `renders`, and named in `drawn` (what tests
   * wait for), once every section shows it.
   */
  const rendered = (shows) => {
    renderedAt = performance.now();
    drawing = shows;
    uncounted = true;
    if (sections.isCurrent) countRender();
  };
  const countRender = () => {
    uncounted = false;
    store.update({ renders: store.get().renders + 1, drawn: drawing });
  };

  /**
   * Scrolls to `target` (an element or a section's id), every section brought up to date first
   * and the jump kept aimed while the page still changes (./jump.js), so that it ends at its heading.
   */
  function jumpTo(target, options) {
    bringUpToDate();
    jumps.jump(typeof target === 'string' ? $(target) : target, options);
  }

  /** Changes the address state and writes it to the address (the Train page owns it while shown). */
  function setUrl(changes) {
    store.update({ url: { ...store.get().url, ...changes } });
    writeHash();
  }

  function writeHash() {
    if (store.get().page === 'explore') history.replaceState(null, '', `#${serialize(store.get().url)}`);
  }

  /** A change the views must follow: traced at once, or right after the trace in flight. */
  function changed() {
    changedAt ??= performance.now();
    return trace();
  }

  /** Layer, head, …: the controls show it, the address keeps it, the views follow. */
  function choose(changes) {
    setUrl(changes);
    controls.fill();
    changed();
  }

  /** The section in view changed (`scroll`: a steps-bar button asks to bring it into view, and the focus moves there). */
  function showView(view, scroll) {
    setUrl({ view });
    controls.markCurrent(view);
    if (!scroll) return;
    const still = window.matchMedia('(prefers-reduced-motion: reduce)').matches; // i18n-exempt: a media query
    jumpTo(view, { behavior: still ? 'auto' : 'smooth' });
    moveFocus($(view).querySelector('h2'), { preventScroll: true }); // the next Tab goes on inside the section
  }

  /** The introduction's title and lede name the family shown (a GPT, an encoder, an encoder-decoder). */
  function showFamily(config) {
    const family = { encoder: 'encoder', encoder_decoder: 'encdec' }[config?.family] ?? 'gpt';
    $('intro-title').replaceChildren(...tNodes('page.intro.title', { family }));
    $('intro-lede').replaceChildren(...tNodes('page.intro.lede', { family }));
  }
  showFamily(null);

  function setModel(model) {
    store.update({ model });
    showFamily(model.engine.config);
    seq2seq.use(model.engine);
    panel.show(model);
  }

  /**
   * Switches to `model` (null: the default) and shows `text` (an address's), else its example; the
   * layer and head stay where it has them.
   */
  async function useModel(model, text) {
    generator.stop();
    const next = model ?? (await loader.loadDefault());
    if (next === store.get().model) return;
    setModel(next);
    const url = { ...store.get().url, text: text ?? next.example, model: next.hub ?? '' };
    store.update({ url: deserialize(serialize(url), limits(next)).state });
    notices.set('address', []);
    controls.fill();
    writeHash();
    await changed();
  }

  /**
   * The engine worker crashed and was replaced: the model shown is loaded again in the new one
   * (GPT-2 from its files; a Train page model gives way to the default, while the Train page
   * reopens its run from the autosave) and the views are drawn again from the same text.
   */
  async function reloadAfterCrash(err) {
    loader.forget();
    if (!booted) return;
    await booted;
    generator.stop();
    const shown = store.get().model;
    const next = shown?.reload ? await shown.reload() : await loader.loadDefault();
    setModel(next);
    notices.set('engine', [{ level: 'warn', text: t('page.crash.reloaded', { detail: errorText(err) }) }]);
    controls.fill();
    await changed();
  }

  /** Explore's first model (`first`, or the default): loads, draws, and wires the controls. */
  async function boot(first) {
    const model = await loader.first(first);
    time({ engineReadyMs: performance.now() });
    setModel(model);
    const parsed = deserialize(location.hash, limits(model));
    // a hub model in the address is opened once the first model shows; the address names it when it does
    const hub = parsed.state.model;
    const text = addressText(parsed.state);
    store.update({ url: { ...parsed.state, model: model.hub ?? '' } });
    notices.set('address', parsed.messages.map((text) => ({ level: 'warn', text })));
    controls.fill();
    controls.wire();
    writeHash();
    await changed();
    if (hub && hub !== model.hub) hubForm.openRepo(hub, text);
    requestAnimationFrame(() => setTimeout(() => { // after the frame that shows the first heatmaps
      time({ firstHeatmapMs: performance.now() }); // since navigation start
      store.update({ firstBackend: model.engine.backend });
      performance.mark('playground:first-heatmap');
      if (!model.quick) time({ engineSettledMs: store.get().timings.firstHeatmapMs });
      else handOver(model);
    }));
    const { view } = store.get().url;
    if (view !== 'tokens') jumpTo(view);
    controls.markCurrent(view);
    controls.followScrolling(jumps.jumping);
  }

  /** The CPU engine drew first (`quick`): WebGPU takes over once its kernels are compiled, or the CPU engine stays and says why. */
  function handOver(quick) {
    const kept = (model) => {
      if (store.get().model === quick) {
        store.update({ model });
        panel.showEngine(model);
      }
      time({ engineSettledMs: store.get().timings.engineSettledMs ?? store.get().timings.firstHeatmapMs }); // the CPU engine's heatmaps stay
    };
    loader.handOver(quick, {
      stillShown: () => store.get().model === quick,
      warm: async (next) => {
        const { url, shown } = store.get();
        await next.forward(shown.input?.ids.length ? shown.input.ids : [0], traceKeys(next, url.layer, url.head));
      },
      show: async (next) => {
        setModel(next);
        await changed();
        requestAnimationFrame(() => setTimeout(() => time({ engineSettledMs: performance.now() })));
      },
      busy: () => generator.running,
      kept,
    }).catch((err) => kept(loader.keepCpu(quick, err)));
  }

  /** The address changed while Explore shows: its state follows, and the model it names (or, named none, the default). */
  function applyHash(entering) {
    if (entering && location.hash.replace(/^#/, '') === '') {
      writeHash(); // back from Train: Explore's state as it was
      return;
    }
    const shown = store.get().model;
    const parsed = deserialize(location.hash, limits(shown));
    notices.set('address', parsed.messages.map((text) => ({ level: 'warn', text })));
    const wanted = parsed.state.model;
    // the address names the shown model until another one opens (a cancel or a failure leaves it as it was)
    store.update({ url: { ...parsed.state, model: shown.hub ?? '' } });
    controls.fill();
    changed();
    jumpTo(parsed.state.view);
    if (wanted === hubForm.pending()) return;
    hubForm.cancel(); // the address moved away from the model being opened
    if (wanted === (shown.hub ?? '')) return;
    if (wanted) hubForm.openRepo(wanted, addressText(parsed.state));
    else useModel(null, addressText(parsed.state)); // back to an address without a hub model: the default model
  }

  /** The text the address names, if it names one (a link shows the model on the text it was shared with). */
  function addressText(state) {
    return new URLSearchParams(location.hash.replace(/^#/, '')).has('text') ? state.text : undefined;
  }

  /**
   * One update: one trace call (the text encoded, a forward pass with every key the views show,
   * the sampling distribution), then every view. A result that a newer request has already
   * superseded is drawn only when the views would otherwise stay unchanged for too long (fast typing).
   */
  async function traceNow(isStale) {
    const since = changedAt ?? performance.now();
    const t0 = performance.now();
    const { url, model: { engine: e } } = store.get();
    const { config } = e;
    if (isEncDec(config)) return showSeq2Seq(e, url, isStale);
    const text = isMaskedLm(config) ? withMaskChars(url.text) : url.text;
    const params = { temperature: url.temp, topK: url.topk, topP: url.topp };
    const keys = [...traceKeys(e, url.layer, url.head), ...(e.steps.clsProbs ? [e.steps.clsProbs] : [])];
    const lastRowOf = isMaskedLm(config) ? [] : [e.steps.logits, e.steps.probs]; // fill-mask reads every position
    const { input, trace: result, sampling: probs } = await traceText(e, text, { keys, sampling: params, lastRowOf });
    const skip = () => isStale() && performance.now() - renderedAt < MAX_FROZEN_MS;
    if (input.ids.length === 0) {
      if (!skip()) showEmpty(e, input, url);
      return;
    }
    const t1 = performance.now();
    if (skip()) return;
    if (!isStale()) changedAt = null;
    const logits = result.logits.data.slice(-e.vocab.length); // (V)
    const shown = { input, trace: result, keys, logits, sampling: { probs, ...params }, output: null };
    store.update({ shown });
    notices.set('input', input.messages);
    notices.set('error', []);
    const output = await views.draw({ engine: e, input, trace: result, sampling: shown.sampling, layer: url.layer, head: url.head });
    store.update({ shown: { ...shown, output } });
    learn.update().catch((err) => fail(t('page.fail.learn'), err));
    const t2 = performance.now();
    const update = { totalMs: t2 - since, engineMs: t1 - t0, renderMs: t2 - t1, toPaintMs: null, tokens: input.ids.length };
    time({ update });
    requestAnimationFrame(() => setTimeout(() => { // after the frame that shows it
      if (store.get().timings.update === update) time({ update: { ...update, toPaintMs: performance.now() - since } });
    }));
    rendered({ engine: e, state: drawnState(url) });
  }

  /** An encoder-decoder: its source both ways, drawn by its panel. */
  async function showSeq2Seq(e, url, isStale) {
    if (!(await seq2seq.draw(e, isStale))) return;
    changedAt = null;
    notices.set('error', []);
    rendered({ engine: e, state: drawnState(url) });
  }

  /** No tokens: the messages say why; the views keep nothing stale on screen. */
  function showEmpty(e, input, url) {
    changedAt = null;
    store.update({ shown: { ...NOTHING_SHOWN, input } });
    notices.set('input', input.messages);
    views.drawEmpty({ engine: e, input });
    learn.update().catch((err) => fail(t('page.fail.learn'), err));
    rendered({ engine: e, state: drawnState(url) });
  }

  /** Temperature, top-k or top-p changed: only the output view's distribution is recomputed. */
  async function resampleNow(isStale) {
    const { shown, url } = store.get();
    if (!shown.logits) return;
    const params = { temperature: url.temp, topK: url.topk, topP: url.topp };
    const probs = await worker.call('samplingProbabilities', shown.logits, params.temperature, params.topK, params.topP);
    if (isStale() || store.get().shown.logits !== shown.logits) return;
    const sampling = { probs, ...params };
    store.update({ shown: { ...store.get().shown, sampling } });
    views.drawSampling(shown.output, sampling);
    rendered({ ...drawing, state: { ...drawing.state, ...drawnState(url, ['temp', 'topk', 'topp']) } });
  }

  /** A failure becomes a message on the page and a log entry; nothing else stops. */
  function fail(what, err) {
    console.error(err);
    notices.set('error', [{ level: 'warn', text: t('page.fail.what', { what, detail: errorText(err) }) }]);
  }

  return {
    /** Logit lens, ablation and cost (their views, and `showAll`). */
    inspect: views.inspect,
    /** Whether every section shows the latest draw (none is waiting to come near). */
    get viewsCurrent() {
      return sections.isCurrent;
    },
    /** Explore is shown (`entering`: it was not before), or its address changed. */
    show(entering) {
      if (!booted) {
        booted = boot(given).catch((err) => {
          fail(t('page.fail.engine'), err);
          $('loading-note').textContent = t('page.fail.loadingNote');
        });
        return;
      }
      booted.then(() => {
        const { model, trainEngine, url } = store.get();
        if (model?.trained && model.engine !== trainEngine) return useModel(null); // the run's engine is gone
        if (url) applyHash(entering);
      });
    },
    /** Explore is to show `model` (a Train page model) next. */
    open(model) {
      if (booted) booted.then(() => useModel(model));
      else given = model;
    },
    /** The training run's engine changed: a model of the run that is gone is no longer shown. */
    trainEngineChanged() {
      const { model, trainEngine, page } = store.get();
      if (model?.trained && model.engine !== trainEngine && page === 'explore') useModel(null);
    },
    /** The Train page is shown: a Generate in progress stops, and so does the tour. */
    leave() {
      generator.stop();
      learn.tour.end();
    },
  };
}
