// Helpers for the widget's browser tests: open a page that records CSP violations and requests,
// wait for widgets, read the numbers a widget shows (heatmap readouts moved with the keyboard,
// token chips, probability bars), and build a CPU reference engine in the page.

export const LOAD_TIMEOUT = 90_000; // ms: engine start, model and first trace on SwiftShader

/**
 * Opens `path` in a new page that records `securitypolicyviolation` events (window.cspViolations)
 * and every requested URL (page.requests), besides the harness's console errors (page.errors).
 */
export async function openPage(env, path, options = {}) {
  const page = await env.newPage(options);
  page.requests = [];
  page.on('request', (r) => page.requests.push(r.url()));
  await page.addInitScript(() => {
    window.cspViolations = [];
    document.addEventListener('securitypolicyviolation', (e) => window.cspViolations.push(`${e.violatedDirective}: ${e.blockedURI}`));
  });
  await page.goto(env.url + path);
  return page;
}

/** Resolves when widget `i` of the page is `ready` or `error` (scrolling it into view first with `scroll`). */
export async function settle(page, i, { scroll = false } = {}) {
  if (scroll) await page.evaluate((i) => document.querySelectorAll('transformer-playground')[i].scrollIntoView(), i);
  await page.waitForFunction((i) => ['ready', 'error'].includes(document.querySelectorAll('transformer-playground')[i]?.state), i, {
    timeout: LOAD_TIMEOUT,
  });
}

/** Every widget's state, view and error messages. */
export function states(page) {
  return page.evaluate(() => [...document.querySelectorAll('transformer-playground')].map((w) => ({
    view: w.getAttribute('view'),
    state: w.state,
    title: w.shadowRoot.querySelector('.tp-title').textContent,
    errors: [...w.shadowRoot.querySelectorAll('.tp-error')].map((p) => p.textContent),
  })));
}

/**
 * The value the heatmap titled `title` in widget `i` shows for cell (r, c): focus the map, move
 * its cursor with the keyboard (as a reader would), read the readout under it.
 * `which` picks among maps with the same title (0: the first).
 */
export function readCell(page, i, title, r, c, which = 0) {
  return page.evaluate(({ i, title, r, c, which }) => {
    const root = document.querySelectorAll('transformer-playground')[i].shadowRoot;
    const figure = [...root.querySelectorAll('figure.hm')].filter((f) => f.querySelector('.hm-title').textContent === title)[which];
    const canvas = figure.querySelector('canvas');
    const key = (k, n = 1) => { for (let j = 0; j < n; j++) canvas.dispatchEvent(new KeyboardEvent('keydown', { key: k })); };
    canvas.focus();
    key('PageUp', 20);
    key('Home');
    key('ArrowDown', r);
    key('ArrowRight', c);
    const text = figure.querySelector('.hm-readout').textContent;
    canvas.blur();
    const value = text.slice(text.lastIndexOf(': ') + 2).replace('\u2212', '-');
    return { text, value: Number(value) };
  }, { i, title, r, c, which });
}

/**
 * Builds in the page a CPU reference engine with the model the widgets share (the seeded
 * random model or the checkpoint they loaded), in a worker of its own; stored as window.ref.
 */
export async function makeReference(page) {
  await page.evaluate(async () => {
    const { startWorker, createEngine, loadEngine } = await import('/engine/client.js');
    const { FALLBACK_MODEL } = await import('/model-source.js');
    const { TRAINER_MODEL } = await import('/widget/engine-hub.js');
    const shared = customElements.get('transformer-playground').started.engines.find((e) => !e.source.startsWith('trainer:'));
    const worker = startWorker();
    const { config, seed, vocab } = FALLBACK_MODEL;
    const engine = shared.source === 'random'
      ? await createEngine(worker, { config, seed, vocab, backend: 'cpu' })
      : await loadEngine(worker, new Uint8Array(await (await fetch(shared.source)).arrayBuffer()), { backend: 'cpu' });
    window.ref = { worker, engine, TRAINER_MODEL, createEngine };
  });
}

/** The reference's trace of `text` for `keys`: { ids, [key]: number[] }. */
export function referenceTrace(page, text, keys) {
  return page.evaluate(async ({ text, keys }) => {
    const ids = Array.from((await window.ref.engine.encode(text)).ids);
    const trace = await window.ref.engine.forward(ids, keys);
    return Object.fromEntries([['ids', ids], ...keys.map((k) => [k, Array.from(trace[k].data)])]);
  }, { text, keys });
}

/** |shown − expected| within what a 4-significant-digit readout and the GPU's rounding allow. */
export function close(shown, expected, atol = 2e-4) {
  return Math.abs(shown - expected) <= atol + 5e-4 * Math.abs(expected);
}
