// From a trace to what each view draws. `traceKeys` lists the keys that the page's views (or
// some of them: a widget shows one) need for the chosen layer and head, so one forward call
// asks for all of them; `viewData` slices the trace into the plain objects that the views'
// update() methods take.

import { tokenLabel } from './views/format.js';

/** The key of block `layer`'s input: the embeddings for block 0, else the previous block's output. */
function blockInputKey(layer) {
  return layer === 0 ? 'embed' : `block${layer - 1}.residual`;
}

const HEAD_PARTS = ['q', 'k', 'v', 'scores', 'att', 'out'];

/**
 * The architecture of a ModelConfig as the engine reports it (fields at GPT-2's values are left
 * out of its JSON, so absent means GPT-2's choice).
 */
export function architecture(config) {
  return {
    norm: config.norm ?? 'layer_norm',
    post: (config.norm_position ?? 'pre') === 'post',
    positions: config.positions ?? 'learned',
    ffn: config.ffn ?? 'gelu',
    tied: config.tie_head ?? true,
  };
}

/** What the first norm of block `layer` reads: the block input (pre-norm) or input + attention (post-norm). */
function ln1InputKey(config, layer) {
  return architecture(config).post ? `block${layer}.res1` : blockInputKey(layer);
}

/** What attention reads: ln1 (pre-norm) or the block input itself (post-norm). */
function attnInputKey(config, layer) {
  return architecture(config).post ? blockInputKey(layer) : `block${layer}.ln1`;
}

/** The trace keys each view draws, for the chosen `layer` and `head`. */
const VIEW_KEYS = {
  tokens: () => [],
  // a rotary model adds no position vectors (the engine refuses embed.pos)
  embeddings: (config) => (architecture(config).positions === 'rotary' ? ['embed.tok', 'embed'] : ['embed.tok', 'embed.pos', 'embed']),
  layernorm: (config, layer) => [ln1InputKey(config, layer), `block${layer}.ln1`],
  head: (config, layer, head) => [
    attnInputKey(config, layer),
    ...HEAD_PARTS.map((p) => `block${layer}.head${head}.${p}`),
    `block${layer}.attn.concat`, `block${layer}.attn.proj`, `block${layer}.res1`,
  ],
  attention: (config) =>
    Array.from({ length: config.n_layer }, (_, l) => Array.from({ length: config.n_head }, (_, h) => `block${l}.head${h}.att`)).flat(),
  ffn: (config, layer) => [`block${layer}.ffn.pre`, `block${layer}.ffn.act`],
  residual: (config) => residualStages(config.n_layer).map((s) => s.key),
  output: () => ['logits', 'probs'],
};

/** Every view of the page, in the order the data flows. */
export const TRACE_VIEWS = Object.keys(VIEW_KEYS);

/**
 * The trace keys the given views need for `layer` and `head` (one forward call asks for all of them).
 * @param {{ n_layer: number, n_head: number }} config
 * @param {number} layer
 * @param {number} head
 * @param {string[]} [views] names from TRACE_VIEWS; all of them by default
 * @returns {string[]}
 */
export function traceKeys(config, layer, head, views = TRACE_VIEWS) {
  return [...new Set(views.flatMap((v) => VIEW_KEYS[v](config, layer, head)))];
}

/** The first `h` columns of every row of a (T, 2h) matrix: SwiGLU's gate. */
function gateHalf(data, T, h) {
  const out = new Float32Array(T * h);
  for (let t = 0; t < T; t++) out.set(data.subarray(t * 2 * h, t * 2 * h + h), t * h);
  return out;
}

/** Euclidean length of every row of a rows×cols matrix. */
export function rowNorms(data, rows, cols) {
  const out = new Float32Array(rows);
  for (let r = 0; r < rows; r++) {
    let s = 0;
    for (let c = 0; c < cols; c++) s += data[r * cols + c] ** 2;
    out[r] = Math.sqrt(s);
  }
  return out;
}

