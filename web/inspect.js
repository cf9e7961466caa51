// Explore's views inside the model (logit lens, ablation, cost). Unlike the views, this module
// calls the engine: the lens needs every block's residual, ablation needs forward passes with
// heads switched off, and the cost comes from the core. Each asks only when its view is on
// screen (or about to be), once per trace of the text, so typing costs one worker round trip.
// The engine keeps no ablation between calls: each ablated pass is queued in the worker as
// "switch off, forward, switch back on", so the rest of the page always sees the whole model.

import { latestOnly } from './latest.js';
import { tokenLabel } from './views/format.js';
import { createLensView } from './views/lens.js';
import { createAblationView } from './views/ablation.js';
import { createCostView } from './views/cost.js';
import { t } from './i18n/i18n.js';
import { modelWords } from './trace-data.js';

const LENS_K = 5; // guesses per cell
const CURVE_POINTS = 24; // sequence lengths in the cost plot
const NEAR = '50% 0px'; // a view within half a screen of the viewport counts as on screen

/** Mean −ln p(next token) over the text, from (T, V) probabilities; null with one token. */
export function textLoss(probs, ids, V) {
  if (ids.length < 2) return null;
  let sum = 0;
  for (let t = 0; t + 1 < ids.length; t++) sum -= Math.log(Math.max(probs[t * V + ids[t + 1]], 1e-30));
  return sum / (ids.length - 1);
}

/**
 * @param {{ lens: HTMLElement, ablation: HTMLElement, cost: HTMLElement, worker: { call: Function },
 *   onHighlight: (pos: number|null) => void, onError: (what: string, err: Error) => void }} o
 */
export function createInspect({ lens, ablation, cost, worker, onHighlight, onError }) {
  let now = null; // { engine, ids, labels, config, vocab }
  const views = {
    lens: createLensView(lens, { onHighlight }),
    ablation: createAblationView(ablation, { onChange: () => runAblation() }),
    cost: createCostView(cost),
  };
  const runLens = latestOnly(async (isStale) => {
    const { engine, ids, labels, config, vocab, words } = now;
    const result = await engine.logitLens(ids, LENS_K);
    if (!isStale()) views.lens.update({ top: result.top, labels, vocab, words, C: config.n_embd, V: config.vocab_size });
  }, (err) => onError(t('page.inspect.lensFailed'), err));
  const runAblation = latestOnly(async (isStale) => {
    const { engine, ids, labels, config, vocab, words } = now;
    const spec = views.ablation.spec();
    const V = config.vocab_size;
    const base = engine.forward(ids, ['probs']);
    const active = spec.heads.length + spec.layers.length > 0;
    // queued together, so no other call runs in between: off, forward, back on
    const calls = active ? [engine.setAblation(spec), engine.forward(ids, ['probs']), engine.setAblation({})] : [];
    const [b, , ablatedOut] = await Promise.all([base, ...calls]);
    const a = ablatedOut ?? b;
    if (isStale()) return;
    const T = ids.length;
    views.ablation.update({
      L: config.n_layer, NH: config.n_head, HS: config.n_embd / config.n_head, labels, vocab, words,
      base: b.probs.data.slice((T - 1) * V), ablated: a.probs.data.slice((T - 1) * V),
      baseLoss: textLoss(b.probs.data, ids, V), ablatedLoss: textLoss(a.probs.data, ids, V),
    });
  }, (err) => onError(t('page.inspect.ablationFailed'), err));
  const runCost = latestOnly(async (isStale) => {
    const { ids, config } = now;
    const { vocab_size: V, ...sizes } = config; // sizes and architecture: the cost follows the variant
    const ts = [...new Set(Array.from({ length: CURVE_POINTS }, (_, i) => Math.max(1, Math.round(((i + 1) * config.block_size) / CURVE_POINTS))))];
    const [here, ...points] = await Promise.all([ids.length, ...ts].map((t) => worker.call('cost', sizes, V, t, 1)));
    if (isStale()) return;
    const curve = points.map((p) => ({ t: p.t, total: p.forward_flops, quadratic: p.quadratic_flops }));
    views.cost.update({ cost: here, curve, L: config.n_layer, NH: config.n_head, C: config.n_embd, V });
  }, (err) => onError(t('page.inspect.costFailed'), err));

  const runs = { lens: runLens, ablation: runAblation, cost: runCost };
  const containers = { lens, ablation, cost };
  const shown = {}; // view name → { of: the `now` it shows or is fetching, done: promise }
  const visible = new Set();

  /** View `name` shows the latest trace: asks the engine unless it already has for this one. */
  function refresh(name) {
    if (shown[name]?.of === now) return shown[name].done;
    const node = containers[name];
    node.setAttribute('aria-busy', 'true'); // the page shows that it computes (first use compiles GPU kernels: seconds on a software GPU)
    const done = runs[name]();
    shown[name] = { of: now, done };
    done.finally(() => { if (shown[name].done === done) node.removeAttribute('aria-busy'); });
    return done;
  }
  const observer = new IntersectionObserver((entries) => {
    for (const e of entries) {
      const name = Object.keys(containers).find((n) => containers[n] === e.target);
      if (!e.isIntersecting) visible.delete(name);
      else {
        visible.add(name);
        if (now) refresh(name);
      }
    }
  }, { rootMargin: NEAR });
  for (const node of Object.values(containers)) observer.observe(node);

  return {
    views,
    /** The text was traced again (or the model changed): the views on screen follow. */
    update({ engine, ids, labels, config, vocab }) {
      now = { engine, ids: Array.from(ids), labels: labels.map(tokenLabel), config, vocab, words: modelWords(config, engine.tokenizer) };
      for (const name of visible) refresh(name);
    },
    /** Every view, on screen or not, shows the latest trace; resolves once they do (null before the first). */
    showAll: () => (now ? Promise.all(Object.keys(runs).map(refresh)) : null),
    highlight(pos) {
      views.lens.highlight(pos);
    },
  };
}
