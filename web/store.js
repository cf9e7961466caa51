// The page's state in one place (tensorflow/playground keeps its state the same way): a plain
// object that changes only through `update`, so every change is a line that says what changed.

/**
 * @template {object} S
 * @param {S} initial
 * @returns {{ get: () => S, update: (changes: Partial<S>) => S }}
 *   get: the current state (treat it as read-only); update: a new state with `changes` applied
 */
export function createStore(initial) {
  let state = Object.freeze({ ...initial });
  return {
    get: () => state,
    update(changes) {
      state = Object.freeze({ ...state, ...changes });
      return state;
    },
  };
}
