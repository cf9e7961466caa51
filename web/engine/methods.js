// The engine's methods, listed once. The worker (engine/worker.js) runs each on the wasm engine
// that a handle names; the client (engine/client.js) binds every name to a handle. A method
// added here is callable from the page as `engine.name(...)` with nothing else to write.
// Arguments cross the worker boundary as the page gives them (arrays or typed arrays, numbers,
// plain objects); each entry turns them into what the wasm engine takes.

const ids = (x) => Uint32Array.from(x);

/**
 * @param {{ samplingProbabilities: Function }|null} Playground the wasm engine's class (its static
 *   methods); the worker passes it, the client needs only the names (engineMethodNames)
 * @returns {Record<string, (pg: object, ...args: any[]) => any>} pg: the wasm engine
 */
export function engineMethods(Playground) {
  return {
    /** `{ ids: Uint32Array, unknown: [{ position, char }] }`: unknown characters are named, not fatal. */
    encode: (pg, text) => pg.encode(text),
    decode: (pg, tokens) => pg.decode(ids(tokens)),
    /** `{ [key]: { shape, axes, data: Float32Array } }` for every trace key asked for. */
    forward: (pg, tokens, keys) => pg.forward(ids(tokens), keys),
    /** What a view update needs, in one round trip: see traceText below. */
    trace: (pg, text, request) => traceText(Playground, pg, text, request),
    sample: (pg, logits, temperature, topK, topP) => pg.sample(logits, temperature, topK, topP),
    setSeed: (pg, seed) => pg.setSeed(BigInt(seed)),
    generate: (pg, prompt, n, temperature, topK, topP) => pg.generate(ids(prompt), n, temperature, topK, topP),
    setData: (pg, data, seed) => pg.setData(data, BigInt(seed)),
    /**
     * `optimizer`: AdamW state bytes to continue from, or null/undefined for a fresh one. Resolves
     * to what the launches are sized for (`kernelsFor`, after a GPU's launch tuning), null on the CPU.
     */
    startTraining: async (pg, config, optimizer) => {
      await pg.startTraining(config, optimizer ?? undefined);
      return pg.kernelsFor() ?? null;
    },
    trainSteps: (pg, n) => pg.trainSteps(n),
    evaluate: (pg, batches) => pg.evaluate(batches),
    step: (pg) => pg.step(),
    /** The GPU the launches are sized for ("an unknown GPU (assumed mid-size)"), and whether timing chose it; null on the CPU engine. */
    kernelsFor: (pg) => pg.kernelsFor() ?? null,
    /** Test hook: times the launch plans now, even on a CPU-emulated adapter: `{ kept, msPerStep, steps, plans }`. */
    tuneLaunches: (pg) => pg.tuneLaunches(),
    exportCheckpoint: (pg) => pg.exportCheckpoint(),
    exportOptimizer: (pg) => pg.exportOptimizer(),
    /** Test hook: 'nan' poisons a weight, 'device-lost' destroys the GPU device. */
    injectFault: (pg, kind) => pg.injectFault(kind),
    /** Encoder-decoder only: `source` run with teacher forcing and step by step, and its cross-attention. */
    translate: (pg, source) => pg.translate(source),
    /** The next training batch's forward and backward trace of block `layer` (CPU reference). */
    backwardTrace: (pg, layer) => pg.backwardTrace(layer),
    /** Gradient norms and AdamW update sizes per parameter tensor, for the last step. */
    gradStats: (pg) => pg.gradStats(),
    logitLens: (pg, tokens, k) => pg.logitLens(ids(tokens), k),
    /** { heads: [[layer, head]], layers: [layer] }; {} switches everything back on. */
    setAblation: (pg, spec) => pg.setAblation(spec),
  };
}

/** The names of the engine's methods. */
export const engineMethodNames = () => Object.keys(engineMethods(null));

/** Elements of a (T, V) trace tensor past which a `lastRowOf` key keeps its last row only (8 MB). */
export const LAST_ROW_OVER = 2 ** 21;

/**
 * One round trip for a view update: `text` encoded, its last block_size tokens run forward with
 * `keys`, and the distribution the next token is drawn from after the last of them.
 * @param {{ keys: string[], sampling?: { temperature: number, topK: number, topP: number }|null, lastRowOf?: string[] }} request
 *   sampling: also compute softmax(logits / τ) after top-k and top-p (the logits are read back for it);
 *   lastRowOf: keys (T, V) of which the caller reads the last position only: past LAST_ROW_OVER
 *   elements (a large vocabulary) only that row crosses to the page, shape [1, V]
 * @returns {Promise<{ ids: Uint32Array, unknown: { position: number, char: string }[],
 *   groups: { first: number, len: number, text: string, complete: boolean }[],
 *   trace: Record<string, { shape: number[], data: Float32Array }>|null, sampling: Float32Array|null }>}
 *   ids: every token of the text, the window's and those before it; groups: a subword model's
 *   ids in runs that spell whole characters (中 held by two byte-level tokens), empty for a
 *   character model; trace: null when there is no token, {} when nothing was asked for (the
 *   text is only encoded)
 */
async function traceText(Playground, pg, text, { keys, sampling = null, lastRowOf = [] }) {
  const { ids: all, unknown } = pg.encode(text);
  const groups = pg.tokenGroups(all);
  if (all.length === 0) return { ids: all, unknown, groups, trace: null, sampling: null };
  const wanted = sampling && !keys.includes('logits') ? [...keys, 'logits'] : keys;
  if (wanted.length === 0) return { ids: all, unknown, groups, trace: {}, sampling: null };
  const window = all.slice(Math.max(0, all.length - pg.config().block_size)); // (T)
  const trace = await pg.forward(window, wanted);
  const probs = sampling ? Playground.samplingProbabilities(lastRow(trace.logits), sampling.temperature, sampling.topK, sampling.topP) : null;
  for (const key of lastRowOf) {
    if (trace[key]?.data.length > LAST_ROW_OVER) trace[key] = { ...trace[key], shape: [1, trace[key].shape[1]], data: lastRow(trace[key]) };
  }
  return { ids: all, unknown, groups, trace, sampling: probs };
}

/** The last row of a (T, V) trace tensor. */
const lastRow = ({ shape, data }) => data.slice((shape[0] - 1) * shape[1]); // (V)
