// What an encoder shows while it trains, in place of a decoder's samples: for a masked LM,
// one fixed example with some tokens hidden and its top guesses for each; for a [CLS]
// classifier, fixed bracket strings with the class probabilities it gives them. No DOM.

import { traceText } from '../trace.js';

export const MASK_CHAR = '\u2588'; // █, the engine's [MASK] (crates/playground-core/src/data/mlm.rs)
export const CLS_CHAR = '\u25B6'; // ▶, the engine's [CLS] (data/classify.rs)
const MASK_RATE = 0.15; // BERT's share of hidden positions, as in training
const TOP = 3; // guesses shown per hidden position
/** The classifier's fixed examples: balanced, then the same with a closing bracket turned into an opening one, as in training. */
export const CLASSIFY_EXAMPLES = ['([]{})', '([]{(', '{[()]}', '{[()[}', '[]()', '[[()'];

/**
 * Positions of `n` tokens to hide: about 15%, at least one, chosen by `seed` (the same every
 * evaluation of a run, so the guesses can be compared as it learns).
 */
export function maskPositions(n, seed) {
  let x = (seed * 2654435761 + 12345) >>> 0;
  const next = () => { x = (Math.imul(x, 1664525) + 1013904223) >>> 0; return x / 2 ** 32; };
  const picked = [];
  for (let i = 0; i < n; i++) if (next() < MASK_RATE) picked.push(i);
  if (!picked.length && n > 0) picked.push(Math.floor(next() * n));
  return picked;
}

/** Whether every closing bracket matches the most recent unclosed opening one. */
export function balanced(s) {
  const stack = [];
  const pairs = { ')': '(', ']': '[', '}': '{' };
  for (const ch of s) {
    if ('([{'.includes(ch)) stack.push(ch);
    else if (stack.pop() !== pairs[ch]) return false;
  }
  return stack.length === 0;
}

/**
 * The masked LM's guesses: `text` with about 15% of its tokens replaced by [MASK], and for each
 * hidden position its `TOP` most likely tokens.
 * @returns {Promise<{ kind: 'mlm', tokens: string[], hidden: { position: number, truth: string, top: { token: string, p: number }[] }[] }|null>}
 */
export async function predictMasked(engine, text, seed) {
  const { ids } = await engine.encode(text);
  const mask = engine.vocab.indexOf(MASK_CHAR);
  if (ids.length === 0 || mask < 0) return null;
  const input = Uint32Array.from(ids);
  const positions = maskPositions(ids.length, seed);
  for (const i of positions) input[i] = mask;
  const out = await engine.forward(input, ['probs']);
  const v = engine.config.vocab_size;
  const probs = out.probs.data;
  const hidden = positions.map((position) => {
    const row = Array.from(probs.subarray(position * v, (position + 1) * v), (p, id) => ({ token: engine.vocab[id], p }));
    row.sort((a, b) => b.p - a.p);
    return { position, truth: engine.vocab[ids[position]], top: row.filter((g) => g.token !== MASK_CHAR).slice(0, TOP) }; // [MASK] is never an answer
  });
  return { kind: 'mlm', tokens: Array.from(input, (id) => engine.vocab[id]), hidden };
}

/**
 * The classifier's verdicts on CLASSIFY_EXAMPLES, each as its training rows are: [CLS], the
 * string, newlines up to the context.
 * @returns {Promise<{ kind: 'cls', classes: string[], rows: { text: string, label: number, probs: number[] }[] }>}
 */
export async function classifyExamples(engine, classes) {
  const t = engine.config.block_size;
  const k = engine.config.n_classes;
  const rows = [];
  for (const s of CLASSIFY_EXAMPLES) {
    const row = (CLS_CHAR + s).padEnd(t, '\n').slice(0, t);
    const { trace } = await traceText(engine, row, { keys: ['cls_probs'] });
    rows.push({ text: s, label: balanced(s) ? 1 : 0, probs: Array.from(trace.cls_probs.data.subarray(0, k)) });
  }
  return { kind: 'cls', classes, rows };
}
