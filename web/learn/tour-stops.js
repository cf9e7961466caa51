// The guided tour's stops: where each one points (a section of Explore) and what it says,
// computed from this model's numbers on the reader's text. Each `title()` and `text(ctx, data)`
// returns a message (web/locales/<code>/learn.json, learn.tour.*) whose terms are marked for the
// glossary ([[term]], glossary.js); `data` turns the reader's text and tokens into what the
// message shows (by default the text itself, unable to forge a mark; tour.js's translate="no"
// placeholders). `ctx` is learn.js's: { T, labels, ids, V, vocab, config, arch, layer, head,
// data(key), lnInputKey, lnKey, attKey, actKey, lastOutputKey, firstShare(l, h), probs, logits,
// temperature, heads }, its keys named by the engine's steps (trace-data.js).

import { t } from '../i18n/i18n.js';
import { pct, fmt } from '../views/format.js';
import { labelHead } from './heads.js';

/** Text from the reader, made so that it can never be read as a glossary mark (the messages quote it). */
const q = (s) => String(s).replace(/\[\[/g, '[\u200b[').replace(/\]\]/g, ']\u200b]');

/** The model's family as the map stop's message selects it. */
const FAMILY = { decoder: 'decoder', encoder: 'encoder', encoder_decoder: 'encdec' };

/** Row t of a (T, C) matrix. */
const row = (m, t, C) => m.subarray(t * C, (t + 1) * C);
const mean = (xs) => xs.reduce((a, b) => a + b, 0) / xs.length;
const std = (xs) => Math.sqrt(mean(xs.map((x) => (x - mean(xs)) ** 2)));
const length = (xs) => Math.sqrt(xs.reduce((a, x) => a + x * x, 0));
/** The k largest entries of `p`, as [index, value], largest first. */
function top(p, k) {
  return Array.from(p, (v, i) => [i, v]).sort((a, b) => b[1] - a[1]).slice(0, k);
}
/** softmax(z / τ). */
function softmaxAt(z, tau) {
  const m = Math.max(...z);
  const e = Array.from(z, (x) => Math.exp((x - m) / tau));
  const s = e.reduce((a, b) => a + b, 0);
  return e.map((x) => x / s);
}
/** The head, among all, that scores highest on `pattern` ("previous", "first", …). */
const bestHead = (heads, pattern) => heads?.reduce((a, h) => ((h.scores[pattern] ?? -1) > (a?.scores[pattern] ?? -1) ? h : a), null);

