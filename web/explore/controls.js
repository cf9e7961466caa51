// Explore's controls: the text box, the layer and head pickers, the sampling settings, the seed,
// Generate and the steps bar. They show the store's address state (`fill`) and report what the
// user changed; the page decides what follows.

import { MAX_TEXT } from '../state.js';
import { fmt } from '../views/format.js';

const VIEW_BAND = '-25% 0px -70% 0px'; // a band a quarter down the viewport: the section crossing it is "in view"

/**
 * @param {{ onText: (text: string) => void, onPick: (changes: object) => void, onSampling: (changes: object) => void,
 *   onSeed: (seed: number) => void, onGenerate: () => void, onView: (view: string, scroll: boolean) => void,
 *   current: () => { url: object, config: object } }} hooks
 *   onSampling: valid temperature, top-k or top-p values (the others unchanged); onView: the section
 *   in view changed (scroll: a steps-bar button asks to bring it into view); current: what is shown
 */
export function createControls({ onText, onPick, onSampling, onSeed, onGenerate, onView, current }) {
  const $ = (id) => document.getElementById(id);
  const ui = {
    text: $('text'),
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

  /** The controls show `url` (Explore's address state) for a model of `config`. */
  function fill() {
    const { url, config } = current();
    const options = (select, n) => {
      if (select.options.length !== n) select.replaceChildren(...Array.from({ length: n }, (_, i) => new Option(String(i), String(i))));
    };
    options(ui.layer, config.n_layer);
    options(ui.head, config.n_head);
    ui.layer.value = String(url.layer);
    ui.head.value = String(url.head);
    if (ui.text.value !== url.text) ui.text.value = url.text;
    ui.temp.value = String(url.temp);
    ui.tempValue.textContent = fmt(url.temp, 3);
    ui.topk.max = String(config.vocab_size);
    ui.topk.value = String(url.topk);
    ui.topp.value = String(url.topp);
    ui.seed.value = String(url.seed);
  }

  /** Marks the button of the section `view` in the steps bar, scrolled into the bar where it scrolls (a phone). */
  function markCurrent(view) {
    const nav = document.querySelector('.section-nav');
    for (const b of nav.querySelectorAll('[data-goto]')) b.toggleAttribute('aria-current', b.dataset.goto === view);
    const current = nav.querySelector('[aria-current]');
    const left = current.offsetLeft - nav.offsetLeft; // px from the bar's start
    if (left < nav.scrollLeft || left + current.offsetWidth > nav.scrollLeft + nav.clientWidth) nav.scrollLeft = left - 16;
  }

  function wire() {
    ui.text.maxLength = MAX_TEXT;
    ui.text.addEventListener('input', () => onText(ui.text.value));
    ui.layer.addEventListener('change', () => onPick({ layer: Number(ui.layer.value) }));
    ui.head.addEventListener('change', () => onPick({ head: Number(ui.head.value) }));
    const sampling = () => {
      const { config } = current();
      const temp = Number(ui.temp.value);
      const topk = Math.round(Number(ui.topk.value));
      const topp = Number(ui.topp.value);
      const changes = {};
      if (Number.isFinite(temp)) changes.temp = temp;
      if (Number.isInteger(topk) && topk >= 0 && topk <= config.vocab_size) changes.topk = topk;
      if (topp > 0 && topp <= 1) changes.topp = topp;
      onSampling(changes);
      ui.tempValue.textContent = fmt(current().url.temp, 3);
    };
    for (const input of [ui.temp, ui.topk, ui.topp]) {
      input.addEventListener('input', sampling);
      input.addEventListener('change', fill); // a value out of range shows the one in use again
    }
    ui.seed.addEventListener('change', () => {
      const seed = Math.round(Number(ui.seed.value));
      if (Number.isInteger(seed) && seed >= 0 && seed < 2 ** 32) onSeed(seed);
      ui.seed.value = String(current().url.seed);
    });
    ui.generate.addEventListener('click', onGenerate);
    // the steps bar's buttons (data-goto), and those under the glance beside the text box (data-jump)
    for (const button of document.querySelectorAll('[data-goto], [data-jump]')) {
      button.addEventListener('click', () => onView(button.dataset.goto ?? button.dataset.jump, true));
    }
    followBarHeight();
  }

  /**
   * Keeps --bar-height on the root at the steps bar's drawn height, which the page's
   * scroll-padding-top (style.css) adds to every jump so that a section's heading lands below the
   * sticky bar, however many rows the bar wraps to.
   */
  function followBarHeight() {
    const bar = document.querySelector('.toolbar');
    const root = document.documentElement;
    new ResizeObserver(() => root.style.setProperty('--bar-height', `${bar.offsetHeight}px`)).observe(bar);
  }

  let recheck = () => {}; // reports the section in the band now (once followScrolling has started)

  /**
   * Reports the section being read from now on, so the address keeps it and a reload comes back to
   * it; not while `held()`: a jump's scroll passes the sections between, which the reader is not
   * reading (`recheckScrolling` reports where the scroll ended).
   */
  function followScrolling(held) {
    const crossing = new Set();
    const sections = [...document.querySelectorAll('section[data-view]')];
    recheck = () => {
      if (held()) return;
      const above = window.scrollY + innerHeight * 0.25 < sections[0].offsetTop; // still in the introduction
      const seen = above ? sections[0] : sections.find((s) => crossing.has(s));
      if (seen && seen.id !== current().url.view) onView(seen.id, false);
    };
    const observer = new IntersectionObserver((entries) => {
      for (const e of entries) crossing[e.isIntersecting ? 'add' : 'delete'](e.target);
      recheck();
    }, { rootMargin: VIEW_BAND });
    for (const section of sections) observer.observe(section);
  }

  return {
    fill,
    wire,
    followScrolling,
    /** A jump ended: the section in the band is the one read now. */
    recheckScrolling: () => recheck(),
    markCurrent,
    /** Generate's button says `label`; the line beside it says `status` (undefined: unchanged). */
    showGenerate(label, status) {
      ui.generate.textContent = label;
      if (status !== undefined) ui.genStatus.textContent = status;
    },
    /** The text box shows `text` (Generate appended to it). */
    setText(text) {
      ui.text.value = text;
    },
  };
}
