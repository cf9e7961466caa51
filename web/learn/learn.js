// The learner's path through Explore: the architecture map, "what heads do", the plain ↔
// technical switch with each step in words, the glossary, and the guided tour. Explore calls
// `update` after every draw; everything here reads what is on screen and asks the engine only
// for the heads' probe. The map, the heads and the comparison with an RNN are redrawn through
// Explore's `sections` (explore/sections.js): at once in sight, later away from it.

import { el } from '../views/dom.js';
import { tokenLabel } from '../views/format.js';
import { t } from '../i18n/i18n.js';
import { attentionKey, normInputKey, normKey, activationKey, blockOutputKey, modelWords as wordsOf } from '../trace-data.js';
import { TOY_WORDS } from '../views/model-words.js';
import { createArchMap } from './arch-map.js';
import { createHeadsView } from './heads-view.js';
import { createTour } from './tour.js';
import { createRnnView } from './rnn-view.js';
import { createEmbeddingSpace } from './embedding-space.js';
import { createPositionsView } from './positions-view.js';
import { createWordsSwitch } from './words.js';
import { marked, wireGlossary } from './glossary.js';
import { STEP_WORDS } from './step-words.js';

/** Steps whose words go below their controls rather than their heading (the output's sampling settings and Generate stay first). */
const AFTER = { output: 'sampling' };

/**
 * @param {{ current: () => { model: object|null, url: object|null, shown: object }, load: (bytes: Uint8Array) => Promise<object>,
 *   onGoto: (view: string) => void, sections: ReturnType<import('../explore/sections.js').createSections>,
 *   jump: (target: Element, options: ScrollIntoViewOptions) => void,
 *   onPick: (changes: { layer?: number, head?: number }) => void, onTour: (stop: number) => void,
 *   onError: (what: string, err: Error) => void }} hooks
 *   current: the store's model, address state and what the views show; load: an engine from checkpoint bytes; onGoto: scroll to a step;
 *   sections: Explore's (explore/sections.js), which draws the map, heads and RNN comparison in sight;
 *   jump: scrolls the tour's stop into view, ending at it (Explore's jump, explore/jump.js);
 *   onPick: show another layer or head; onTour: the tour's stop changed (0: it ended)
 */
export function createLearn({ current, load, onGoto, sections, jump, onPick, onTour, onError }) {
  const $ = (id) => document.getElementById(id);
  const map = createArchMap($('view-map'), { onGoto, onPick });
  const heads = createHeadsView($('view-heads'), { onPick });
  const rnn = createRnnView($('view-rnn'));
  const space = createEmbeddingSpace($('view-space'));
  let spaceNear = false; // the embedding space is traced only once it comes near the screen (a forward pass per row)
  new IntersectionObserver((entries) => {
    if (spaceNear || !entries.some((e) => e.isIntersecting)) return;
    spaceNear = true;
    update().catch((err) => onError(t('learn.errors.space'), err));
  }, { rootMargin: '100% 0px' }).observe($('space'));
  const positions = createPositionsView($('view-positions'), { load });
  let labelled = []; // the heads' labels for the text on screen
  const tour = createTour({ context, onStop: onTour, jump });
  const stepWords = Object.fromEntries(Object.keys(STEP_WORDS).map((view) => {
    const p = el('p', { className: 'step-words' });
    (AFTER[view] ? $(AFTER[view]) : $(view)?.querySelector('h2'))?.after(p);
    return [view, p];
  }));
  let wordsMode = 'technical';
  let modelWords = TOY_WORDS; // the loaded model's, once one is
  const writeStepWords = () => {
    for (const [view, p] of Object.entries(stepWords)) p.replaceChildren(...marked(STEP_WORDS[view].read(wordsMode, modelWords)));
  };
  createWordsSwitch($('words-switch'), (mode) => {
    wordsMode = mode;
    writeStepWords();
  });
  wireGlossary({ panel: $('glossary-panel'), opener: $('glossary-open') });
  $('tour-start').addEventListener('click', () => tour.start(1));

  /** What the tour's stops read, from what is on screen (null before the first trace). */
  function context() {
    const { model, url, shown } = current();
    if (!model || !shown.trace || !shown.input) return null;
    const { engine } = model;
    const { config, vocab } = engine;
    const T = shown.input.ids.length;
    const data = (key) => shown.trace[key]?.data ?? null;
    return {
      T,
      labels: shown.input.labels.map(tokenLabel),
      ids: Array.from(shown.input.ids),
      V: vocab.length,
      vocab: vocab.map(tokenLabel),
      config,
      arch: engine.architecture,
      layer: url.layer,
      head: url.head,
      data,
      lnInputKey: normInputKey(engine, url.layer),
      lnKey: normKey(engine, url.layer),
      attKey: attentionKey(engine, url.layer, url.head),
      actKey: activationKey(engine, url.layer),
      lastOutputKey: blockOutputKey(engine, config.n_layer - 1),
      firstShare(l, h) {
        const att = data(attentionKey(engine, l, h));
        let s = 0;
        for (let t = 0; t < T; t++) s += att[t * T];
        return s / T;
      },
      probs: shown.sampling?.probs ?? null,
      logits: shown.logits,
      temperature: url.temp,
      heads: labelled,
    };
  }

  /**
   * Section `id` is drawn by `draw` (which may ask `engine`) once it is in sight; resolves when
   * it is drawn, or at once when it waits for the reader to come near.
   */
  function inSight(id, engine, draw) {
    let drawn = Promise.resolve();
    sections.update($(id), () => {
      drawn = draw().catch((err) => {
        if (current().model?.engine === engine) onError(t('learn.errors.headsOrSpace'), err);
        // else: the engine was replaced (the hand-over to WebGPU) while it ran; the new one draws next
      });
      return drawn;
    });
    return drawn;
  }

  /** The views show the store's state: the map for the model, the heads' labels, the tour's text. */
  async function update() {
    const { model, url, shown } = current();
    if (!model || !url) return;
    const { engine } = model;
    const refreshTour = () => { if (current().shown === shown) tour.refresh(current().url.tour); }; // the stop now: the reader may have moved on meanwhile
    sections.update($('map'), () => map.update(engine.architecture, { layer: url.layer, head: url.head }));
    const words = wordsOf(engine.config, engine.tokenizer);
    if (JSON.stringify(words) !== JSON.stringify(modelWords)) {
      modelWords = words;
      writeStepWords();
    }
    if (shown.trace && shown.input) {
      const T = shown.input.ids.length;
      sections.update($('rnn'), () => rnn.update(T, engine.config.n_embd));
      positions.update(engine, shown.input.ids);
      if (spaceNear) await inSight('space', engine, () => space.update(engine, shown.input.ids[T - 1]));
      // the tour's text names the heads' labels: said again once they are drawn
      await inSight('heads', engine, async () => {
        labelled = await heads.update({ engine, trace: shown.trace, T, current: { layer: url.layer, head: url.head } });
        refreshTour();
      });
    }
    refreshTour();
  }

  return { tour, update };
}
