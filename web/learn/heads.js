// What heads do: each head's attention scored against simple patterns, and a label from the
// best. On the reader's text: previous token, first token (the attention sink), self, and how
// broad its rows are; on a probe (a random sequence of tokens, then the same sequence again):
// induction, attention from each token of the repeat to the token that followed its earlier
// copy. Maps are (T, T) row-major, row = query, each row summing to 1 over the keys it sees.

export const PATTERNS = ['previous', 'first', 'self', 'induction', 'broad'];
export const LABEL_AT = 0.4; // a pattern's mean weight from which it names the head
export const BROAD_AT = 0.75; // normalised entropy from which a head without a pattern is "broad"
const PROBE_SEED = 1234;
const PROBE_MAX = 24; // tokens in the probe's random half, at most

/** Mean over rows t ≥ from of A[t][key(t)]. */
function meanAt(att, T, from, key) {
  let s = 0;
  let n = 0;
  for (let t = from; t < T; t++) {
    s += att[t * T + key(t)];
    n++;
  }
  return n ? s / n : 0;
}

/**
 * Mean normalised entropy of the rows with at least two visible keys: 1 when a row spreads
 * evenly over every key it sees, 0 when it looks at one.
 * @param {boolean} causal row t sees keys 0..t
 */
export function broadness(att, T, causal) {
  let s = 0;
  let n = 0;
  for (let t = 0; t < T; t++) {
    const seen = causal ? t + 1 : T;
    if (seen < 2) continue;
    let h = 0;
    for (let j = 0; j < seen; j++) {
      const p = att[t * T + j];
      if (p > 0) h -= p * Math.log(p);
    }
    s += h / Math.log(seen);
    n++;
  }
  return n ? s / n : 0;
}

/** Scores of the patterns seen on the reader's text (a (T, T) map; T ≥ 2). */
export function textScores(att, T, causal) {
  return {
    previous: meanAt(att, T, 1, (t) => t - 1),
    first: meanAt(att, T, 1, () => 0), // row 0 of a causal map can only look at itself
    self: meanAt(att, T, 1, (t) => t),
    broad: broadness(att, T, causal),
  };
}

/**
 * The induction score on the probe: a map over [r₀ … r_{n−1}, r₀ … r_{n−1}]. Token t of the
 * repeat (t ≥ n) saw its own earlier copy at t − n, and the token after it at t − n + 1.
 */
export function inductionScore(att, n) {
  const T = 2 * n;
  return meanAt(att, T, n, (t) => t - n + 1);
}

/**
 * A head's label from its scores: the strongest of previous, first, self and induction when it
 * reaches LABEL_AT; else "broad" when its rows are spread out; else "mixed".
 * @returns {{ label: string, score: number, pattern: string }} pattern: what `score` measures
 */
export function labelHead(scores) {
  let best = { label: 'mixed', score: 0, pattern: 'previous' };
  for (const p of ['previous', 'first', 'self', 'induction']) if (scores[p] > best.score) best = { label: p, score: scores[p], pattern: p };
  if (best.score >= LABEL_AT) return best;
  if (scores.broad >= BROAD_AT) return { label: 'broad', score: scores.broad, pattern: 'broad' };
  return { ...best, label: 'mixed' };
}

/**
 * The probe's token ids: n random ids (seeded, no repeats where the vocabulary allows), then the
 * same n again. n fits the context: at most PROBE_MAX and half the block size.
 * @param {number} vocabSize
 * @param {number} blockSize
 * @param {(id: number) => boolean} [usable] ids the probe may use (printable characters, say)
 */
export function probeIds(vocabSize, blockSize, usable = () => true) {
  const ids = Array.from({ length: vocabSize }, (_, i) => i).filter(usable);
  const n = Math.min(PROBE_MAX, Math.floor(blockSize / 2), ids.length);
  let state = PROBE_SEED;
  const random = () => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0; // a 32-bit LCG: the same probe every time
    return state / 2 ** 32;
  };
  for (let i = ids.length - 1; i > 0; i--) { // Fisher–Yates
    const j = Math.floor(random() * (i + 1));
    [ids[i], ids[j]] = [ids[j], ids[i]];
  }
  const half = ids.slice(0, n);
  return { n, ids: [...half, ...half] };
}
