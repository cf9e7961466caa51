// <transformer-playground>: one live view of the transformer inside a blog post. It waits until
// it is scrolled into view, then loads the shared engine and model (engine-hub.js) and draws
// its view; changing an attribute redraws it. Everything lives in a shadow root styled by one
// constructed stylesheet (no inline <style>, so a strict Content-Security-Policy is enough).
// A bad attribute, or a failure, becomes a message inside the widget's own box.
//
// Its words come from the catalogs of its language (its `lang` attribute, else the host page's
// <html lang>, else the browser's), loaded before it first draws. One language per document:
// the catalogs are the module's, so with widgets of two languages on one page the language
// loaded last is the one every widget speaks from then on.

import { el } from '../views/dom.js';
import { AREAS, useLanguage, textDirection, t } from '../i18n/i18n.js';
import { errorText } from '../notices.js';
import { latestOnly } from '../latest.js';
import { ATTRIBUTES, readAttributes, viewProblem } from './attributes.js';
import { allowedOrigins } from './model-url.js';
import { hubCounters, hubRecord, leaseModel, onEnginesLost, TRAINER_MODEL } from './engine-hub.js';
import { createTokensWidget } from './views/tokens.js';
import { createAttentionWidget } from './views/attention.js';
import { createAttentionGridWidget } from './views/attention-grid.js';
import { createCrossAttentionWidget } from './views/cross-attention.js';
import { createHeadStepsWidget } from './views/head-steps.js';
import { createNextTokenWidget } from './views/next-token.js';
import { createTrainerWidget } from './views/trainer.js';
import viewsCss from '../views/views.css';
import widgetCss from './widget.css';

const START_MARGIN = '200px 0px'; // start loading a little before the widget scrolls into sight
const WIDGETS = {
  tokens: createTokensWidget,
  attention: createAttentionWidget,
  'attention-grid': createAttentionGridWidget,
  'cross-attention': createCrossAttentionWidget,
  'head-steps': createHeadStepsWidget,
  'next-token': createNextTokenWidget,
  trainer: createTrainerWidget,
};
/** The line above each view (also shown while it waits to be scrolled into view). */
const TITLES = {
  tokens: () => t('widget.title.tokens'),
  attention: (p) => t('widget.title.attention', { layer: p.layer, head: p.head }),
  'attention-grid': () => t('widget.title.attentionGrid'),
  'cross-attention': (p) => t('widget.title.crossAttention', { layer: p.layer, head: p.head }),
  'head-steps': (p) => t('widget.title.headSteps', { layer: p.layer, head: p.head }),
  'next-token': () => t('widget.title.nextToken'),
  trainer: (p) => t('widget.title.trainer', { task: p.task }),
};
/** The status line of each state ('' hides it). */
const STATUS = {
  waiting: () => t('widget.status.waiting'),
  loading: () => t('widget.status.loading'),
  ready: () => '',
  error: () => '',
};

const languages = new Map(); // language tag → promise of its catalogs loaded (the code in use)

/** The catalog areas a widget's words come from: the page's views and the Train page's loop, not the learner's path. */
const WIDGET_AREAS = AREAS.filter((area) => area !== 'learn');

/**
 * Loads the catalogs of `tag` for the widgets of this document, once per tag; resolves to the
 * language in use.
 * @param {string} tag a BCP 47 tag, e.g. 'es' or 'zh-CN'
 * @returns {Promise<string>}
 */
export function widgetLanguage(tag) {
  if (!languages.has(tag)) languages.set(tag, useLanguage(tag, { setDocument: false, areas: WIDGET_AREAS }));
  return languages.get(tag);
}

/** What a model's weights are (engine-hub.js: a message and its parameters), in the widget's language. */
const aboutText = (about) => t(about.key, about.params);

/** The language a widget speaks: its `lang` attribute, else the host page's, else the browser's. */
function languageOf(element) {
  return element.getAttribute('lang') || document.documentElement.lang || navigator.language || 'en';
}

/** The widgets on the page now: told when the engine worker crashed, so each loads its model again. */
const live = new Set();
onEnginesLost(() => {
  for (const widget of live) widget.enginesLost();
});

