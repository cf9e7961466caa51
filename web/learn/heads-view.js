// "What heads do": a label for every head, from its attention on the reader's text (previous
// token, first token, self, broad) and on a probe, a random sequence repeated (induction), with
// the score behind each label and the probe shown (heads.js scores them).

import { el } from '../views/dom.js';
import { fixed, tokenLabel } from '../views/format.js';
import { marked } from './glossary.js';
import { PATTERNS, textScores, inductionScore, labelHead, probeIds } from './heads.js';

const WORDS = {
  intro: 'Each [[head]] gets a label from where its [[attention]] goes: on your text (the previous token, the first token, itself, or spread broadly) and on a probe, a random sequence shown twice, where an [[induction|induction head]] looks at the token that followed the current one last time. The number is the mean weight on the pattern (for broad: how evenly the rows spread, 0 to 1).',
  probe: (n, text) => `Probe: ${n} random tokens, then the same ${n} again: ${text}`,
  label: {
    previous: 'previous token',
    first: 'first token (sink)',
    self: 'itself',
    induction: 'induction',
    broad: 'broad',
    mixed: 'mixed',
  },
  short: { previous: 'prev', first: 'first', self: 'self', induction: 'ind', broad: 'broad' },
  cell: (l, h) => `layer ${l} · head ${h}`,
  waiting: 'Running the probe…',
  tooShort: 'Type at least two tokens to label the heads.',
  unsupported: 'Head labels are shown for one-stack models (decoder or encoder).',
};

/** Keys of every head's attention map. */
export const attKeys = (config) =>
  Array.from({ length: config.n_layer }, (_, l) => Array.from({ length: config.n_head }, (_, h) => `block${l}.head${h}.att`)).flat();

/**
 * Every head's scores and label.
 * @param {{ n_layer: number, n_head: number }} config
 * @param {(key: string) => Float32Array} textMap the map on the reader's text ((T, T))
 * @param {number} T
 * @param {(key: string) => Float32Array} probeMap the map on the probe ((2n, 2n))
 * @param {number} n the probe's half length
 * @param {boolean} causal
 */
export function labelAll(config, textMap, T, probeMap, n, causal) {
  const out = [];
  for (let l = 0; l < config.n_layer; l++) {
    for (let h = 0; h < config.n_head; h++) {
      const key = `block${l}.head${h}.att`;
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
  const intro = el('p', { className: 'view-intro' }, ...marked(WORDS.intro));
  const probeLine = el('p', { className: 'probe-line' });
  const grid = el('div', { className: 'heads-grid' });
  container.append(intro, probeLine, grid);
  const probes = new WeakMap(); // engine → promise of { n, ids, maps }

  function probeOf(engine) {
    if (!probes.has(engine)) {
      const { config, vocab, tokenizer } = engine;
      const printable = (id) => tokenizer === 'gpt2' || /^[\p{L}\p{N}\p{P}\p{S}]$/u.test(vocab[id]);
      const { n, ids } = probeIds(vocab.length, config.block_size, printable);
      probes.set(engine, engine.forward(Uint32Array.from(ids), attKeys(config)).then((maps) => ({ n, ids, maps })));
    }
    return probes.get(engine);
  }

  return {
    /** Labels from `trace` (the reader's text) and the probe; resolves to the labelled heads ([] when none). */
    async update({ engine, trace, T, current }) {
      const { config, vocab, architecture } = engine;
      if (architecture.stacks.length !== 1) {
        grid.replaceChildren(el('p', { text: WORDS.unsupported }));
        return [];
      }
      if (T < 2) {
        grid.replaceChildren(el('p', { text: WORDS.tooShort }));
        return [];
      }
      if (!probes.has(engine)) probeLine.textContent = WORDS.waiting;
      const probe = await probeOf(engine);
      const causal = architecture.family !== 'encoder';
      const heads = labelAll(config, (k) => trace[k].data, T, (k) => probe.maps[k].data, probe.n, causal);
      probeLine.textContent = WORDS.probe(probe.n, probe.ids.map((id) => tokenLabel(vocab[id] ?? '?')).join(''));
      grid.style.setProperty('--heads', String(config.n_head));
      grid.replaceChildren(...heads.map((hd) => {
        const isCurrent = hd.layer === current.layer && hd.head === current.head;
        const detail = PATTERNS.map((p) => `${WORDS.short[p]} ${fixed(hd.scores[p], 2)}`).join(' · ');
        return el('button', {
          className: `head-card${isCurrent ? ' is-current' : ''}`,
          attrs: { type: 'button', 'data-label': hd.label, 'data-layer': String(hd.layer), 'data-head': String(hd.head), 'aria-pressed': String(isCurrent) },
          on: { click: () => onPick({ layer: hd.layer, head: hd.head }) },
        },
        el('span', { className: 'head-where', text: WORDS.cell(hd.layer, hd.head) }),
        el('strong', { className: 'head-label', text: WORDS.label[hd.label] }),
        el('span', { className: 'head-score', text: `${fixed(hd.score, 2)} ${WORDS.short[hd.pattern]}` }),
        el('span', { className: 'head-detail', text: detail }));
      }));
      return heads;
    },
  };
}