/** The residual stream's stages (short names) and the keys they are read from. */
export function residualStages(nLayer) {
  const stages = [{ name: 'X₀', key: 'embed' }];
  for (let l = 0; l < nLayer; l++) stages.push({ name: `+attn ${l}`, key: `block${l}.res1` }, { name: `+MLP ${l}`, key: `block${l}.residual` });
  return stages;
}

/**
 * Slices a trace into each view's data.
 * @param {Record<string, {shape: number[], data: Float32Array}>} trace engine.forward's result, with traceKeys(…, views)
 * @param {{ config: object, vocab: string[], layer: number, head: number, input: object, tokenizer?: string }} ctx
 *   tokenizer: 'gpt2' for GPT-2's byte-level BPE, else characters
 * @param {string[]} [views] the views to slice for (names from TRACE_VIEWS); all of them by default
 * @returns {Record<string, object>} view name → the data its update() takes
 */
export function viewData(trace, { config, vocab, layer, head, input, tokenizer = 'char' }, views = TRACE_VIEWS) {
  const T = input.ids.length;
  const C = config.n_embd;
  const NH = config.n_head;
  const HS = C / NH;
  const V = vocab.length;
  const labels = input.labels.map(tokenLabel);
  const get = (key) => trace[key].data;
  const arch = architecture(config);
  const b = `block${layer}`;
  const h = `${b}.head${head}`;
  const lastRow = (key) => get(key).slice(-V); // (V): the whole (T, V), or its last row alone (traceText's lastRowOf)
  const slicers = {
    tokens: () => ({ items: input.items, hiddenBefore: input.hiddenBefore, ids: Array.from(input.ids), vocab, blockSize: config.block_size, tokenizer }),
    embeddings: () => ({
      labels, T, C, V, blockSize: config.block_size, arch,
      tok: get('embed.tok'), pos: arch.positions === 'rotary' ? null : get('embed.pos'), sum: get('embed'),
    }),
    layernorm: () => ({ labels, T, C, layer, arch, input: get(ln1InputKey(config, layer)), output: get(`${b}.ln1`) }),
    head: () => ({
      labels, T, C, NH, HS, layer, head, arch, causal: config.family !== 'encoder',
      x: get(attnInputKey(config, layer)), q: get(`${h}.q`), k: get(`${h}.k`), v: get(`${h}.v`),
      scores: get(`${h}.scores`), att: get(`${h}.att`), out: get(`${h}.out`),
      concat: get(`${b}.attn.concat`), proj: get(`${b}.attn.proj`), res1: get(`${b}.res1`),
    }),
    attention: () => ({
      labels, T, layer, head, causal: config.family !== 'encoder', // an encoder's tokens see both sides
      maps: Array.from({ length: config.n_layer }, (_, l) => Array.from({ length: NH }, (_, hh) => get(`block${l}.head${hh}.att`))),
    }),
    ffn: () => {
      // SwiGLU's ffn.pre is (T, 2H): the gate half is what the curve applies to
      const F = trace[`${b}.ffn.act`].shape[1];
      const pre = arch.ffn === 'swi_glu' ? gateHalf(get(`${b}.ffn.pre`), T, F) : get(`${b}.ffn.pre`);
      return { labels, T, C, F, layer, ffn: arch.ffn, norm: arch.norm, post: arch.post, pre, act: get(`${b}.ffn.act`) };
    },
    residual: () => {
      const stages = residualStages(config.n_layer);
      const norms = new Float32Array(stages.length * T);
      stages.forEach((s, i) => norms.set(rowNorms(get(s.key), T, C), i * T));
      return { labels, T, C, stages: stages.map((s) => s.name), norms };
    },
    output: () => ({ vocab, text: input.labels.join(''), position: T - 1, C, logits: lastRow('logits'), probs: lastRow('probs') }),
  };
  return Object.fromEntries(views.map((v) => [v, slicers[v]()]));
}
