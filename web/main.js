// The playground page's boot sequence: the page's state in one store, the model loader and the
// two pages (Explore, ./explore/page.js; Train, ./train/view.js, loaded on first use), the
// router between them, and the test hooks. boot.js has already started the engine worker and
// the default model's download.

import { worker, handsOver, firstDefault } from './boot.js';
import { pageLanguageReady } from './i18n/page-language.js';
import { createStore } from './store.js';
import { createModelLoader } from './explore/loader.js';
import { createExplorePage, NOTHING_SHOWN } from './explore/page.js';
import { createRouter } from './router.js';

await pageLanguageReady; // the views write their words from the catalogs of the page's language

/** The page's state; each module says which fields it keeps. */
const store = createStore({
  page: null, // 'explore' | 'train': the page shown (router.js)
  model: null, // the model Explore shows: { engine, about, example, trained, quick?, gpuError? } (explore/page.js)
  url: null, // Explore's state in the address: text, layer, head, view, temp, topk, topp, seed (state.js)
  shown: NOTHING_SHOWN, // what the views show: { input, trace, keys, logits, sampling, output }
  highlighted: null, // the token position pointed at in any view
  trainEngine: null, // the training run's engine, null when there is none (train/view.js)
  trainDebug: null, // the Train page's test hooks, once it has shown its settings
  // ms since navigation start: the first engine ready, its first heatmaps, and the first heatmaps
  // of the engine the page stays on (WebGPU after a hand-over; else the same as firstHeatmapMs);
  // update: the last keystroke-to-views timing { totalMs, engineMs, renderMs, toPaintMs, tokens }
  timings: { engineReadyMs: null, firstHeatmapMs: null, engineSettledMs: null, update: null },
  firstBackend: null, // the backend that drew the first heatmaps ('cpu' before a hand-over to WebGPU)
  renders: 0, // times the views were drawn, counted once every section shows the draw (explore/page.js)
  drawn: null, // what the last counted draw showed: { engine, state: the address state it traced }
});

const loader = createModelLoader({ worker, handsOver, firstDefault });
const explore = createExplorePage({ store, worker, loader });
const trainView = once(() => import('./train/view.js').then(({ createTrainView }) => createTrainView({
  worker,
  isShown: () => store.get().page === 'train',
  onEngine: (engine) => {
    store.update({ trainEngine: engine });
    explore.trainEngineChanged();
  },
  onExplore: (model) => {
    explore.open({ ...model, trained: true });
    router.exploreAfresh();
  },
})));
const router = createRouter({
  store,
  explore,
  train: async (hash) => {
    const view = await trainView();
    await view.show(hash);
    store.update({ trainDebug: view.debug }); // once the page shows its settings (and any run restored from storage)
  },
});

Object.defineProperty(window, 'playgroundDebug', {
  value: Object.freeze({
    get state() { return { ...store.get().url }; },
    get input() { return store.get().shown.input; },
    get trace() { return store.get().shown.trace; },
    get keys() { return [...store.get().shown.keys]; },
    get sampling() { return store.get().shown.sampling; },
    get timings() { return { ...store.get().timings }; },
    /** Times the views were drawn, each counted once every section shows it. */
    get renders() { return store.get().renders; },
    /**
     * What every section of Explore shows, once none is stale (else null): `model`, whether it is
     * the model now loaded; `text`, the text it traced; `address`, whether it is what the address
     * asks for (text, layer, head and sampling). A test waits on this for its own model, text or
     * choice: a render count is also met by a draw of the model or text before.
     */
    get shows() {
      const { drawn, model, url } = store.get();
      if (!drawn || !explore.viewsCurrent) return null;
      const address = Object.entries(drawn.state).every(([k, v]) => Object.is(url?.[k], v));
      return { model: drawn.engine === model?.engine, text: drawn.state.text, address };
    },
    get backend() { return store.get().model?.engine.backend ?? null; },
    /** The backend that drew the first heatmaps ('cpu' before a hand-over to WebGPU). */
    get firstBackend() { return store.get().firstBackend; },
    get config() { return store.get().model?.engine.config ?? null; },
    /** "char", or "gpt2" for opened GPT-2 files. */
    get tokenizer() { return store.get().model?.engine.tokenizer ?? null; },
    get page() { return store.get().page; },
    /** The Train page's state (status, step, run, …), once it has been shown. */
    get train() { return store.get().trainDebug; },
    /** Test hook: the training run's engine (injectFault, exportCheckpoint, …). */
    get trainEngine() { return store.get().trainEngine; },
    /**
     * Logit lens, ablation and cost views. They ask the engine only when on screen; `inspected`
     * has them all show the latest trace, and resolves once they do.
     */
    get inspect() { return explore.inspect; },
    get inspected() { return explore.inspect.showAll(); },
    /** Soak-test hook: `{ gpuBuffers: { created, live, live_bytes } | null, wasmBytes }` of the engine worker. */
    counters: () => worker.call('counters'),
  }),
});

router.route();

/** `make()` on the first call, its result on every call after. */
function once(make) {
  let made = null;
  return () => (made ??= make());
}
