// Ranking a vocabulary's numbers without sorting every token: the views show the few likeliest
// tokens and a strip of all of them, and a vocabulary can hold 262,144 tokens.

/**
 * The ids of the `k` largest values, largest first; ties go to the lower id (the order the
 * sampler uses). One pass with a short sorted list: no array of every id.
 * @param {ArrayLike<number>} values (V)
 * @param {number} k
 * @returns {number[]}
 */
export function topIds(values, k) {
  const top = [];
  for (let id = 0; id < values.length; id++) {
    const v = values[id];
    if (top.length === k && !(v > values[top[k - 1]])) continue;
    let at = Math.min(top.length, k - 1);
    while (at > 0 && v > values[top[at - 1]]) at--;
    top.splice(at, 0, id);
    if (top.length > k) top.pop();
  }
  return top;
}

/**
 * `n` of `values` (probabilities: finite and not negative) by rank, largest first: entry i is
 * the value ranked ⌊i·V/n⌋, exactly where V ≤ EXACT_UNDER (a sort), else to within 0.4 % (the
 * bucket of its float's top 16 bits: one pass and 65,536 counts instead of a sort of V values,
 * which took 50 ms at V = 262,144).
 * @param {ArrayLike<number>} values (V)
 * @param {number} n
 * @returns {Float32Array} (min(n, V))
 */
export function byRank(values, n) {
  const V = values.length;
  const out = new Float32Array(Math.min(n, V));
  if (V <= EXACT_UNDER) {
    const sorted = Float32Array.from(values).sort().reverse();
    for (let i = 0; i < out.length; i++) out[i] = sorted[Math.floor((i * V) / out.length)];
    return out;
  }
  const bits = new Uint32Array(Float32Array.from(values).buffer); // a non-negative float's bits order as the float
  const counts = new Uint32Array(1 << 16);
  for (let i = 0; i < V; i++) counts[bits[i] >>> 16]++;
  const middle = new Float32Array(new Uint32Array(1).buffer);
  const middleBits = new Uint32Array(middle.buffer);
  let rank = 0; // values in the buckets above
  let i = 0;
  for (let b = counts.length - 1; b >= 0 && i < out.length; b--) {
    if (counts[b] === 0) continue;
    middleBits[0] = (b << 16) | 0x8000;
    while (i < out.length && Math.floor((i * V) / out.length) < rank + counts[b]) out[i++] = middle[0];
    rank += counts[b];
  }
  return out;
}

const EXACT_UNDER = 16_384; // values: fewer are sorted (a millisecond)

/**
 * Ids in descending order of `values` (ties to the lower id, the sampler's order), at least the
 * first `m` of them: those in the top buckets of 16 bits of their float that hold `m` or more,
 * sorted. Every id left out ranks below every id returned, so the prefix is exact.
 * @param {ArrayLike<number>} values (V) finite
 * @param {number} m
 * @returns {Uint32Array} (≥ min(m, V))
 */
export function descendingPrefix(values, m) {
  const V = values.length;
  const bits = new Uint32Array(Float32Array.from(values).buffer);
  const bucket = (u) => (u & 0x80000000 ? ~u : u | 0x80000000) >>> 16; // a float's bits, in the float's order
  const counts = new Uint32Array(1 << 16);
  for (let i = 0; i < V; i++) {
    if (bits[i] === 0x80000000) bits[i] = 0; // −0 as +0: they compare equal
    counts[bucket(bits[i])]++;
  }
  let from = counts.length - 1;
  for (let held = counts[from]; held < m && from > 0; ) held += counts[--from];
  const ids = [];
  for (let i = 0; i < V; i++) if (bucket(bits[i]) >= from) ids.push(i);
  return Uint32Array.from(ids.sort((a, b) => values[b] - values[a] || a - b));
}
