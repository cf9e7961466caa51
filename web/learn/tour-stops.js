// The guided tour's stops: where each one points (a section of Explore) and what it says,
// computed from this model's numbers on the reader's text. Each `text(ctx)` returns a string
// whose terms are marked for the glossary ([[term]], glossary.js); `ctx` is tour.js's:
// { T, labels, ids, V, config, arch, layer, head, data(key), probs, logits, temperature, heads }.

import { pct, fmt } from '../views/format.js';
import { labelHead } from './heads.js';

/** Text from the reader, quoted so that it can never be read as a glossary mark. */
const q = (s) => `“${String(s).replace(/\[\[/g, '[\u200b[').replace(/\]\]/g, ']\u200b]')}”`;
const family = { decoder: 'a [[decoder]] (like GPT)', encoder: 'an [[encoder]] (like BERT)', encoder_decoder: 'an [[encdec|encoder-decoder]]' };

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
    title: 'Your text, through a real model',
    text: (c) => `Everything on this page is computed, live, from your text ${q(c.labels.join(''))} (${c.T} [[token|tokens]]). This tour has 15 stops; each says what to look at in these numbers. Use Next and Back (or the arrow keys), Esc to leave. Try changing the text at any stop.`,
  },
  {
    target: 'map',
    title: 'The whole model on one page',
    text: (c) => `This model is ${family[c.arch.family] ?? c.arch.family}: ${c.config.n_layer} [[layer|layers]] of ${c.config.n_head} [[head|heads]] each, carrying ${c.config.n_embd} numbers per token. Data flows from top to bottom; click any box to jump to its step.`,
  },
  {
    target: 'tokens',
    title: 'Text becomes numbers',
    text: (c) => `Your text became ${c.T} [[token|tokens]]. The first, ${q(c.labels[0])}, is number ${c.ids[0]} in a [[vocabulary]] of ${c.V}. The model never sees letters, only these ids.`,
  },
  {
    target: 'embeddings',
    title: 'A list of numbers per token',
    text: (c) => {
      const C = c.config.n_embd;
      const x = c.data('embed');
      const first = c.labels.findIndex((l, i) => c.labels.indexOf(l) !== i); // the first token seen before
      if (first < 0) return `Each token becomes an [[embedding]]: ${C} numbers, plus a signal for its [[position]]. The first token’s vector has length ${fmt(length(row(x, 0, C)), 3)}.`;
      const was = c.labels.indexOf(c.labels[first]);
      const d = length(row(x, first, C).map((v, i) => v - row(x, was, C)[i]));
      return `Each token becomes an [[embedding]] of ${C} numbers. ${q(c.labels[first])} appears at [[position|positions]] ${was} and ${first}: the same token row, but after adding the position the two vectors are ${fmt(d, 3)} apart, so the model can tell them apart.`;
    },
  },
  {
    target: 'layernorm',
    title: 'Every token brought to the same size',
    text: (c) => {
      const C = c.config.n_embd;
      const t = c.T - 1;
      const before = c.data(c.lnInputKey);
      const after = c.data(`block${c.layer}.ln1`);
      if (!before || !after) return 'The [[norm]] rescales each token’s numbers to a standard spread.';
      return `Before the [[norm]], the last token’s ${C} numbers have a spread (standard deviation) of ${fmt(std(Array.from(row(before, t, C))), 3)}; right after normalising, of 1, before the learned scale makes it ${fmt(std(Array.from(row(after, t, C))), 3)}.`;
    },
  },
  {
    target: 'head',
    title: 'One head: who looks at whom',
    text: (c) => {
      const att = c.data(`block${c.layer}.head${c.head}.att`);
      const t = c.T - 1;
      const [[j, p]] = top(att.subarray(t * c.T, (t + 1) * c.T), 1);
      return `In [[layer]] ${c.layer}, [[head]] ${c.head}, the last token ${q(c.labels[t])} gives ${pct(p)} of its [[attention]] to ${q(c.labels[j])} at position ${j}. That weight comes from a [[query]]–[[key]] [[score]], through a [[softmax]].`;
    },
  },
  {
    target: 'attention',
    title: 'Many heads, many habits',
    text: (c) => {
      let sum = 0;
      for (let l = 0; l < c.config.n_layer; l++) for (let h = 0; h < c.config.n_head; h++) sum += c.firstShare(l, h);
      const share = sum / (c.config.n_layer * c.config.n_head);
      return `Across all ${c.config.n_layer * c.config.n_head} heads, on average ${pct(share)} of a token’s attention goes to the very first token: an [[sink|attention sink]], where a head rests when nothing else matters. Click a map to study that head.`;
    },
  },
  {
    target: 'heads',
    title: 'What the heads do',
    text: (c) => {
      if (!c.heads?.length) return 'Each [[head]] gets a label from its attention on your text and on a probe.';
      const prev = bestHead(c.heads, 'previous');
      const ind = bestHead(c.heads, 'induction');
      return `Layer ${prev.layer} head ${prev.head} looks most at the previous token (${pct(prev.scores.previous)} of its attention). On the repeated random probe, layer ${ind.layer} head ${ind.head} scores ${pct(ind.scores.induction)} as an [[induction|induction head]]; ${c.heads.filter((h) => labelHead(h.scores).label !== 'mixed').length} of ${c.heads.length} heads have a clear habit.`;
    },
  },
  {
    target: 'ffn',
    title: 'The MLP thinks about each token alone',
    text: (c) => {
      const act = c.data(`block${c.layer}.ffn.act`);
      const near0 = act ? Array.from(act).filter((v) => Math.abs(v) < 0.05).length / act.length : 0;
      return `The [[mlp|MLP]] of layer ${c.layer} widens each token to ${act ? act.length / c.T : '4C'} numbers and bends them with its [[activation]]: for your text, ${pct(near0)} of them come out near zero (switched off).`;
    },
  },
  {
    target: 'residual',
    title: 'A running total per token',
    text: (c) => {
      const C = c.config.n_embd;
      const t = c.T - 1;
      const a = c.data('embed');
      const b = c.data(`block${c.config.n_layer - 1}.residual`);
      return `In the [[residual|residual stream]], every step adds to the token’s vector. The last token’s vector has length ${fmt(length(Array.from(row(a, t, C))), 3)} after the embedding and ${fmt(length(Array.from(row(b, t, C))), 3)} after the last layer.`;
    },
  },
  {
    target: 'output',
    title: 'A guess for the next token',
    text: (c) => {
      if (!c.probs) return 'The output gives every token of the vocabulary a [[probability]].';
      const best = top(c.probs, 3).map(([i, p]) => `${q(c.vocab[i])} ${pct(p)}`);
      return `After your text, the model’s top guesses are ${best.join(', ')}. Each is a [[logit]] turned into a [[probability]] by a [[softmax]].`;
    },
  },
  {
    target: 'sampling',
    title: 'Bolder or wilder',
    text: (c) => {
      if (!c.logits) return 'The [[temperature]] slider changes how the next token is picked.';
      const [[i]] = top(c.logits, 1);
      const cool = softmaxAt(c.logits, 0.5)[i];
      const warm = softmaxAt(c.logits, 1.5)[i];
      return `With [[temperature]] 0.5 the top guess ${q(c.vocab[i])} would get ${pct(cool)}; with 1.5, ${pct(warm)}. Lower is bolder, higher is wilder. [[topk|Top-k]] and [[topp|top-p]] cut off the unlikely tail. Press Generate to write on.`;
    },
  },
  {
    target: 'lens',
    title: 'Watching the answer form',
    text: (c) => `The [[logitlens|logit lens]] reads a guess out of the middle: what would the model say after ${q(c.labels[c.T - 1])} if it stopped after each of its ${c.config.n_layer} layers?`,
  },
  {
    target: 'ablation',
    title: 'Switch a part off',
    text: (c) => {
      const prev = bestHead(c.heads, 'previous');
      const which = prev ? `layer ${prev.layer} head ${prev.head} (the previous-token head)` : 'a head';
      return `[[ablation|Ablation]]: switch off ${which} and watch the next-token [[probability]] change. A big change means the model relied on it.`;
    },
  },
  {
    target: 'rnn',
    title: 'What it costs, and why not an RNN',
    text: (c) => {
      const { n_embd: C } = c.config;
      const attn = 2 * c.T * c.T * C;
      const dense = 24 * c.T * C * C;
      return `For your ${c.T} tokens, comparing every token with every other costs about ${fmt(attn, 3)} [[flops|FLOPs]] per layer, against ${fmt(dense, 3)} for the layer’s matrix products. An [[rnn|RNN]] would need ${c.T} steps one after another; attention does them all at once. That ends the tour: open the Glossary or switch to Plain words any time.`;
    },
  },
];
