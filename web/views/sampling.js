// Which tokens the sampler may draw and which rule leaves each of the others out: greedy
// (τ = 0), top-k, then top-p, in the order the engine applies them (crates/playground-core/src/
// sample.rs sampling_probabilities, mirrored here in the same float32 and float64 steps). A
// token the rules keep can still get a probability of 0: at a low τ its share is below what
// float32 holds, or so small that the kept mass already sums to 1 in float64 before it (the
// engine's nucleus walk then stops even with top-p off). It is counted apart, as what it is,
// not as a rule.

import { descendingPrefix } from './rank.js';

/**
 * @param {Float32Array} logits (V)
 * @param {Float32Array} probs (V) the distribution the engine draws from
 * @param {{ temperature: number, topK: number, topP: number }} params
 * @returns {{ V: number, greedy: number, byTopK: number, byTopP: number, drawable: number, zero: number }}
 *   greedy, byTopK, byTopP: tokens each rule leaves out (none counted twice); drawable: the others;
 *   zero: those of them whose probability is 0 in float32
 */
export function samplingRules(logits, probs, { temperature, topK, topP }) {
  const V = logits.length;
  const counts = { V, greedy: 0, byTopK: 0, byTopP: 0, drawable: V, zero: 0 };
  if (temperature === 0) return { ...counts, greedy: V - 1, drawable: 1 };
  const k = topK === 0 ? V : Math.min(topK, V);
  let max = -Infinity;
  for (let i = 0; i < V; i++) max = Math.max(max, logits[i]);
  const tau = Math.fround(temperature);
  const e = new Float64Array(V); // as the engine: f32 steps, then exp in f64, summed in id order
  let total = 0;
  for (let i = 0; i < V; i++) {
    e[i] = Math.exp(Math.fround(Math.fround(logits[i] - max) / tau));
    total += e[i];
  }
  const p = Math.fround(topP);
  // only the ranks the rules reach are ordered (a sort of every token is too slow at V = 262,144)
  let order = null;
  let kept = k;
  if (p < 1) {
    for (let m = Math.min(k, 1024); ; m = Math.min(k, m * 16)) {
      order = descendingPrefix(logits, m);
      const reach = Math.min(k, order.length);
      let mass = 0;
      let reached = false;
      for (kept = 0; kept < reach && !reached; kept++) {
        mass += e[order[kept]] / total;
        reached = mass >= p;
      }
      if (reached || kept === k) break;
    }
  } else if (k < V) {
    order = descendingPrefix(logits, k);
  }
  const byTopP = k - kept; // top-p off: the walk stops at a mass of 1, and the rest is 0 by rounding
  const drawable = kept;
  let zero = 0;
  for (let r = 0; r < drawable; r++) if (probs[order ? order[r] : r] === 0) zero++;
  return { ...counts, byTopK: V - k, byTopP, drawable, zero };
}
