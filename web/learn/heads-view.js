// "What heads do": a label for every head, from its attention on the reader's text (previous
// token, first token, self, broad) and on a probe, a random sequence repeated (induction), with
// the score behind each label and the probe shown (heads.js scores them).

import { el } from '../views/dom.js';
import { fixed, tokenLabel } from '../views/format.js';
import { t } from '../i18n/i18n.js';
import { attentionKey } from '../trace-data.js';
import { marked, messageNodes } from './glossary.js';
import { PATTERNS, textScores, inductionScore, labelHead, probeIds } from './heads.js';

/** A head's label, by what labelHead found. */
const LABEL = {
  previous: () => t('learn.heads.label.previous'),
  first: () => t('learn.heads.label.first'),
  self: () => t('learn.heads.label.self'),
  induction: () => t('learn.heads.label.induction'),
  broad: () => t('learn.heads.label.broad'),
  mixed: () => t('learn.heads.label.mixed'),
};
/** A pattern's short name, before its score. */
const SHORT = {
  previous: () => t('learn.heads.short.previous'),
  first: () => t('learn.heads.short.first'),
  self: () => t('learn.heads.short.self'),
  induction: () => t('learn.heads.short.induction'),
  broad: () => t('learn.heads.short.broad'),
};

/**
 * Keys of every head's attention map, layer by layer, as the engine's steps name them.
 * @param {{ config: object, steps: object }} model the engine (its config and steps)
 */
export const attKeys = (model) =>
  Array.from({ length: model.config.n_layer }, (_, l) => Array.from({ length: model.config.n_head }, (_, h) => attentionKey(model, l, h))).flat();

/**
 * The probe the page shows for a model: n of its printable tokens at random (any of GPT-2's),
 * then the same n again (heads.js's probeIds).
 * @param {{ config: { block_size: number }, vocab: string[], tokenizer: string }} engine
 */
export function probeFor({ config, vocab, tokenizer }) {
  const printable = (id) => tokenizer === 'gpt2' || /^[\p{L}\p{N}\p{P}\p{S}]$/u.test(vocab[id]);
  return probeIds(vocab.length, config.block_size, printable);
}

/**
 * Every head's scores and label.
 * @param {{ config: { n_layer: number, n_head: number }, steps: object }} model the engine (its config and steps)
 * @param {(key: string) => Float32Array} textMap the map on the reader's text ((T, T))
 * @param {number} T
 * @param {(key: string) => Float32Array} probeMap the map on the probe ((2n, 2n))
 * @param {number} n the probe's half length
 * @param {boolean} causal
 */
export function labelAll(model, textMap, T, probeMap, n, causal) {
  const out = [];
  for (let l = 0; l < model.config.n_layer; l++) {
    for (let h = 0; h < model.config.n_head; h++) {
      const key = attentionKey(model, l, h);
      const scores = { ...textScores(textMap(key), T, causal), induction: inductionScore(probeMap(key), n) };
      out.push({ layer: l, head: h, scores, ...labelHead(scores) });
    }
  }
  return out;
}

/**
 * @param {HTMLElement} container
 * @param {{ onPick: (changes: { layer: number, head: number }) => void }} hooks
 */
export function createHeadsView(container, { onPick }) {
  const intro = el('p', { className: 'view-intro' }, ...marked(t('learn.heads.intro')));
  const probeLine = el('p', { className: 'probe-line' });
  const grid = el('div', { className: 'heads-grid' });
  container.append(intro, probeLine, grid);
  const probes = new WeakMap(); // engine → promise of { n, ids, maps }

  function probeOf(engine) {
    if (!probes.has(engine)) {
      const { n, ids } = probeFor(engine);
      probes.set(engine, engine.forward(Uint32Array.from(ids), attKeys(engine)).then((maps) => ({ n, ids, maps })));
    }
    return probes.get(engine);
  }

  return {
    /** Labels from `trace` (the reader's text) and the probe; resolves to the labelled heads ([] when none). */
    async update({ engine, trace, T, current }) {
      const { config, vocab, architecture } = engine;
      if (architecture.stacks.length !== 1) {
        grid.replaceChildren(el('p', { text: t('learn.heads.unsupported') }));
        return [];
      }
      if (T < 2) {
        grid.replaceChildren(el('p', { text: t('learn.heads.tooShort') }));
        return [];
      }
      // Explore shows a new model before its first trace: a trace of the model before lacks its maps; the next update labels
      if (!attKeys(engine).every((key) => trace[key])) return [];
      if (!probes.has(engine)) probeLine.textContent = t('learn.heads.waiting');
      const probe = await probeOf(engine);
      const causal = architecture.family !== 'encoder';
      const heads = labelAll(engine, (k) => trace[k].data, T, (k) => probe.maps[k].data, probe.n, causal);
      probeLine.replaceChildren(...messageNodes('learn.heads.probe', { n: probe.n }, { text: probe.ids.map((id) => tokenLabel(vocab[id] ?? '?')).join('') }));
      grid.style.setProperty('--heads', String(config.n_head));
      grid.replaceChildren(...heads.map((hd) => {
        const isCurrent = hd.layer === current.layer && hd.head === current.head;
        const detail = PATTERNS.map((p) => t('learn.heads.score', { pattern: SHORT[p](), score: fixed(hd.scores[p], 2) })).join(' · ');
        return el('button', {
          className: `head-card${isCurrent ? ' is-current' : ''}`,
          attrs: { type: 'button', 'data-label': hd.label, 'data-layer': String(hd.layer), 'data-head': String(hd.head), 'aria-pressed': String(isCurrent) },
          on: { click: () => onPick({ layer: hd.layer, head: hd.head }) },
        },
        el('span', { className: 'head-where', text: t('learn.heads.cell', { layer: hd.layer, head: hd.head }) }),
        el('strong', { className: 'head-label', text: LABEL[hd.label]() }),
        el('span', { className: 'head-score', text: t('learn.heads.scoreFirst', { pattern: SHORT[hd.pattern](), score: fixed(hd.score, 2) }) }),
        el('span', { className: 'head-detail', text: detail }));
      }));
      // the grid scrolls past a few rows (learn.css): the chosen head's card in its middle, the page left where it is
      const chosen = grid.querySelector('.is-current');
      if (chosen) grid.scrollTop = Math.max(0, chosen.offsetTop - (grid.clientHeight - chosen.offsetHeight) / 2);
      return heads;
    },
  };
}
