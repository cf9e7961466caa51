// Which tokens the sampler may draw and which rule leaves each of the others out: greedy
// (τ = 0), top-k, then top-p, in the order the engine applies them (crates/playground-core/src/
// sample.rs sampling_probabilities, mirrored here in the same float32 and float64 steps). A
// token the rules keep can still get a probability of 0: at a low τ its share is below what
// float32 holds, or so small that the kept mass already sums to 1 in float64 before it (the
// engine's nucleus walk then stops even with top-p off). It is counted apart, as what it is,
// not as a rule.

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
  const order = [...logits.keys()].sort((a, b) => logits[b] - logits[a] || a - b); // highest first, ties to the lower id
  const counts = { V, greedy: 0, byTopK: 0, byTopP: 0, drawable: V, zero: 0 };
  if (temperature === 0) return { ...counts, greedy: V - 1, drawable: 1 };
  const k = topK === 0 ? V : Math.min(topK, V);
  const max = logits[order[0]];
  const tau = Math.fround(temperature);
  const e = order.map((i) => Math.exp(Math.fround(Math.fround(logits[i] - max) / tau))); // as the engine: f32 steps, then exp in f64
  const total = e.reduce((a, b) => a + b, 0);
  const p = Math.fround(topP);
  let kept = 0;
  let mass = 0;
  while (kept < k) {
    mass += e[kept] / total;
    kept += 1;
    if (mass >= p) break;
  }
  const byTopP = p < 1 ? k - kept : 0; // top-p off: the walk stopped at a mass of 1, and the rest is 0 by rounding
  const zero = order.slice(0, k - byTopP).filter((i) => probs[i] === 0).length;
  return { ...counts, byTopK: V - k, byTopP, drawable: k - byTopP, zero };
}