export const STOPS = [
  {
    target: 'intro',
    title: () => t('learn.tour.intro.title'),
    text: (c, data = q) => t('learn.tour.intro.text', { text: data(c.labels.join('')), T: c.T, stops: STOPS.length }),
  },
  {
    target: 'map',
    title: () => t('learn.tour.map.title'),
    text: (c) => t('learn.tour.map.text', { family: FAMILY[c.arch.family] ?? 'other', name: c.arch.family, layers: c.config.n_layer, heads: c.config.n_head, C: c.config.n_embd }),
  },
  {
    target: 'tokens',
    title: () => t('learn.tour.tokens.title'),
    text: (c, data = q) => t('learn.tour.tokens.text', { T: c.T, first: data(c.labels[0]), id: c.ids[0], V: c.V }),
  },
  {
    target: 'embeddings',
    title: () => t('learn.tour.embeddings.title'),
    text: (c, data = q) => {
      const C = c.config.n_embd;
      const x = c.data('embed');
      const first = c.labels.findIndex((l, i) => c.labels.indexOf(l) !== i); // the first token seen before
      if (first < 0) return t('learn.tour.embeddings.textFirst', { C, length: fmt(length(row(x, 0, C)), 3) });
      const was = c.labels.indexOf(c.labels[first]);
      const d = length(row(x, first, C).map((v, i) => v - row(x, was, C)[i]));
      return t('learn.tour.embeddings.text', { C, token: data(c.labels[first]), was, first, distance: fmt(d, 3) });
    },
  },
  {
    target: 'layernorm',
    title: () => t('learn.tour.layernorm.title'),
    text: (c) => {
      const C = c.config.n_embd;
      const t0 = c.T - 1;
      const before = c.data(c.lnInputKey);
      const after = c.data(c.lnKey);
      if (!before || !after) return t('learn.tour.layernorm.textNone');
      return t('learn.tour.layernorm.text', { C, before: fmt(std(Array.from(row(before, t0, C))), 3), after: fmt(std(Array.from(row(after, t0, C))), 3) });
    },
  },
  {
    target: 'head',
    title: () => t('learn.tour.head.title'),
    text: (c, data = q) => {
      const att = c.data(c.attKey);
      const last = c.T - 1;
      const [[j, p]] = top(att.subarray(last * c.T, (last + 1) * c.T), 1);
      return t('learn.tour.head.text', { layer: c.layer, head: c.head, token: data(c.labels[last]), share: pct(p), other: data(c.labels[j]), position: j });
    },
  },
  {
    target: 'attention',
    title: () => t('learn.tour.attention.title'),
    text: (c) => {
      let sum = 0;
      for (let l = 0; l < c.config.n_layer; l++) for (let h = 0; h < c.config.n_head; h++) sum += c.firstShare(l, h);
      const share = sum / (c.config.n_layer * c.config.n_head);
      return t('learn.tour.attention.text', { heads: c.config.n_layer * c.config.n_head, share: pct(share) });
    },
  },
  {
    target: 'heads',
    title: () => t('learn.tour.heads.title'),
    text: (c) => {
      if (!c.heads?.length) return t('learn.tour.heads.textNone');
      const prev = bestHead(c.heads, 'previous');
      const ind = bestHead(c.heads, 'induction');
      return t('learn.tour.heads.text', {
        prevLayer: prev.layer, prevHead: prev.head, prevShare: pct(prev.scores.previous),
        indLayer: ind.layer, indHead: ind.head, indShare: pct(ind.scores.induction),
        clear: c.heads.filter((h) => labelHead(h.scores).label !== 'mixed').length, heads: c.heads.length,
      });
    },
  },
  {
    target: 'ffn',
    title: () => t('learn.tour.ffn.title'),
    text: (c) => {
      const act = c.data(c.actKey);
      const near0 = act ? Array.from(act).filter((v) => Math.abs(v) < 0.05).length / act.length : 0;
      const zero = pct(near0);
      return act
        ? t('learn.tour.ffn.text', { layer: c.layer, width: act.length / c.T, zero })
        : t('learn.tour.ffn.textNoWidth', { layer: c.layer, zero });
    },
  },
  {
    target: 'residual',
    title: () => t('learn.tour.residual.title'),
    text: (c) => {
      const C = c.config.n_embd;
      const last = c.T - 1;
      const a = c.data('embed');
      const b = c.data(c.lastOutputKey);
      return t('learn.tour.residual.text', { before: fmt(length(Array.from(row(a, last, C))), 3), after: fmt(length(Array.from(row(b, last, C))), 3) });
    },
  },
  {
    target: 'output',
    title: () => t('learn.tour.output.title'),
    text: (c, data = q) => {
      if (!c.probs) return t('learn.tour.output.textNone');
      const best = top(c.probs, 3).map(([i, p]) => t('learn.tour.output.guess', { token: data(c.vocab[i]), share: pct(p) }));
      return t('learn.tour.output.text', { guesses: best.join(t('learn.tour.output.separator')) });
    },
  },
  {
    target: 'sampling',
    title: () => t('learn.tour.sampling.title'),
    text: (c, data = q) => {
      if (!c.logits) return t('learn.tour.sampling.textNone');
      const [[i]] = top(c.logits, 1);
      const cool = softmaxAt(c.logits, 0.5)[i];
      const warm = softmaxAt(c.logits, 1.5)[i];
      return t('learn.tour.sampling.text', { cold: 0.5, token: data(c.vocab[i]), coldShare: pct(cool), hot: 1.5, hotShare: pct(warm) });
    },
  },
  {
    target: 'lens',
    title: () => t('learn.tour.lens.title'),
    text: (c, data = q) => t('learn.tour.lens.text', { token: data(c.labels[c.T - 1]), layers: c.config.n_layer }),
  },
  {
    target: 'ablation',
    title: () => t('learn.tour.ablation.title'),
    text: (c) => {
      const prev = bestHead(c.heads, 'previous');
      return prev ? t('learn.tour.ablation.text', { layer: prev.layer, head: prev.head }) : t('learn.tour.ablation.textAnyHead');
    },
  },
  {
    target: 'rnn',
    title: () => t('learn.tour.rnn.title'),
    text: (c) => {
      const { n_embd: C } = c.config;
      const attn = 2 * c.T * c.T * C;
      const dense = 24 * c.T * C * C;
      return t('learn.tour.rnn.text', { T: c.T, attention: fmt(attn, 3), dense: fmt(dense, 3) });
    },
  },
];
