// From a trace to what each view draws. The engine names the keys: its `steps` (engine/worker.js,
// from the model's description in playground-core's trace_steps.rs) list each stack's blocks
// and sublayers with the keys of their inputs, norms, heads and outputs. `traceKeys` picks those
// that the page's views (or some of them: a widget shows one) need for the chosen layer and
// head, so one forward call asks for all of them; `viewData` slices the trace into the plain
// objects that the views' update() methods take.

import { tokenLabel } from './views/format.js';

/** The stack of the one token stream the views show (a decoder's or an encoder's). */
const stream = (model) => model.steps.stacks[0];

/** Block `layer`'s self-attention sublayer and its FFN (the engine's steps, see trace_steps.rs). */
const selfAttention = (model, layer) => stream(model).blocks[layer].find((s) => s.op === 'causal' || s.op === 'bidirectional');
const feedForward = (model, layer) => stream(model).blocks[layer].find((s) => s.op === 'ffn');

/** The key of head `head`'s attention weights in block `layer` of the token stream. */
export const attentionKey = (model, layer, head) => selfAttention(model, layer).heads[head].att;

/** A head's keys in the order the head view draws them. */
const headKeys = (h) => [h.q, h.k, h.v, h.scores, h.att, h.out];

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
    // 'all' (GPT-2), 'qkv_only' (Qwen2: queries, keys and values only) or 'none' (Llama)
    bias: config.linear_bias ?? 'all',
  };
}

/**
 * The select parameters that make a view's words follow the loaded model rather than the toy
 * GPT: its final norm, output head, biases and what one token is.
 * @param {object} config the engine's ModelConfig
 * @param {string} tokenizer 'char', or 'gpt2' / 'hub' for subword tokens
 * @returns {{ norm: 'rms'|'layer', tied: 'yes'|'no', qkvBias: 'yes'|'no', bias: 'yes'|'no', unit: 'token'|'character', ffn: 'gelu'|'relu'|'glu' }}
 *   qkvBias: the query, key and value projections have biases; bias: every other Linear has
 */
export function modelWords(config, tokenizer) {
  const arch = architecture(config);
  const yes = (b) => (b ? 'yes' : 'no');
  return {
    norm: arch.norm === 'rms_norm' ? 'rms' : 'layer',
    tied: yes(arch.tied),
    qkvBias: yes(arch.bias !== 'none'),
    bias: yes(arch.bias === 'all'),
    unit: tokenizer !== 'char' ? 'token' : 'character',
    ffn: arch.ffn === 'swi_glu' ? 'glu' : arch.ffn, // a select case: letters only
  };
}

/** What block `layer`'s first norm reads (the block input when pre-norm, input + attention when post-norm). */
export const normInputKey = (model, layer) => selfAttention(model, layer).normInput;

/** Block `layer`'s first norm's output (its `ln1`). */
export const normKey = (model, layer) => selfAttention(model, layer).norm;

/** Block `layer`'s feed-forward activation: the curve's output. */
export const activationKey = (model, layer) => feedForward(model, layer).act;

/** The residual stream leaving block `layer`: its last sublayer's output. */
export const blockOutputKey = (model, layer) => stream(model).blocks[layer].at(-1).output;

/**
 * The forward values of block `layer` (head `head`'s of them) that a backward trace pairs with
 * their gradients, by the role each plays in the block: the engine's backward trace holds each
 * key and, under `gradKey(key)`, its gradient (playground-core's grad_trace.rs).
 * @returns {{ ln1: string, q: string, k: string, v: string, scores: string, att: string, out: string, res1: string,
 *   ln2: string, pre: string, act: string, residual: string }}
 */
export function backwardKeys(model, layer, head) {
  const a = selfAttention(model, layer);
  const f = feedForward(model, layer);
  const { q, k, v, scores, att, out } = a.heads[head];
  return { ln1: a.norm, q, k, v, scores, att, out, res1: a.sum, ln2: f.norm, pre: f.pre, act: f.act, residual: f.output };
}

/** The key of a forward value's gradient in a backward trace. */
export const gradKey = (key) => `grad.${key}`;

/** The trace keys each view draws, for the chosen `layer` and `head`; `model`: the engine (its config and steps). */
const VIEW_KEYS = {
  tokens: () => [],
  // a rotary model adds no position vectors (its steps name no embedPos)
  embeddings: (model) => [stream(model).embedTok, stream(model).embedPos, stream(model).embed].filter(Boolean),
  layernorm: (model, layer) => [selfAttention(model, layer).normInput, selfAttention(model, layer).norm],
  head: (model, layer, head) => {
    const a = selfAttention(model, layer);
    return [a.opInput, ...headKeys(a.heads[head]), a.concat, a.out, a.sum];
  },
  attention: (model) => stream(model).blocks.flatMap((_, l) => selfAttention(model, l).heads.map((h) => h.att)),
  ffn: (model, layer) => [feedForward(model, layer).pre, feedForward(model, layer).act],
  residual: (model) => residualStages(model).map((s) => s.key),
  output: (model) => [model.steps.logits, model.steps.probs],
};