let sheet = null; // one stylesheet object shared by every widget's shadow root
function styles() {
  if (!sheet) {
    sheet = new CSSStyleSheet();
    sheet.replaceSync(`${viewsCss}\n${widgetCss}`);
  }
  return sheet;
}

/** The custom element. Its state is `waiting`, `loading`, `ready` or `error` (also a CSS `:state()`). */
export class TransformerPlaygroundElement extends HTMLElement {
  static get observedAttributes() {
    return [...ATTRIBUTES.map((a) => a.name), 'lang'];
  }

  /** What the widgets of this page have started: the worker and each engine (for tests). */
  static get started() {
    return hubRecord();
  }

  /** The engine worker's wasm memory and engines (for the memory tests): a promise, null before it starts. */
  static counters() {
    return hubCounters();
  }

  #internals = this.attachInternals();
  #ui;
  #visible = false;
  #observer = null;
  #widget = null; // { name, instance }
  #lease = null; // { url, model, release }: the shared model this widget holds
  #state = 'waiting';
  #box;
  #language = null; // the language in use once its catalogs are loaded
  #scheduled = false;
  #render = latestOnly((isStale) => this.#renderNow(isStale), (err) => this.#fail(err));

  constructor() {
    super();
    const root = this.attachShadow({ mode: 'open' });
    root.adoptedStyleSheets = [styles()];
    const ui = {
      title: el('p', { className: 'tp-title' }),
      status: el('p', { className: 'tp-status', attrs: { role: 'status' } }),
      errors: el('div', { className: 'tp-errors', attrs: { role: 'alert' } }),
      notes: el('div', { className: 'tp-notes' }),
      body: el('div', { className: 'tp-body' }),
      foot: el('p', { className: 'tp-foot' }),
    };
    this.#box = el('div', { className: 'tp', attrs: { part: 'box' } }, ui.title, ui.status, ui.errors, ui.notes, ui.body, ui.foot);
    root.append(this.#box);
    this.#ui = ui;
    this.#setState('waiting');
  }

  /** `waiting` (not yet scrolled into view), `loading`, `ready` or `error`. */
  get state() {
    return this.#state;
  }

  connectedCallback() {
    live.add(this);
    this.#schedule();
    if (this.#visible) return;
    this.#observer = new IntersectionObserver((entries) => {
      if (!entries.some((e) => e.isIntersecting)) return;
      this.#visible = true;
      this.#observer.disconnect();
      this.#schedule();
    }, { rootMargin: START_MARGIN });
    this.#observer.observe(this);
  }

  disconnectedCallback() {
    this.#observer?.disconnect();
    this.#widget?.instance.stop?.();
    // moved within the page, it is connected again at once; removed, it lets go of its model
    // (a download nobody else waits for is aborted) and of its trainer's engine
    queueMicrotask(() => {
      if (this.isConnected) return;
      live.delete(this);
      this.#letGo();
    });
  }

  /** The engine worker crashed and every model in it is gone: the view is made anew on the next render. */
  enginesLost() {
    this.#lease = null; // the hub has forgotten every model
    this.#letGo();
    if (this.#state === 'ready') this.#setState('loading');
    this.#schedule();
  }

  /** Gives back the model and drops the view (with its trainer's engine). */
  #letGo() {
    this.#lease?.release();
    this.#lease = null;
    this.#dispose();
    this.#ui.body.replaceChildren();
  }

  /** Drops the view, and frees what it holds of its own (a trainer's engine). */
  #dispose() {
    Promise.resolve(this.#widget?.instance.dispose?.()).catch(() => {});
    this.#widget = null;
  }

