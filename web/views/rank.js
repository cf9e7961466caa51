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
 * A copy of `values` from the largest to the smallest (a typed array's numeric sort: fast for V
 * in the hundreds of thousands).
 * @param {ArrayLike<number>} values
 * @returns {Float32Array}
 */
export function descending(values) {
  return Float32Array.from(values).sort().reverse();
}