/** Every view of the page, in the order the data flows. */
export const TRACE_VIEWS = Object.keys(VIEW_KEYS);

/**
 * The trace keys the given views need for `layer` and `head` (one forward call asks for all of them).
 * @param {{ config: object, steps: object }} model the engine: its config and its steps (engine/worker.js)
 * @param {number} layer
 * @param {number} head
 * @param {string[]} [views] names from TRACE_VIEWS; all of them by default
 * @returns {string[]}
 */
export function traceKeys(model, layer, head, views = TRACE_VIEWS) {
  return [...new Set(views.flatMap((v) => VIEW_KEYS[v](model, layer, head)))];
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

const STAGE_NAMES = { causal: 'attn', bidirectional: 'attn', cross: 'cross', ffn: 'MLP' };

/** The residual stream's stages (short names) and the keys they are read from: the embeddings, then each sublayer's output. */
export function residualStages(model) {
  const { embed, blocks } = stream(model);
  return [{ name: 'X₀', key: embed }, ...blocks.flatMap((subs, l) => subs.map((s) => ({ name: `+${STAGE_NAMES[s.op]} ${l}`, key: s.output })))];
}

/**
 * Slices a trace into each view's data.
 * @param {Record<string, {shape: number[], data: Float32Array}>} trace engine.forward's result, with traceKeys(…, views)
 * @param {{ config: object, steps: object, vocab: string[], layer: number, head: number, input: object, tokenizer?: string }} ctx
 *   config and steps: the engine's; tokenizer: 'gpt2' or 'hub' for subword tokens (GPT-2's byte-level BPE, a Hugging Face model's), 'char' for characters
 * @param {string[]} [views] the views to slice for (names from TRACE_VIEWS); all of them by default
 * @returns {Record<string, object>} view name → the data its update() takes
 */
export function viewData(trace, { config, steps, vocab, layer, head, input, tokenizer = 'char' }, views = TRACE_VIEWS) {
  const T = input.ids.length;
  const C = config.n_embd;
  const NH = config.n_head;
  const HS = C / NH;
  const V = vocab.length;
  const labels = input.labels.map(tokenLabel);
  const get = (key) => trace[key].data;
  const arch = architecture(config);
  const words = modelWords(config, tokenizer);
  const model = { config, steps };
  const [a, f, embedded] = [selfAttention(model, layer), feedForward(model, layer), stream(model)];
  const h = a.heads[head];
  const lastRow = (key) => get(key).slice(-V); // (V): the whole (T, V), or its last row alone (traceText's lastRowOf)
  const slicers = {
    tokens: () => ({ items: input.items, hiddenBefore: input.hiddenBefore, ids: Array.from(input.ids), vocab, blockSize: config.block_size, tokenizer }),
    embeddings: () => ({
      labels, T, C, V, blockSize: config.block_size, arch,
      tok: get(embedded.embedTok), pos: embedded.embedPos ? get(embedded.embedPos) : null, sum: get(embedded.embed),
    }),
    layernorm: () => ({ labels, T, C, layer, arch, input: get(a.normInput), output: get(a.norm) }),
    head: () => ({
      labels, T, C, NH, HS, layer, head, arch, words, causal: a.op === 'causal',
      x: get(a.opInput), q: get(h.q), k: get(h.k), v: get(h.v), scores: get(h.scores), att: get(h.att), out: get(h.out),
      concat: get(a.concat), proj: get(a.out), res1: get(a.sum),
    }),
    attention: () => ({
      labels, T, layer, head, causal: a.op === 'causal', // an encoder's tokens see both sides
      maps: embedded.blocks.map((_, l) => selfAttention(model, l).heads.map((hh) => get(hh.att))),
    }),
    ffn: () => {
      // SwiGLU's ffn.pre is (T, 2H): the gate half is what the curve applies to
      const F = trace[f.act].shape[1];
      const pre = arch.ffn === 'swi_glu' ? gateHalf(get(f.pre), T, F) : get(f.pre);
      const kvWidth = (config.n_kv_head || NH) * HS; // the keys' and values' width: C, or less with grouped queries
      return { labels, T, C, F, kvWidth, layer, ffn: arch.ffn, norm: arch.norm, post: arch.post, words, pre, act: get(f.act) };
    },
    residual: () => {
      const stages = residualStages(model);
      const norms = new Float32Array(stages.length * T);
      stages.forEach((s, i) => norms.set(rowNorms(get(s.key), T, C), i * T));
      return { labels, T, C, stages: stages.map((s) => s.name), norms };
    },
    output: () => ({ vocab, text: input.labels.join(''), position: T - 1, C, words, logits: lastRow(steps.logits), probs: lastRow(steps.probs) }),
  };
  return Object.fromEntries(views.map((v) => [v, slicers[v]()]));
}