  /** The shared model of `url` (null: the default), held until the widget shows another or leaves. */
  #modelFor(url) {
    if (this.#lease?.url !== url) {
      this.#lease?.release();
      this.#lease = { url, ...leaseModel(url, { scriptUrl: import.meta.url }) };
    }
    return this.#lease.model;
  }

  attributeChangedCallback() {
    this.#schedule();
  }

  /** Several attributes set in one go redraw once. */
  #schedule() {
    if (this.#scheduled) return;
    this.#scheduled = true;
    queueMicrotask(() => {
      this.#scheduled = false;
      if (this.isConnected) this.#render();
    });
  }

  #context(limits) {
    return { limits, base: document.baseURI, allowedOrigins: allowedOrigins(document, import.meta.url) };
  }

  /** Loads the widget's language (before its first words) and marks its box with it. */
  async #useLanguage() {
    const code = await widgetLanguage(languageOf(this));
    if (code === this.#language) return;
    this.#language = code;
    this.#box.lang = code;
    this.#box.dir = textDirection(code);
    this.#setState(this.#state); // the status line in that language
  }

  async #renderNow(isStale) {
    await this.#useLanguage();
    if (isStale()) return;
    const get = (name) => this.getAttribute(name);
    const first = readAttributes(get, this.#context());
    if (first.errors.length > 0) return this.#showErrors(first.errors);
    this.#ui.title.textContent = TITLES[first.props.view](first.props);
    if (!this.#visible) return this.#setState('waiting');
    if (this.#state !== 'ready') this.#setState('loading');
    const { view } = first.props;
    if (view === 'trainer') {
      this.#lease?.release();
      this.#lease = null;
    }
    const model = view === 'trainer' ? null : await this.#modelFor(first.props.model);
    const limits = model ? model.limits : { nLayer: TRAINER_MODEL.n_layer, nHead: TRAINER_MODEL.n_head, vocabSize: Infinity };
    const { props, errors } = readAttributes(get, this.#context(limits));
    if (isStale()) return;
    const problem = model && viewProblem(view, model.config);
    if (errors.length > 0 || problem) return this.#showErrors(problem ? [...errors, problem] : errors);
    props.text ??= model?.example ?? '';
    const widget = this.#widgetFor(view);
    const notes = await widget.update(props, model, isStale);
    if (notes === null || isStale()) return;
    this.#ui.errors.replaceChildren();
    this.#ui.notes.replaceChildren(...notes.map((n) => el('p', { className: `tp-note tp-note-${n.level}`, text: n.text })));
    this.#ui.foot.textContent = model ? t('widget.foot', { about: aboutText(model.about), backend: model.engine.backend === 'webgpu' ? 'webgpu' : 'cpu' }) : '';
    this.#ui.body.hidden = false;
    this.#setState('ready');
  }

  /** The widget for `view`, made anew when the view changes. */
  #widgetFor(view) {
    if (this.#widget?.name !== view) {
      this.#dispose();
      this.#ui.body.replaceChildren();
      this.#widget = { name: view, instance: WIDGETS[view](this.#ui.body, { onError: (err) => this.#fail(err) }) };
    }
    return this.#widget.instance;
  }

  /** Replaces the view with `messages`; `fromAttributes`: they are about attribute values (a hint says where to look). */
  #showErrors(messages, fromAttributes = true) {
    this.#ui.title.textContent = t('widget.error.title');
    this.#ui.errors.replaceChildren(...messages.map((text) => el('p', { className: 'tp-error', text })));
    const hint = t('widget.error.hint');
    this.#ui.notes.replaceChildren(...(fromAttributes ? [el('p', { className: 'tp-note', text: hint })] : []));
    this.#ui.body.hidden = true;
    this.#ui.foot.textContent = '';
    this.#setState('error');
  }

  /** A failure while loading or drawing; a text the model cannot read counts as a bad attribute. */
  #fail(err) {
    if (err?.name === 'EngineCrashed') return; // the widget loads its model again (enginesLost)
    const input = err?.name === 'InputError';
    if (!this.#language) return void console.error(err); // failed before its language loaded: nothing to say it in
    this.#showErrors([input ? errorText(err) : t('widget.error.failed', { detail: errorText(err) })], input);
  }

  #setState(state) {
    if (this.#state !== state) this.#internals.states.delete(this.#state);
    this.#state = state;
    this.#internals.states.add(state);
    const text = this.#language ? STATUS[state]() : '';
    this.#ui.status.textContent = text;
    this.#ui.status.hidden = text === '';
  }
}
